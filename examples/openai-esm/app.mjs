// Example service (ES modules). Run it with the hook:
//   node --import @tokenomics/node/register app.mjs
// The openai client reads OPENAI_BASE_URL and OPENAI_API_KEY from the environment.
import OpenAI from 'openai';
import { withAttribution } from '@tokenomics/node';
import { createRequire } from 'node:module';

const { runWorkload } = createRequire(import.meta.url)('../openai-cjs/workload.js');

const client = new OpenAI({ maxRetries: 0 });
const log = await runWorkload(client, withAttribution);
for (const line of log) console.log(line);
console.log('workload done');
const repeatMs = Number(process.env.EXAMPLE_REPEAT_MS || 0);
if (repeatMs > 0) setInterval(() => runWorkload(client, withAttribution).catch(() => {}), repeatMs);
else if (process.env.EXAMPLE_STAY_ALIVE === '1') setInterval(() => {}, 1 << 30);
