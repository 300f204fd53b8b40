// One app process of estimate-stall.bench.mjs: `node --expose-gc app.mjs <bare|billed|tokenomics>`.
// Makes one streamed chat call the app breaks out of after a few chunks, then stays idle until
// the call is recorded (or 5 s), and prints one JSON line: the event loop's largest delay from just
// before the call. `tokenomics`: instrumented, the stream carries no usage, so it is estimated;
// `billed`: instrumented, the stream's first chunk carries usage (no estimate); `bare`: no
// instrumentation; `sync`: no instrumentation, the app counts the same estimate itself with the
// synchronous API on its own thread (what the instrumentation did before the worker).
import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startTelemetry } from '../overhead/telemetry.mjs';

const require = createRequire(import.meta.url);
const config = process.argv[2];

const words = 'The lighthouse keeper counted every ship that passed in the long winter night'.split(' ');
const chunk = (content) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini-2024-07-18', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
const sse = words.map((w, i) => chunk(i ? ` ${w}` : w)).join('') + 'data: [DONE]\n\n';
const usage = { prompt_tokens: 14, completion_tokens: 15, total_tokens: 29 };
const sseWithUsage =
  `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini-2024-07-18', choices: [], usage })}\n\n` +
  sse;

const completion = JSON.stringify({
  id: 'chatcmpl-0',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Ready.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
});

async function fetch(_url, init) {
  await new Promise(setImmediate);
  if (!String(init?.body).includes('"stream":true')) {
    return new Response(completion, { status: 200, headers: { 'content-type': 'application/json' } });
  }
  return new Response(config === 'billed' ? sseWithUsage : sse, {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8' },
  });
}

let telemetry;
let settled = async () => {};
if (config === 'billed' || config === 'tokenomics') {
  telemetry = startTelemetry();
  const { OpenAIInstrumentation, waitForPendingEstimates } = require('@tokenomics/instrumentation');
  const instrumentation = new OpenAIInstrumentation({ injectStreamUsage: false });
  instrumentation.setTracerProvider(telemetry.tracerProvider);
  instrumentation.setMeterProvider(telemetry.meterProvider);
  instrumentation.enable();
  settled = () => waitForPendingEstimates(5_000);
}
const { OpenAI } = require('openai');
const client = new OpenAI({ apiKey: 'sk-bench', baseURL: 'http://bench.invalid/v1', maxRetries: 0, fetch });

const histogram = monitorEventLoopDelay({ resolution: 1 });
// A warm-up call with billed usage: loads the client's and the instrumentation's code paths and the
// price book, so the measured window holds only the first estimate (and the worker start it
// needs), not module loading.
await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'warm up' }] });
// Start-up garbage (client, price book) is collected before the window, in every configuration.
globalThis.gc?.();
histogram.enable();
const started = performance.now();
const stream = await client.chat.completions.create({
  model: 'gpt-4o-mini',
  stream: true,
  messages: [{ role: 'user', content: 'Tell me about lighthouses.' }],
});
let seen = 0;
const text = [];
for await (const c of stream) {
  text.push(c.choices[0]?.delta?.content ?? '');
  if (++seen === 4) break;
}
if (config === 'sync') {
  const tokens = require('@tokenomics/tokens');
  tokens.estimateRequestTokens({ messages: [{ role: 'user', content: 'Tell me about lighthouses.' }] }, 'gpt-4o-mini');
  tokens.countTokens(text.join(''), 'gpt-4o-mini');
}
const callMs = performance.now() - started;
await settled();
// Idle long enough for any blocking work still queued to show up in the histogram.
await new Promise((resolve) => setTimeout(resolve, 200));
histogram.disable();
let span;
if (telemetry) {
  await telemetry.tracerProvider.forceFlush();
  span = telemetry.exporter.last?.attributes;
}
console.log(
  JSON.stringify({
    config,
    maxDelayMs: histogram.max / 1e6,
    meanDelayMs: histogram.mean / 1e6,
    callMs,
    estimated: span?.['tokenomics.usage.estimated'],
    inputTokens: span?.['gen_ai.usage.input_tokens'],
    outputTokens: span?.['gen_ai.usage.output_tokens'],
    unavailable: span?.['tokenomics.usage.estimate_unavailable'],
  }),
);
process.exit(0);
