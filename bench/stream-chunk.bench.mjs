// Our own work per streamed chunk: the CPU time and the bytes the hook adds to each chunk of an
// OpenAI chat stream, against the same stream read without the hook, with nothing else in the way.
//
//   node bench/stream-chunk.bench.mjs             (after `tsc -b`; or `pnpm bench` for every benchmark)
//   BENCH_QUICK=1 node bench/stream-chunk.bench.mjs                      fast smoke run
//   BENCH_ROUNDS=5 STREAM_BENCH_REPS=40 node bench/stream-chunk.bench.mjs   more processes, more pairs
//   STREAM_BENCH_BASELINE=<copy of packages/instrumentation/dist> ...   also measure an earlier build
//                                                                       (before/after, same sitting)
//   STREAM_BENCH_SETUPS=metrics/hook,spans/app ...   only these set-ups (telemetry/usage)
//   BENCH_JSON=out.json ...      also write every raw result
//
// What is measured: the real `openai` `Stream` class, fed by an iterator that parses each chunk's
// JSON as the SDK's SSE reader does, read by the app with `for await`. With the hook, the stream is
// observed by the real OpenAIInstrumentation (`observeStream`, as it observes the stream a `create`
// call parsed to): its ObservedIterator, its chat stream sink and the call's recorder, with real
// OpenTelemetry SDK providers. Without it, the same stream is read bare. The request and the HTTP
// exchange are left out: they do not grow with the stream, and the hook-overhead bench covers them.
//
// Each process measures in pairs: in each, one stream of SHORT and one of LONG chunks per arm
// (bare, the floor, the hook), the arms in an order rotated from pair to pair. For each pair, our
// work per chunk is the slope of (hook - bare) between the two lengths: what is done once per stream
// (the end of the call: span, metrics) cancels out, what grows with the stream stays. The floor is
// what any observer of an async iterator pays, measured the same way: a pass-through iterator whose
// `next` returns `inner.next().then(identity)` and does nothing else. Seeing a chunk before the app
// (and hiding one) needs that promise and its reaction: 96 bytes per chunk on Node 20 (a 48-byte
// promise, a 48-byte reaction, which V8 turns into the microtask in place), more with the
// AsyncLocalStorage context manager on (Node's async hooks give each promise its ids and context).
//
// CPU is the process's user + system time (`--single-threaded-gc`: no GC helper threads); bytes are
// the growth of the heap in use over the stream, with a young generation large enough (64 MB) that
// most streams are read without a collection; a stream read while a collection ran is read again.
// Without a collection the heap's growth is the bytes allocated, to the byte. The figures are
// medians over every pair of every process.
//
// Set-ups (each in its own process):
//   metrics      the default set-up: metrics only, no tracer provider, no context manager;
//   spans        spans recorded (batch span processor) and the AsyncLocalStorage context manager on,
//                which makes every promise of the process dearer;
// each with the two ways a stream's usage arrives:
//   app usage    the app asked for it (`stream_options.include_usage`): every chunk carries
//                `usage: null`, the last one the usage, and the app sees them all;
//   hook usage   the app did not ask, the hook did: the server's chunks carry `usage: null` that the
//                hook removes, and a usage chunk the hook hides; bare, the same app gets chunks
//                without `usage` and no usage chunk. The JSON parse of the field the hook caused is
//                part of what the hook costs.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine } from './overhead/machine.mjs';
import { median, medianInterval } from './overhead/stats.mjs';
import { ANSWER_PIECES, OPENAI_MODEL, MESSAGES } from './overhead/bodies.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3));
const REPS = Number(process.env.STREAM_BENCH_REPS ?? (QUICK ? 6 : 25));
const SHORT = 1_000;
const LONG = 5_000;
const BASELINE = process.env.STREAM_BENCH_BASELINE ? resolve(process.env.STREAM_BENCH_BASELINE) : undefined;
/** Long streams read by each arm before measuring: until the code of both is optimised and stays so. */
const WARM_UP_STREAMS = 20;
const CHILD_FLAGS = ['--single-threaded-gc', '--min-semi-space-size=64', '--max-semi-space-size=64'];

