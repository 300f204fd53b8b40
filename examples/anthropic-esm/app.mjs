// Example service (ES modules). Run it with the hook:
//   node --import @tokenomics/node/register app.mjs
// The Anthropic client reads ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY from the environment.
import Anthropic from '@anthropic-ai/sdk';
import { withAttribution } from '@tokenomics/node';
import { createRequire } from 'node:module';

const { runWorkload } = createRequire(import.meta.url)('../anthropic-cjs/workload.js');

const client = new Anthropic({ maxRetries: 0 });
const log = await runWorkload(client, withAttribution);
for (const line of log) console.log(line);
console.log('workload done');
