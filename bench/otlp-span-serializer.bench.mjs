// The OTLP http/protobuf encoding of the spans the hook exports: the official serializer
// (`ProtobufTraceSerializer` of @opentelemetry/otlp-transformer, which the OTLP exporter uses) against
// the hook's own (`packages/exporter/src/otlp-span-serializer.ts`), in batches of 512 (the batch span
// processor's default) of one resource and one scope, as the hook sends them.
//
//   node bench/otlp-span-serializer.bench.mjs            (after `tsc -b`)
//   BENCH_ROUNDS=9 BENCH_BATCHES=60 node bench/otlp-span-serializer.bench.mjs
//   BENCH_SERIALIZER_BASELINE=<dist dir of an earlier build of @tokenomics/exporter>[,<another>] ...   also time those builds
//     (a dir from which @opentelemetry/api resolves, e.g. a copy of packages/exporter with its node_modules)
//   BENCH_ONLY=ours ...   only that serializer, for a profile
//
// The spans are the hook's: 512 priced GenAI spans are captured from the hook around the real `openai`
// client, and every batch timed is made of new spans built through the real OpenTelemetry SDK from them
// (the same name, kind, resource, scope and 24 attributes in the same order, with new trace and span
// ids, a new response id and other token counts and costs each), so that, as in the hook's process,
// no batch is encoded twice and no string was read before. Each batch is encoded once.
//
// Headline: CPU time per span (user + system of this process) for each serializer, median over
// rounds; the serializers take turns within each round, in an order rotated from round to round.
// The bytes of all of them are compared before timing, on the captured spans and on built ones.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine } from './overhead/machine.mjs';
import { median } from './overhead/stats.mjs';
import { MESSAGES, OPENAI_MODEL, openaiChatJSON } from './overhead/bodies.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const fromTest = createRequire(join(root, 'test', 'package.json'));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 40);
const BATCH = 512;

const { start } = fromTest('@tokenomics/node');
const { BasicTracerProvider, InMemorySpanExporter } = fromTest('@opentelemetry/sdk-trace-base');
const exporter = new InMemorySpanExporter();
const handle = start({ traceExporter: exporter, metricReaders: [], env: {}, flushOnExit: false });
const { OpenAI } = fromTest('openai');

// Each answer gets its own id, as real answers do.
const body = new TextDecoder().decode(openaiChatJSON());
let served = 0;
const responseId = (n) => `chatcmpl-${n.toString(36).padStart(12, '0')}Bx7q`;
async function fetchStub() {
  return new Response(body.replace(/"id":"[^"]*"/, `"id":"${responseId(++served)}"`), {
    status: 200,
    headers: { 'content-type': 'application/json', 'x-request-id': `req_${served.toString(16).padStart(24, '0')}` },
  });
}
const client = new OpenAI({ apiKey: 'sk-bench', baseURL: 'https://api.openai.com/v1', fetch: fetchStub, maxRetries: 0 });
for (let i = 0; i < BATCH; i++) {
  await client.chat.completions.create({ model: OPENAI_MODEL, messages: MESSAGES, max_tokens: 200, temperature: 0.2 });
}
await handle.forceFlush();
// A batch export that started before the resource's detectors answered may still be on its way.
for (let waited = 0; exporter.getFinishedSpans().length < BATCH && waited < 100; waited++) await new Promise((r) => setTimeout(r, 50));
const captured = exporter.getFinishedSpans();
await handle.shutdown();
if (captured.length !== BATCH) throw new Error(`captured ${captured.length} spans, not ${BATCH}`);