/** Issue 14: our own work per chunk. */
const TARGET_CPU_NS = 500;
const TARGET_BYTES = 0;
/** Heap growth per chunk read as none: the slope of two exact byte counts, within rounding. */
const BYTES_TOLERANCE = 0.5;

const TELEMETRY = {
  metrics: 'metrics only (default set-up)',
  spans: 'spans + AsyncLocalStorage context',
};
const USAGE = {
  app: 'app asks usage',
  hook: 'hook asks usage',
};

if (process.env.STREAM_BENCH_CHILD) await child(JSON.parse(process.env.STREAM_BENCH_CHILD));
else main();

function main() {
  const builds = BASELINE ? ['current', 'baseline'] : ['current'];
  const setups = [];
  const only = process.env.STREAM_BENCH_SETUPS?.split(',');
  for (const telemetry of Object.keys(TELEMETRY))
    for (const usage of Object.keys(USAGE))
      for (const build of builds) if (!only || only.includes(`${telemetry}/${usage}`)) setups.push({ telemetry, usage, build });
  const info = machine();
  console.log(`stream chunks: our work per chunk, ${SHORT.toLocaleString('en-US')} and ${LONG.toLocaleString('en-US')} chunks per stream`);
  console.log(`${info.node}, ${info.cpu}, load ${info.loadavg}; ${ROUNDS} round(s) × ${REPS} pairs per set-up`);

  const results = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Set-ups in an order rotated from round to round.
    for (let i = 0; i < setups.length; i++) {
      const setup = setups[(i + round) % setups.length];
      const r = spawnSync(process.execPath, [...CHILD_FLAGS, fileURLToPath(import.meta.url)], {
        cwd: here,
        env: { ...process.env, STREAM_BENCH_CHILD: JSON.stringify({ ...setup, reps: REPS, baseline: BASELINE }) },
        encoding: 'utf8',
        maxBuffer: 64 * 2 ** 20,
      });
      if (r.status !== 0) {
        process.stderr.write(r.stderr);
        throw new Error(`stream-chunk child ${JSON.stringify(setup)} failed (${r.signal ?? r.status})`);
      }
      const out = JSON.parse(r.stdout.trim().split('\n').pop());
      results.push({ round, ...setup, ...out });
      process.stderr.write(
        `  round ${round + 1}: ${setup.telemetry} × ${setup.usage} × ${setup.build}: ${fmt(median(out.pairs.map((p) => p.cpuNs)))} ns, ${fmt(median(out.pairs.map((p) => p.bytes)), 1)} B per chunk (load ${out.load})\n`,
      );
    }
  }
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ machine: info, results }, null, 2));

  console.log();
  console.log('Our work per chunk (median over every pair; interval of the median at 95 %); the floor is a pass-through');
  console.log('iterator with one `then` per chunk and nothing else, what any observer of the stream pays:');
  console.log();
  console.log(
    '| set-up | usage | build | CPU per chunk | interval | bytes per chunk | interval | floor: CPU, bytes per chunk | bare stream per chunk |',
  );
  console.log('|---|---|---|--:|--:|--:|--:|--:|--:|');
  const summary = [];
  for (const setup of setups) {
    const mine = results.filter((r) => r.telemetry === setup.telemetry && r.usage === setup.usage && r.build === setup.build);
    const pairs = mine.flatMap((r) => r.pairs);
    const cpu = median(pairs.map((p) => p.cpuNs));
    const bytes = median(pairs.map((p) => p.bytes));
    const cpuCi = medianInterval(pairs.map((p) => p.cpuNs));
    const bytesCi = medianInterval(pairs.map((p) => p.bytes));
    const bareNs = median(pairs.map((p) => p.bareNs));
    const floorCpu = median(pairs.map((p) => p.floorCpuNs));
    const floorBytes = median(pairs.map((p) => p.floorBytes));
    summary.push({ ...setup, cpu, bytes, floorCpu, floorBytes });
    console.log(
      `| ${TELEMETRY[setup.telemetry]} | ${USAGE[setup.usage]} | ${setup.build} | ${fmt(cpu)} ns | ${interval(cpuCi, 0)} ns | ${fmt(bytes, 1)} B | ${interval(bytesCi, 1)} B | ${fmt(floorCpu)} ns, ${fmt(floorBytes, 1)} B | ${fmt(bareNs)} ns |`,
    );
  }
  console.log();
  console.log(`Load average after the run: ${machine().loadavg}`);

  // Targets (issue 14): our work per chunk, the current build.
  let missed = false;
  const verdict = (ok) => {
    if (!ok) missed = true;
    return ok ? 'met' : 'missed';
  };
  console.log();
  console.log('| target | set-up | usage | measured | bound | verdict |');
  console.log('|---|---|---|--:|--:|:-:|');
  for (const s of summary.filter((x) => x.build === 'current')) {
    console.log(
      `| CPU per chunk < 0.5 µs | ${TELEMETRY[s.telemetry]} | ${USAGE[s.usage]} | ${fmt(s.cpu / 1000, 3)} µs (any observer's floor: ${fmt(s.floorCpu / 1000, 3)} µs) | 0.5 µs | ${verdict(s.cpu < TARGET_CPU_NS)} |`,
    );
    console.log(
      `| no allocation per chunk | ${TELEMETRY[s.telemetry]} | ${USAGE[s.usage]} | ${fmt(s.bytes, 1)} B (any observer's floor: ${fmt(s.floorBytes, 1)} B) | ${TARGET_BYTES} B | ${verdict(s.bytes <= TARGET_BYTES + BYTES_TOLERANCE)} |`,
    );
  }
  if (process.argv.includes('--strict') && missed) process.exitCode = 1;
}

