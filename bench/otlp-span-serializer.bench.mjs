// The OTLP http/protobuf encoding of the spans the hook exports: the official serializer
// (`ProtobufTraceSerializer` of @opentelemetry/otlp-transformer, which the OTLP exporter uses) against
// the hook's own (`packages/exporter/src/otlp-span-serializer.ts`), on priced GenAI spans captured from
// the hook around the real `openai` client, in batches of 512 (the batch span processor's default).
//
//   node bench/otlp-span-serializer.bench.mjs            (after `tsc -b`)
//   BENCH_ROUNDS=9 BENCH_BATCHES=200 node bench/otlp-span-serializer.bench.mjs
//
// Headline: CPU time per span (user + system of this process) for each serializer, median over
// rounds; the two are interleaved within each round, in an order alternated from round to round.
// The bytes of both are compared before timing.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine } from './overhead/machine.mjs';
import { median } from './overhead/stats.mjs';
import { MESSAGES, OPENAI_MODEL, openaiChatJSON } from './overhead/bodies.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const fromTest = createRequire(join(root, 'test', 'package.json'));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 100);
const BATCH = 512;

const { start } = fromTest('@tokenomics/node');
const { InMemorySpanExporter } = fromTest('@opentelemetry/sdk-trace-base');
const exporter = new InMemorySpanExporter();
const handle = start({ traceExporter: exporter, metricReaders: [], env: {}, flushOnExit: false });
const { OpenAI } = fromTest('openai');

// Each answer gets its own id, as real answers do.
const body = new TextDecoder().decode(openaiChatJSON());
let served = 0;
async function fetchStub() {
  const id = `chatcmpl-${(++served).toString(36).padStart(12, '0')}Bx7q`;
  return new Response(body.replace(/"id":"[^"]*"/, `"id":"${id}"`), {
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
const spans = exporter.getFinishedSpans();
await handle.shutdown();
if (spans.length !== BATCH) throw new Error(`captured ${spans.length} spans, not ${BATCH}`);

const fromExporter = createRequire(fromTest.resolve('@opentelemetry/exporter-trace-otlp-proto'));
const { ProtobufTraceSerializer } = fromExporter('@opentelemetry/otlp-transformer');
const { serializeSpans } = createRequire(import.meta.url)(join(root, 'packages', 'exporter', 'dist', 'otlp-span-serializer.js'));

const official = ProtobufTraceSerializer.serializeRequest(spans);
const ours = serializeSpans(spans);
if (!Buffer.from(official).equals(Buffer.from(ours))) throw new Error('the two serializers wrote different bytes');

const SERIALIZERS = { official: (s) => ProtobufTraceSerializer.serializeRequest(s), ours: (s) => serializeSpans(s) };
const ONLY = process.env.BENCH_ONLY; // `ours` or `official`: only that one, for a profile
if (ONLY) {
  let bytes = 0;
  for (let i = 0; i < BATCHES; i++) bytes += SERIALIZERS[ONLY](spans).length;
  console.log(`${ONLY}: ${bytes} bytes`);
  process.exit(0);
}
let sink = 0;
function cpuPerSpan(serialize) {
  const before = process.cpuUsage();
  for (let i = 0; i < BATCHES; i++) sink += serialize(spans).length;
  const used = process.cpuUsage(before);
  return (used.user + used.system) / (BATCHES * BATCH);
}
const loadBefore = machine().loadavg;
for (const serialize of Object.values(SERIALIZERS)) cpuPerSpan(serialize); // warm-up
const results = { official: [], ours: [] };
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 ? ['ours', 'official'] : ['official', 'ours'];
  for (const name of order) results[name].push(cpuPerSpan(SERIALIZERS[name]));
}
if (sink === 0) throw new Error('nothing serialised');

const m = machine();
console.log(
  `# OTLP span serialiser: ${ROUNDS} rounds × ${BATCHES} batches of ${BATCH} hook spans, node ${m.node}, ${m.cpu}, load ${loadBefore}`,
);
console.log(
  `spans: ${Object.keys(spans[0].attributes).length} attributes each, ${(official.length / BATCH).toFixed(0)} bytes each on the wire`,
);
for (const [name, values] of Object.entries(results)) {
  const med = median(values);
  console.log(
    `${name.padEnd(9)} CPU ${med.toFixed(2)} µs per span (${Math.round(1e6 / med).toLocaleString('en')} spans/s)   rounds: ${values.map((v) => v.toFixed(2)).join(' ')}`,
  );
}
console.log(`load average before / after: ${loadBefore} / ${machine().loadavg}`);
