'use strict';
// Example service (CommonJS). Run it with the hook:
//   node --require @tokenomics/node/register app.js
// The openai client reads OPENAI_BASE_URL and OPENAI_API_KEY from the environment.
const OpenAI = require('openai');
const { withAttribution } = require('@tokenomics/node');
const { runWorkload } = require('./workload');

async function main() {
  const client = new OpenAI({ maxRetries: 0 });
  const log = await runWorkload(client, withAttribution);
  for (const line of log) console.log(line);
  console.log('workload done');
  const repeatMs = Number(process.env.EXAMPLE_REPEAT_MS || 0);
  if (repeatMs > 0) setInterval(() => runWorkload(client, withAttribution).catch(() => {}), repeatMs);
  else if (process.env.EXAMPLE_STAY_ALIVE === '1') setInterval(() => {}, 1 << 30);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