function fmt(x, digits = 0) {
  return Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–';
}

function interval(ci, digits) {
  return ci ? `${fmt(ci.low, digits)} to ${fmt(ci.high, digits)}` : '– (fewer than 6 pairs)';
}

// ---------------------------------------------------------------------------------------------
// The measuring process.

async function child({ telemetry, usage, build, reps, baseline }) {
  const require = createRequire(import.meta.url);
  if (build === 'baseline') useBaselineBuild(require, baseline);
  let collections = 0;
  const { PerformanceObserver } = await import('node:perf_hooks');
  new PerformanceObserver((list) => {
    collections += list.getEntries().length;
  }).observe({ entryTypes: ['gc'] });

  const api = require('@opentelemetry/api');
  const { MeterProvider, MetricReader } = require('@opentelemetry/sdk-metrics');
  const { OpenAIInstrumentation } = require('@tokenomics/instrumentation');
  const { Stream } = require('openai/streaming');

  class CollectAtEndReader extends MetricReader {
    onForceFlush() {
      return Promise.resolve();
    }
    onShutdown() {
      return Promise.resolve();
    }
  }
  let spansExported = 0;
  const instrumentation = new OpenAIInstrumentation();
  const reader = new CollectAtEndReader();
  instrumentation.setMeterProvider(new MeterProvider({ readers: [reader] }));
  let tracerProvider;
  if (telemetry === 'spans') {
    const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
    const { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
    const exporter = {
      export(spans, done) {
        spansExported += spans.length;
        done({ code: 0 });
      },
      shutdown: () => Promise.resolve(),
      forceFlush: () => Promise.resolve(),
    };
    tracerProvider = new BasicTracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [new BatchSpanProcessor(exporter)] });
    api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    instrumentation.setTracerProvider(tracerProvider);
  }
  const recorder = instrumentation.callRecorder;

  const hookAsks = usage === 'hook';
  /** The body the app sent. */
  const body = hookAsks
    ? { model: OPENAI_MODEL, messages: MESSAGES, stream: true }
    : { model: OPENAI_MODEL, messages: MESSAGES, stream: true, stream_options: { include_usage: true } };
  const sent = chunkLines(LONG, true);
  const bareLines = {
    [SHORT]: hookAsks ? chunkLines(SHORT, false) : chunkLines(SHORT, true),
    [LONG]: hookAsks ? chunkLines(LONG, false) : sent,
  };
  const hookLines = { [SHORT]: chunkLines(SHORT, true), [LONG]: sent };

  /** A stream as the SDK makes it: an async generator parsing each chunk's JSON. */
  const streamOf = (lines) =>
    new Stream(async function* iterator() {
      for (let i = 0; i < lines.length; i++) yield JSON.parse(lines[i]);
    }, new AbortController());

  /**
   * The floor of any observer: the same stream passed through an iterator whose `next` returns the
   * inner promise's `then`, and does nothing else. Seeing a chunk before the app (and being able to
   * hide one) takes at least this: a promise and a reaction per chunk.
   */
  class PassThrough {
    constructor(inner) {
      this.inner = inner;
      this.pass = (result) => result;
    }
    next() {
      return this.inner.next().then(this.pass);
    }
    return(value) {
      return this.inner.return(value);
    }
    [Symbol.asyncIterator]() {
      return this;
    }
  }
  const floorStream = (lines) => {
    const stream = streamOf(lines);
    const iterator = stream.iterator;
    stream.iterator = () => new PassThrough(iterator());
    return stream;
  };

  /** The stream of a call the hook started, observed as the instrumentation observes it. */
  const observedStream = (lines) => {
    const call = recorder.start({
      provider: 'openai',
      operation: 'chat',
      requestModel: OPENAI_MODEL,
      serverAddress: 'api.openai.com',
      serverPort: 443,
      attributes: {},
      streaming: true,
    });
    if (call.hasSpanContext) call.run(() => undefined, undefined);
    const stream = streamOf(lines);
    instrumentation.observeStream('chat', call, body, hookAsks, stream);
    return stream;
  };

  // The app: reads each chunk's text, as a chat UI does. One copy per arm, so that the arms do not
  // share the type feedback of one loop.
  let text = 0;
  /** Chunks of the first streams, kept so that the shapes of chunks outlive every collection. */
  let kept;
  async function readBare(stream) {
    let seen = 0;
    for await (const chunk of stream) {
      seen++;
      kept?.push(chunk);
      const content = chunk.choices[0]?.delta?.content;
      if (content) text += content.length;
    }
    return seen;
  }
  async function readFloor(stream) {
    let seen = 0;
    for await (const chunk of stream) {
      seen++;
      kept?.push(chunk);
      const content = chunk.choices[0]?.delta?.content;
      if (content) text += content.length;
    }
    return seen;
  }
  async function readHooked(stream) {
    let seen = 0;
    for await (const chunk of stream) {
      seen++;
      kept?.push(chunk);
      const content = chunk.choices[0]?.delta?.content;
      if (content) text += content.length;
    }
    return seen;
  }

  /** CPU (ns) and heap growth (bytes) of reading one stream; undefined when a collection ran during it. */
  const ARMS = {
    bare: { open: (n) => streamOf(bareLines[n]), read: readBare },
    floor: { open: (n) => floorStream(bareLines[n]), read: readFloor },
    hook: { open: (n) => observedStream(hookLines[n]), read: readHooked },
  };
  async function measure(arm, n) {
    const stream = ARMS[arm].open(n);
    await gcEntriesDelivered();
    const before = collections;
    const heap0 = process.memoryUsage().heapUsed;
    const cpu0 = process.cpuUsage();
    const seen = await ARMS[arm].read(stream);
    const cpu = process.cpuUsage(cpu0);
    const heap1 = process.memoryUsage().heapUsed;
    await gcEntriesDelivered();
    // The app sees the usage chunk when it asked for it, and only then.
    const expected = hookAsks ? n : n + 1;
    if (seen !== expected) throw new Error(`the app saw ${seen} chunks of ${expected} (${arm})`);
    if (collections !== before) return undefined;
    return { cpuNs: (cpu.user + cpu.system) * 1000, bytes: heap1 - heap0 };
  }

  /** GC entries reach the observer two turns of the event loop after the collection. */
  async function gcEntriesDelivered() {
    for (let i = 0; i < 3; i++) await new Promise(setImmediate);
  }

  async function measured(arm, n) {
    for (let attempt = 0; attempt < 10; attempt++) {
      const m = await measure(arm, n);
      if (m) return m;
    }
    throw new Error('a garbage collection ran during every attempt');
  }

  // Warm-up: both arms, until optimised. The chunks of the first stream of each arm stay reachable:
  // when every object of a shape has died, a collection drops the shape, the next stream makes it
  // again and the code optimised for it is thrown away (in the app, chunks are as short-lived, but a
  // forced collection between streams would time that churn instead of our work).
  kept = [];
  for (const arm of Object.values(ARMS)) await arm.read(arm.open(SHORT));
  const shapes = kept;
  kept = undefined;
  for (let i = 0; i < WARM_UP_STREAMS; i++) for (const arm of Object.values(ARMS)) await arm.read(arm.open(LONG));
  const names = Object.keys(ARMS);
  const pairs = [];
  for (let rep = 0; rep < reps; rep++) {
    const r = {};
    // The arms in an order rotated from pair to pair, the two lengths in either order.
    const order = names.map((_, i) => names[(i + rep) % names.length]);
    for (const n of rep % 2 === 0 ? [SHORT, LONG] : [LONG, SHORT]) for (const arm of order) r[`${arm}${n}`] = await measured(arm, n);
    /** Per chunk: what `arm` adds to the bare stream, from the slope between the two lengths. */
    const slope = (arm, key) =>
      (r[`${arm}${LONG}`][key] - r[`bare${LONG}`][key] - (r[`${arm}${SHORT}`][key] - r[`bare${SHORT}`][key])) / (LONG - SHORT);
    const cpuNs = slope('hook', 'cpuNs');
    pairs.push({
      cpuNs,
      bytes: slope('hook', 'bytes'),
      floorCpuNs: slope('floor', 'cpuNs'),
      floorBytes: slope('floor', 'bytes'),
      bareNs: (r[`bare${LONG}`].cpuNs - r[`bare${SHORT}`].cpuNs) / (LONG - SHORT),
    });
  }
  if (tracerProvider) await tracerProvider.forceFlush();
  const { resourceMetrics } = await reader.collect();
  const points = resourceMetrics.scopeMetrics.reduce((n, s) => n + s.metrics.reduce((m, x) => m + x.dataPoints.length, 0), 0);
  // A hook that recorded nothing would look free.
  if (points === 0) throw new Error('the hook recorded no metrics');
  if (tracerProvider && spansExported === 0) throw new Error('the hook exported no spans');
  if (text === 0) throw new Error('the app read no text');
  if (shapes.length === 0) throw new Error('no chunk kept');
  process.stdout.write(`${JSON.stringify({ pairs, load: machine().loadavg, spansExported, metricPoints: points })}\n`);
}

