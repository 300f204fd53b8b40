'use strict';
// Example service (CommonJS). Run it with the hook:
//   node --require @tokenomics/node/register app.js
// The Anthropic client reads ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY from the environment.
const Anthropic = require('@anthropic-ai/sdk');
const { withAttribution } = require('@tokenomics/node');
const { runWorkload } = require('./workload');

async function main() {
  const client = new Anthropic({ maxRetries: 0 });
  const log = await runWorkload(client, withAttribution);
  for (const line of log) console.log(line);
  console.log('workload done');
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
