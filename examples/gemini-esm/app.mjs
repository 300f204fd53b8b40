// Example service (ES modules). Run it with the hook:
//   node --import @tokenomics/node/register app.mjs
// The client reads GEMINI_API_KEY from the environment; GEMINI_BASE_URL points it elsewhere
// (for example at the local provider emulator).
import { GoogleGenAI } from '@google/genai';
import { withAttribution } from '@tokenomics/node';
import { createRequire } from 'node:module';

const { runWorkload } = createRequire(import.meta.url)('../gemini-cjs/workload.js');

const baseUrl = process.env.GEMINI_BASE_URL;
const ai = new GoogleGenAI(baseUrl ? { httpOptions: { baseUrl } } : {});
const log = await runWorkload(ai, withAttribution);
for (const line of log) console.log(line);
console.log('workload done');
