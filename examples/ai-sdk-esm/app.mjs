// Example service (ES modules) built on the Vercel AI SDK. Run it with the hook:
//   node --import @tokenomics/node/register app.mjs
// Point it at the provider emulator (or leave unset for the real APIs):
//   OPENAI_BASE_URL=http://127.0.0.1:8787/v1 OPENAI_API_KEY=sk-local
//   ANTHROPIC_BASE_URL=http://127.0.0.1:8787/v1 ANTHROPIC_API_KEY=sk-local
// AI_SDK_TELEMETRY=1 turns the SDK's own telemetry on as well.
import * as ai from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { createAnthropic } from '@ai-sdk/anthropic';
import { z } from 'zod';
import { createRequire } from 'node:module';

// The workload is shared with the CommonJS flavour; the SDK itself is loaded here, as an ES module.
const { runWorkload } = createRequire(import.meta.url)('../ai-sdk-cjs/workload.js');

const log = await runWorkload({ ai, createOpenAI, createAnthropic, z });
for (const line of log) console.log(line);
console.log('workload done');
