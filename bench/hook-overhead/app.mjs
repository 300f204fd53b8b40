// The app of the hook benchmark: one scenario, made the way an app makes it, through the real
// `openai` client, in a process started with whatever set-up the benchmark gives it on the command
// line (`--require @tokenomics/node/register`, a peer's NodeSDK file, the span floor, or nothing).
//
//   node --expose-gc [--require <set-up>] app.mjs <scenario> <warm-up calls> <timed calls> [streams for memory]
//
// The client gets an in-process `fetch` (no sockets: lower noise than a server) answering on a later
// turn of the event loop; a stream carries its usage chunk only when the request asks for it, as
// OpenAI does. Prints one JSON line: CPU µs per timed call (user + system of the whole process) and
// of its main thread alone (Linux), the main thread's garbage-collection pauses per timed call, p50
// and p99 wall time, heap after one full collection (no turn of the event loop in between, so no
// finaliser has run) and, with a fourth argument, the heap after that many more streams.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PerformanceObserver } from 'node:perf_hooks';
import { MESSAGES, OPENAI_MODEL, openaiChatJSON, openaiChatSSE } from '../overhead/bodies.mjs';
import { summarise } from '../overhead/stats.mjs';

const require = createRequire(import.meta.url);
const [scenario, warmArg, callsArg, memoryArg] = process.argv.slice(2);

const JSON_HEADERS = { 'content-type': 'application/json', 'x-request-id': 'req_bench0123456789abcdef' };
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'x-request-id': 'req_bench0123456789abcdef' };
const json = openaiChatJSON();
const sseWithUsage = openaiChatSSE();
// The same stream as OpenAI sends it when the request does not ask for usage: no usage chunk (the
// event whose choices are empty) and no `usage` field in the other chunks.
const sseText = new TextDecoder().decode(sseWithUsage);
const sseWithoutUsage = new TextEncoder().encode(
  sseText
    .split('\n\n')
    .filter((e) => !e.includes('"choices":[]'))
    .join('\n\n')
    .replaceAll('"usage":null,', ''),
);

async function fetchStub(_url, init) {
  await new Promise(setImmediate);
  const body = typeof init?.body === 'string' ? init.body : '';
  if (!body.includes('"stream":true')) return new Response(json, { status: 200, headers: JSON_HEADERS });
  const usage = body.includes('"include_usage":true');
  return new Response(usage ? sseWithUsage : sseWithoutUsage, { status: 200, headers: SSE_HEADERS });
}

/** Chunks the app sees: 50 content chunks, the finish chunk and, when it asked, the usage chunk. */
const SCENARIOS = {
  chat: { stream: false },
  'chat-stream': { stream: true, includeUsage: true, chunks: 52 },
  'chat-stream-no-usage': { stream: true, includeUsage: false, chunks: 51 },
};
const s = SCENARIOS[scenario];
if (!s) {
  console.error(`usage: app.mjs <${Object.keys(SCENARIOS).join('|')}> <warm-up> <calls> [streams]`);
  process.exit(2);
}

// Loaded through require after the set-up, so the hook's module patches apply.
const { OpenAI } = require('openai');
const client = new OpenAI({ apiKey: 'sk-bench', baseURL: 'https://api.openai.com/v1', fetch: fetchStub, maxRetries: 0 });
const fail = (what) => {
  throw new Error(`the app received ${what}`);
};

async function plain() {
  const r = await client.chat.completions.create({ model: OPENAI_MODEL, messages: MESSAGES, max_tokens: 200, temperature: 0.2 });
  if (r.usage?.completion_tokens !== 50) fail('a completion without its usage');
}
// HOOK_BENCH_ASK_USAGE=1 (the `usage-floor` set-up, no OpenTelemetry): where the scenario's app
// does not ask for a stream's usage, ask for it anyway and skip the usage chunk, as the hook does:
// what the request for usage costs the client (the server's `usage: null` on every chunk and the
// usage chunk, parsed), whoever asks.
const askUsage = s.stream && !s.includeUsage && process.env.HOOK_BENCH_ASK_USAGE === '1';
async function streamed() {
  const stream = await client.chat.completions.create({
    model: OPENAI_MODEL,
    messages: MESSAGES,
    max_tokens: 200,
    temperature: 0.2,
    stream: true,
    ...(s.includeUsage || askUsage ? { stream_options: { include_usage: true } } : {}),
  });
  let n = 0;
  for await (const chunk of stream) {
    if (!chunk) fail('an empty chunk');
    if (askUsage && chunk.usage) continue;
    n++;
  }
  if (n !== s.chunks) fail(`${n} chunks, not ${s.chunks}`);
}
let call = s.stream ? streamed : plain;

// The span floor: one empty span per call, run in its context, ended when the call settles.
if (process.env.HOOK_BENCH_WRAP === 'span') {
  const api = require('@opentelemetry/api');
  const tracer = api.trace.getTracer('bench-floor');
  const inner = call;
  call = () => {
    const span = tracer.startSpan('call', { kind: api.SpanKind.CLIENT });
    return api.context.with(api.trace.setSpan(api.context.active(), span), inner).finally(() => span.end());
  };
}

