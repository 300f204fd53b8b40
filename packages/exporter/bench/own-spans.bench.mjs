// The exporter's pass over spans the hook already priced (build first: npx tsc -b; the package's
// JavaScript is built by packages/exporter/tsconfig.js.json, not by packages/exporter alone).
//
//   node --expose-gc packages/exporter/bench/own-spans.bench.mjs [spansPerRound] [rounds]
//
// Spans are real SDK spans of the hook's scope with the attributes the hook writes on a priced chat
// call (each a child of a request span, with its own totals), made up front; only export() is timed,
// in batches of 512 into an exporter that does nothing. Prints the CPU time of the process per span
// (median and best of the rounds); before each timed pass the previous round's spans are collected
// and the collector's background threads are given time to finish with them, so that their work is
// not counted. Then what the exporter holds after remembering 10,000 such spans (its
// de-duplication table): JavaScript heap and array buffers, after a full collection.
//
// EXPORTER_BENCH_DIST=<dir> runs another build of the exporter (its dist folder), for before/after
// comparisons; the workspace's dependencies are used for it.
import { createRequire, Module } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const distDir = process.env.EXPORTER_BENCH_DIST;
if (distDir !== undefined) {
  process.env.NODE_PATH = join(import.meta.dirname, '..', 'node_modules');
  Module._initPaths();
}
const { CostEnrichingSpanExporter } = require(distDir === undefined ? '../dist/index.js' : join(distDir, 'index.js'));
const { context, trace } = require('@opentelemetry/api');
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');

const SPANS = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.argv[3] ?? 7);
const BATCH = 512;
const TABLE_SPANS = 10_000;

/** What the hook writes on a priced, non-streamed chat call (gpt-4o, cached input). */
const hookAttributes = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'server.address': 'api.openai.com',
  'server.port': 443,
  'gen_ai.request.max_tokens': 256,
  'gen_ai.response.model': 'gpt-4o-2024-08-06',
  'gen_ai.response.id': 'chatcmpl-bench',
  'gen_ai.response.finish_reasons': ['stop'],
  'gen_ai.usage.input_tokens': 1200,
  'gen_ai.usage.output_tokens': 300,
  'gen_ai.usage.cache_read.input_tokens': 1000,
  'tokenomics.usage.estimated': false,
  'tokenomics.price_book.version': 'bench',
  'gen_ai.usage.cost.amount': 0.00475,
  'gen_ai.usage.cost.currency': 'USD',
  'gen_ai.usage.cost.source': 'local',
  'tokenomics.pricing.model': 'gpt-4o-2024-08-06',
  'tokenomics.cost.input': 0.00125,
  'tokenomics.cost.cache_read': 0.00125,
  'tokenomics.cost.output': 0.003,
};

function makeSpans(n) {
  const sink = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(sink)] });
  const requests = provider.getTracer('@opentelemetry/instrumentation-http');
  const hook = provider.getTracer('@tokenomics/instrumentation-openai');
  for (let i = 0; i < n; i++) {
    const request = requests.startSpan('POST /chat');
    const attributes = { ...hookAttributes, 'gen_ai.usage.input_tokens': 1200 + i };
    hook.startSpan('chat gpt-4o', { attributes }, trace.setSpan(context.active(), request)).end();
  }
  return sink.getFinishedSpans();
}

/**
 * The SDK's span processor settles each span's export in a promise; without a turn of the event loop
 * those pile up and keep every span made so far alive, so each round waits for one.
 */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/**
 * After a full collection V8 sweeps the freed memory on background threads, which the process's CPU
 * time counts: a timed pass that starts at once pays for the previous round's garbage. A fixed
 * pause (this is a benchmark, not a test) lets that work finish first.
 */
const SWEEP_PAUSE_MS = 200;
const gc = globalThis.gc ?? (() => {});
const collect = async () => {
  gc();
  await new Promise((resolve) => setTimeout(resolve, SWEEP_PAUSE_MS));
};

const noop = { export: (_spans, cb) => cb({ code: 0 }), shutdown: async () => {} };
const exportAll = (exporter, spans) => {
  for (let i = 0; i < spans.length; i += BATCH) exporter.export(spans.slice(i, i + BATCH), () => {});
};

console.log(`node ${process.version}, ${SPANS} already-priced spans of the hook per round, batches of ${BATCH}, ${ROUNDS} rounds`);
console.log(
  `build: ${distDir ?? 'workspace'}; load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);

// What the exporter holds after remembering TABLE_SPANS spans.
{
  const spans = makeSpans(TABLE_SPANS);
  await settle();
  gc();
  gc();
  const before = process.memoryUsage();
  const exporter = new CostEnrichingSpanExporter(noop, { priceBook: { version: 'bench', price: () => ({ priced: false, reason: 'x' }) } });
  exportAll(exporter, spans);
  gc();
  gc();
  const after = process.memoryUsage();
  const mb = (n) => (n / 2 ** 20).toFixed(2);
  console.log(
    `held after ${TABLE_SPANS} spans: heap ${mb(after.heapUsed - before.heapUsed)} MB, array buffers ${mb(after.arrayBuffers - before.arrayBuffers)} MB`,
  );
  if (exporter === undefined) console.log(spans.length); // keeps both alive up to here
}

const exporter = new CostEnrichingSpanExporter(noop);
const perSpan = [];
for (let round = 0; round < ROUNDS; round++) {
  const spans = makeSpans(SPANS);
  await settle();
  await collect();
  const cpu0 = process.cpuUsage();
  exportAll(exporter, spans);
  const cpu = process.cpuUsage(cpu0);
  perSpan.push((cpu.user + cpu.system) / spans.length);
}
perSpan.sort((a, b) => a - b);
console.log(
  `CPU per span: median ${perSpan[Math.floor(perSpan.length / 2)].toFixed(3)} µs, best ${perSpan[0].toFixed(3)} µs (rounds: ${perSpan.map((x) => x.toFixed(2)).join(' ')})`,
);
