// Example service (ES modules) using the OpenAI Agents SDK. Run it with the hook:
//   node --import @tokenomics/node/register app.mjs
// The SDK's openai client reads OPENAI_BASE_URL and OPENAI_API_KEY. EXAMPLE_AGENTS_TRACING=local
// turns the SDK's own tracing on, into a processor in this process; otherwise it is off.
// Each model call becomes one priced span carrying the agent that made it.
import * as sdk from '@openai/agents';
import { z } from 'zod';
import { createRequire } from 'node:module';

// The workload is plain JavaScript shared with the CommonJS example; the SDK it uses is the ESM
// build imported above.
const { runWorkload } = createRequire(import.meta.url)('../openai-agents-cjs/workload.js');

const log = await runWorkload(sdk, z);
for (const line of log) console.log(line);
console.log('workload done');