// The SDK floor (sdk-floor.cjs): one duration point per call, with the attributes the GenAI
// conventions put on it, and with a tracer provider, the call in one empty span.
if (process.env.HOOK_BENCH_WRAP === 'sdk-floor') {
  const api = require('@opentelemetry/api');
  const tracer = api.trace.getTracer('bench-sdk-floor');
  const duration = api.metrics.getMeter('bench-sdk-floor').createHistogram('gen_ai.client.operation.duration', { unit: 's' });
  const attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': OPENAI_MODEL,
    'server.address': 'api.openai.com',
  };
  const tracing = process.env.OTEL_TRACES_EXPORTER === 'otlp';
  const inner = call;
  const record = (t0) => duration.record((performance.now() - t0) / 1000, attributes);
  call = tracing
    ? () => {
        const t0 = performance.now();
        const span = tracer.startSpan('call', { kind: api.SpanKind.CLIENT });
        return api.context.with(api.trace.setSpan(api.context.active(), span), inner).finally(() => {
          record(t0);
          span.end();
        });
      }
    : () => {
        const t0 = performance.now();
        return inner().finally(() => record(t0));
      };
}

/**
 * CPU time of the main thread in ns (Linux: the scheduler's run time of the thread whose id is the
 * process's), NaN elsewhere. The process's CPU also holds V8's and libuv's helper threads (garbage
 * collection helpers, compilers, the thread pool): what is left of it is their share.
 */
function mainThreadCpuNs() {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
}

const heapAfterGC = () => {
  global.gc();
  return process.memoryUsage().heapUsed;
};

const warmup = Number(warmArg);
const calls = Number(callsArg);
for (let i = 0; i < warmup; i++) await call();
const times = new Float64Array(calls);
global.gc();
// The main thread's garbage-collection pauses during the timed calls, from Node's `gc` performance
// entries (the same observer in every set-up): a process's CPU moves with how often the collector
// runs, so the bench also reports the time outside those pauses.
const gcEntries = [];
const gcObserver = new PerformanceObserver((list) => gcEntries.push(...list.getEntries()));
gcObserver.observe({ entryTypes: ['gc'] });
const timedFrom = performance.now();
// Monotonic clock in µs, the clock of a CPU profile's sample times: profile.mjs counts only the timed calls.
const timedFromUs = Number(process.hrtime.bigint() / 1000n);
const main0 = mainThreadCpuNs();
const cpu0 = process.cpuUsage();
for (let i = 0; i < calls; i++) {
  const t0 = performance.now();
  await call();
  times[i] = performance.now() - t0;
}
const cpu = process.cpuUsage(cpu0);
const mainCpuNs = mainThreadCpuNs() - main0;
const timedToUs = Number(process.hrtime.bigint() / 1000n);
const timedTo = performance.now();
gcEntries.push(...gcObserver.takeRecords());
gcObserver.disconnect();
let gcMs = 0;
for (const e of gcEntries) if (e.startTime >= timedFrom && e.startTime < timedTo) gcMs += e.duration;
const out = {
  timedFromUs,
  timedToUs,
  scenario,
  instrumentation: process.env.HOOK_BENCH_INSTRUMENTATION,
  ...summarise(times),
  cpuUs: (cpu.user + cpu.system) / calls,
  gcUs: (gcMs * 1000) / calls,
  mainThreadCpuUs: mainCpuNs / 1000 / calls,
  calls: warmup + calls,
};
out.heapBytes = heapAfterGC();
if (memoryArg) {
  const more = Number(memoryArg);
  // HOOK_BENCH_SAMPLE_EVERY: also the heap after one full collection every that many calls.
  const every = Number(process.env.HOOK_BENCH_SAMPLE_EVERY ?? 0) || more;
  const samples = [{ calls: 0, heapBytes: out.heapBytes }];
  for (let done = 0; done < more;) {
    const end = Math.min(more, done + every);
    for (; done < end; done++) await call();
    samples.push({ calls: done, heapBytes: heapAfterGC() });
  }
  out.samples = samples;
  out.memoryCalls = more;
  out.memoryHeapBytes = heapAfterGC();
  // HOOK_BENCH_SNAPSHOT=file: also a heap snapshot at that point, to see what the heap holds.
  if (process.env.HOOK_BENCH_SNAPSHOT) require('node:v8').writeHeapSnapshot(process.env.HOOK_BENCH_SNAPSHOT);
}
// Spans still queued go out now (as at a graceful exit), so the sink sees every set-up's export.
{
  const api = require('@opentelemetry/api');
  const provider = api.trace.getTracerProvider();
  await (provider.getDelegate?.() ?? provider).forceFlush?.();
}
// The default set-up: read the hook's Prometheus endpoint once, to prove the calls were recorded.
const port = process.env.OTEL_EXPORTER_PROMETHEUS_PORT;
if (port && process.env.HOOK_BENCH_SCRAPE === '1') {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  out.costLines = text.split('\n').filter((l) => l.startsWith('tokenomics_cost') && !l.startsWith('#')).length;
}
process.stdout.write(`${JSON.stringify(out)}\n`);