/** Chunk lines of a stream with `n` chunks for the app, as OpenAI sends them. */
function chunkLines(n, withUsage) {
  const base = {
    id: 'chatcmpl-BenchS1b2C3d4E5f6G7h8I9j0K1l2',
    object: 'chat.completion.chunk',
    created: 1764300000,
    model: 'gpt-4o-mini-2024-07-18',
    service_tier: 'default',
    system_fingerprint: 'fp_560af6e559',
  };
  // OpenAI pads each chunk with an `obfuscation` field (after `usage`), a few characters long.
  const padding = (text) => 'Xq7bR2mK9pL4vN8s'.slice(0, Math.max(1, 16 - (text.length % 16)));
  const usageField = withUsage ? { usage: null } : {};
  const lines = [];
  for (let i = 0; i < n - 1; i++) {
    const piece = ANSWER_PIECES[i % ANSWER_PIECES.length];
    const delta = i === 0 ? { role: 'assistant', content: piece, refusal: null } : { content: piece };
    lines.push(
      JSON.stringify({
        ...base,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: null }],
        ...usageField,
        obfuscation: padding(piece),
      }),
    );
  }
  lines.push(
    JSON.stringify({
      ...base,
      choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }],
      ...usageField,
      obfuscation: padding(''),
    }),
  );
  if (withUsage) {
    lines.push(
      JSON.stringify({
        ...base,
        choices: [],
        usage: {
          prompt_tokens: 1184,
          completion_tokens: n,
          total_tokens: 1184 + n,
          prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
        },
        obfuscation: 'Xq7bR2',
      }),
    );
  }
  return lines;
}

/** Loads `@tokenomics/instrumentation` from an earlier build; what it requires resolves as from the package. */
function useBaselineBuild(require, dist) {
  const Module = require('node:module');
  const index = join(dist, 'index.js');
  const fromPackage = Module.createRequire(join(here, '..', 'packages', 'instrumentation', 'package.json'));
  const original = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, ...rest) {
    if (request === '@tokenomics/instrumentation') return index;
    try {
      return original.call(this, request, parent, ...rest);
    } catch (error) {
      if (parent?.filename?.startsWith(dist + sep)) return fromPackage.resolve(request);
      throw error;
    }
  };
}
