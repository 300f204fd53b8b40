// Example service (ES modules). Run it with the hook:
//   node --import @tokenomics/node/register app.mjs
// The client takes its region and credentials from the standard AWS environment
// (AWS_REGION, AWS_ACCESS_KEY_ID, ...); BEDROCK_ENDPOINT points it elsewhere (for example at the
// local provider emulator).
import * as sdk from '@aws-sdk/client-bedrock-runtime';
import { withAttribution } from '@tokenomics/node';
import { createRequire } from 'node:module';

const { runWorkload } = createRequire(import.meta.url)('../bedrock-cjs/workload.js');

const endpoint = process.env.BEDROCK_ENDPOINT;
const client = new sdk.BedrockRuntimeClient(endpoint ? { endpoint } : {});
try {
  const log = await runWorkload(client, sdk, withAttribution);
  for (const line of log) console.log(line);
  console.log('workload done');
} finally {
  client.destroy();
}
