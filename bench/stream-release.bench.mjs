// Stream release: heap held by 10,000 finished OpenAI chat streams after one garbage collection,
// before any finalisation callback has run, and again once finalisers have run. A stream that ended
// must let go of its call and span at once, so the two figures match and stay near zero.
//
//   node bench/stream-release.bench.mjs                 (after `tsc -b`)
//   STREAMS=50000 node bench/stream-release.bench.mjs
//
// Measured on a 2-core AMD EPYC, node 20, 10,000 streams: before the fix 2,708 bytes per finished
// stream stayed reachable after one collection (25.8 MB) until finalisers ran; after it, 37 bytes.
//
// The client talks to an in-process `fetch` (no sockets: a pooled socket keeps the context of the
// call that opened it, which would blur what the streams themselves hold).
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openaiChatJSON, openaiChatSSE, OPENAI_MODEL, MESSAGES } from './overhead/bodies.mjs';
import { stubFetch } from './overhead/fetch-stub.mjs';
import { machine } from './overhead/machine.mjs';
import { startTelemetry } from './overhead/telemetry.mjs';

const require = createRequire(import.meta.url);
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const STREAMS = Number(process.env.STREAMS ?? 10_000);
const CONCURRENCY = 20;
const LIMIT_BYTES_PER_STREAM = 256;

const telemetry = startTelemetry();
const { OpenAIInstrumentation } = require('@tokenomics/instrumentation');
const instrumentation = new OpenAIInstrumentation();
instrumentation.setTracerProvider(telemetry.tracerProvider);
instrumentation.setMeterProvider(telemetry.meterProvider);
instrumentation.enable();
const { OpenAI } = require('openai');
const client = new OpenAI({
  apiKey: 'sk-bench',
  baseURL: 'http://127.0.0.1:9/v1',
  maxRetries: 0,
  fetch: stubFetch({ json: openaiChatJSON(), sse: openaiChatSSE() }),
});

async function streams(n) {
  let next = 0;
  const lane = async () => {
    while (next < n) {
      next++;
      const stream = await client.chat.completions.create({
        model: OPENAI_MODEL,
        messages: MESSAGES,
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const chunk of stream) void chunk;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  await telemetry.tracerProvider.forceFlush();
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

/** Heap after one synchronous collection: no finalisation callback has run since the streams ended. */
async function heapAfterOneCollection() {
  await tick(); // the streams' last callbacks and the exporter's have run
  gc();
  return process.memoryUsage().heapUsed;
}

/** Heap once collections and finalisation callbacks have settled. */
async function heapSettled() {
  for (let i = 0; i < 6; i++) {
    gc();
    await tick();
  }
  gc();
  return process.memoryUsage().heapUsed;
}

const m = machine();
console.log(
  `# stream release: ${STREAMS.toLocaleString('en-US')} OpenAI chat streams read to their end, Tokenomics configuration; node ${m.node}, ${m.cpu}, load ${m.loadavg}`,
);
await streams(500); // warm-up: code paths compiled, pools filled
const base = await heapSettled();
await streams(STREAMS);
const one = await heapAfterOneCollection();
const settled = await heapSettled();
const { spans } = await telemetry.finish();
const perStream = (bytes) => Math.max(0, bytes - base) / STREAMS;
console.log();
console.log('| heap | MB | bytes per stream |');
console.log('|--|--:|--:|');
console.log(`| before the streams (after warm-up) | ${(base / 2 ** 20).toFixed(2)} | – |`);
console.log(`| after one collection, no finaliser run | ${(one / 2 ** 20).toFixed(2)} | ${perStream(one).toFixed(0)} |`);
console.log(`| after finalisers ran | ${(settled / 2 ** 20).toFixed(2)} | ${perStream(settled).toFixed(0)} |`);
const ok = perStream(one) <= LIMIT_BYTES_PER_STREAM && spans === STREAMS + 500;
console.log();
console.log(
  `Held per finished stream after one collection: ${perStream(one).toFixed(0)} bytes (limit ${LIMIT_BYTES_PER_STREAM}): ${ok ? 'released' : 'HELD'}; spans exported ${spans.toLocaleString('en-US')}.`,
);
instrumentation.disable();
await telemetry.tracerProvider.shutdown();
await telemetry.meterProvider.shutdown();
if (!ok && process.argv.includes('--strict')) process.exitCode = 1;
