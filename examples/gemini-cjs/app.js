'use strict';
// Example service (CommonJS). Run it with the hook:
//   node --require @tokenomics/node/register app.js
// The client reads GEMINI_API_KEY from the environment; GEMINI_BASE_URL points it elsewhere
// (for example at the local provider emulator).
const { GoogleGenAI } = require('@google/genai');
const { withAttribution } = require('@tokenomics/node');
const { runWorkload } = require('./workload');

async function main() {
  const baseUrl = process.env.GEMINI_BASE_URL;
  const ai = new GoogleGenAI(baseUrl ? { httpOptions: { baseUrl } } : {});
  const log = await runWorkload(ai, withAttribution);
  for (const line of log) console.log(line);
  console.log('workload done');
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
