'use strict';
// Example service (CommonJS). Run it with the hook:
//   node --require @tokenomics/node/register app.js
// The client takes its region and credentials from the standard AWS environment
// (AWS_REGION, AWS_ACCESS_KEY_ID, ...); BEDROCK_ENDPOINT points it elsewhere (for example at the
// local provider emulator).
const sdk = require('@aws-sdk/client-bedrock-runtime');
const { withAttribution } = require('@tokenomics/node');
const { runWorkload } = require('./workload');

async function main() {
  const endpoint = process.env.BEDROCK_ENDPOINT;
  const client = new sdk.BedrockRuntimeClient(endpoint ? { endpoint } : {});
  try {
    const log = await runWorkload(client, sdk, withAttribution);
    for (const line of log) console.log(line);
    console.log('workload done');
  } finally {
    client.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
