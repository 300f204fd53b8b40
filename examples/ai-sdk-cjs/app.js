'use strict';
// Example service (CommonJS) built on the Vercel AI SDK. Run it with the hook:
//   node --require @tokenomics/node/register app.js
// Point it at the provider emulator (or leave unset for the real APIs):
//   OPENAI_BASE_URL=http://127.0.0.1:8787/v1 OPENAI_API_KEY=sk-local
//   ANTHROPIC_BASE_URL=http://127.0.0.1:8787/v1 ANTHROPIC_API_KEY=sk-local
// AI_SDK_TELEMETRY=1 turns the SDK's own telemetry on as well.
const ai = require('ai');
const { createOpenAI } = require('@ai-sdk/openai');
const { createAnthropic } = require('@ai-sdk/anthropic');
const { z } = require('zod');
const { runWorkload } = require('./workload');

runWorkload({ ai, createOpenAI, createAnthropic, z })
  .then((log) => {
    for (const line of log) console.log(line);
    console.log('workload done');
  })
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
