'use strict';
// Example service (CommonJS) using the OpenAI Agents SDK. Run it with the hook:
//   node --require @tokenomics/node/register app.js
// The SDK's openai client reads OPENAI_BASE_URL and OPENAI_API_KEY. EXAMPLE_AGENTS_TRACING=local
// turns the SDK's own tracing on, into a processor in this process; otherwise it is off.
// Each model call becomes one priced span carrying the agent that made it.
const sdk = require('@openai/agents');
const { z } = require('zod');
const { runWorkload } = require('./workload');

runWorkload(sdk, z)
  .then((log) => {
    for (const line of log) console.log(line);
    console.log('workload done');
  })
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