// New spans like the captured ones, through the real SDK (its span class, its id generator).
const model = captured[0];
const ended = [];
const provider = new BasicTracerProvider({
  resource: model.resource,
  spanProcessors: [{ onStart() {}, onEnd: (s) => ended.push(s), forceFlush: async () => {}, shutdown: async () => {} }],
});
const tracer = provider.getTracer(model.instrumentationScope.name, model.instrumentationScope.version);
const RESPONSE_ID = 'gen_ai.response.id';
if (typeof model.attributes[RESPONSE_ID] !== 'string') throw new Error('the captured span has no response id');
function batchOfNewSpans() {
  ended.length = 0;
  for (let i = 0; i < BATCH; i++) {
    const attributes = {};
    const spread = served % 97;
    for (const [key, value] of Object.entries(model.attributes)) {
      // Token counts and costs differ from call to call, as real usage does; the rest repeats.
      if (typeof value === 'number' && /usage\.(input|output)_tokens$|cost\.(amount|input|output)$/.test(key)) {
        attributes[key] = key.includes('cost') ? value * (1 + spread / 1000) : value + spread;
      } else {
        attributes[key] = Array.isArray(value) ? [...value] : value;
      }
    }
    // A flat string read from a body, as the hook's response ids are.
    attributes[RESPONSE_ID] = JSON.parse(`"${responseId(++served)}"`);
    const span = tracer.startSpan(model.name, { kind: model.kind, startTime: model.startTime });
    span.setAttributes(attributes);
    span.setStatus(model.status);
    span.end(model.endTime);
  }
  return ended.splice(0);
}

const fromExporter = createRequire(fromTest.resolve('@opentelemetry/exporter-trace-otlp-proto'));
const { ProtobufTraceSerializer } = fromExporter('@opentelemetry/otlp-transformer');
const load = (dir) => createRequire(import.meta.url)(join(dir, 'otlp-span-serializer.js')).serializeSpans;
const SERIALIZERS = {
  official: (s) => ProtobufTraceSerializer.serializeRequest(s),
  ours: load(join(root, 'packages', 'exporter', 'dist')),
};
const baselines = (process.env.BENCH_SERIALIZER_BASELINE ?? '').split(',').filter(Boolean);
baselines.forEach((dir, i) => (SERIALIZERS[baselines.length > 1 ? `baseline${i + 1}` : 'baseline'] = load(resolve(dir))));

const built = batchOfNewSpans();
for (const spans of [captured, built]) {
  const official = Buffer.from(SERIALIZERS.official(spans));
  for (const [name, serialize] of Object.entries(SERIALIZERS)) {
    if (!official.equals(Buffer.from(serialize(spans)))) throw new Error(`${name} wrote other bytes than the official serializer`);
  }
}

const ONLY = process.env.BENCH_ONLY;
if (ONLY) {
  let bytes = 0;
  for (let i = 0; i < BATCHES; i++) bytes += SERIALIZERS[ONLY](batchOfNewSpans()).length;
  console.log(`${ONLY}: ${bytes} bytes`);
  process.exit(0);
}
let sink = 0;
function cpuPerSpan(serialize) {
  const batches = [];
  for (let i = 0; i < BATCHES; i++) batches.push(batchOfNewSpans());
  const before = process.cpuUsage();
  for (const spans of batches) sink += serialize(spans).length;
  const used = process.cpuUsage(before);
  return (used.user + used.system) / (BATCHES * BATCH);
}
const names = Object.keys(SERIALIZERS);
const loadBefore = machine().loadavg;
for (const name of names) cpuPerSpan(SERIALIZERS[name]); // warm-up
const results = Object.fromEntries(names.map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < names.length; i++) {
    const name = names[(round + i) % names.length];
    results[name].push(cpuPerSpan(SERIALIZERS[name]));
  }
}
if (sink === 0) throw new Error('nothing serialised');

const m = machine();
console.log(
  `# OTLP span serialiser: ${ROUNDS} rounds × ${BATCHES} batches of ${BATCH} new hook spans, node ${m.node}, ${m.cpu}, load ${loadBefore}`,
);
console.log(
  `spans: ${Object.keys(built[0].attributes).length} attributes each, ${(SERIALIZERS.official(built).length / BATCH).toFixed(0)} bytes each on the wire`,
);
for (const [name, values] of Object.entries(results)) {
  const med = median(values);
  console.log(
    `${name.padEnd(9)} CPU ${med.toFixed(2)} µs per span (${Math.round(1e6 / med).toLocaleString('en')} spans/s)   rounds: ${values.map((v) => v.toFixed(2)).join(' ')}`,
  );
}
console.log(`load average before / after: ${loadBefore} / ${machine().loadavg}`);
