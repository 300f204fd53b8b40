// What the instrumentation adds to a call when calls are far apart, against calls made back to
// back. A service rarely makes LLM calls in a tight loop: between two of them it does its own work,
// and the instrumentation's code and data are no longer in the CPU's caches when the next call ends.
// The hook benchmarks make calls back to back, so they measure the warm case only.
//
//   node bench/spaced-calls.bench.mjs             (after `tsc -b`; or `pnpm bench` for every benchmark)
//   BENCH_QUICK=1 node bench/spaced-calls.bench.mjs     fast smoke run
//   BENCH_ROUNDS=7 node bench/spaced-calls.bench.mjs    more processes per mode
//   SPACED_BENCH_BATCH=500 ...                          calls per batch (default 50; the same calls in all)
//
// Each process measures one mode, in one process so that the spread between processes cancels: the
// real `openai` client with the benchmark's in-process `fetch` (no sockets), plain chat calls, and
// the real OpenAIInstrumentation in the hook's default set-up (metrics only, on the hook's own
// metric aggregation, no tracer provider), switched on and off in alternating batches of calls.
// CPU per call is the process's user + system time over the call alone. Modes:
//   back-to-back   one call after another;
//   spaced         before each call, about a millisecond of unrelated work: a pass over 32 MB and
//                  some JSON, which evicts what the call left in the caches.
// Prints, per mode, the medians of the calls with the instrumentation on and off and their
// difference, and the median over the processes of that difference.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { MESSAGES, OPENAI_MODEL, openaiChatJSON } from './overhead/bodies.mjs';
import { machine } from './overhead/machine.mjs';
import { median } from './overhead/stats.mjs';

const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 5));
const BATCH = Number(process.env.SPACED_BENCH_BATCH ?? 50);
const BATCHES = Math.max(2, Math.round((QUICK ? 500 : 2000) / BATCH));
const WARM_UP = 2000;
const MODES = ['back-to-back', 'spaced'];

if (process.env.SPACED_BENCH_CHILD) await child(process.env.SPACED_BENCH_CHILD);
else main();

function main() {
  const info = machine();
  console.log(`spaced calls: ${BATCHES} batches of ${BATCH} calls on and off per process, ${ROUNDS} round(s)`);
  console.log(`${info.node}, ${info.cpu}, load ${info.loadavg}`);
  const results = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < MODES.length; i++) {
      const mode = MODES[(i + round) % MODES.length];
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
        env: { ...process.env, SPACED_BENCH_CHILD: mode },
        encoding: 'utf8',
      });
      if (r.status !== 0) {
        process.stderr.write(r.stderr);
        throw new Error(`spaced-calls child ${mode} failed (${r.signal ?? r.status})`);
      }
      const out = JSON.parse(r.stdout.trim().split('\n').pop());
      results.push({ round, mode, ...out });
      process.stderr.write(`  round ${round + 1}: ${mode}: on ${out.onUs} µs, off ${out.offUs} µs, added ${out.onUs - out.offUs} µs\n`);
    }
  }
  console.log();
  console.log('| mode | CPU per call, instrumentation off | on | added | added, each process |');
  console.log('|---|--:|--:|--:|---|');
  for (const mode of MODES) {
    const mine = results.filter((r) => r.mode === mode);
    const added = mine.map((r) => r.onUs - r.offUs);
    console.log(
      `| ${mode} | ${median(mine.map((r) => r.offUs))} µs | ${median(mine.map((r) => r.onUs))} µs | ${median(added)} µs | ${added.join(', ')} |`,
    );
  }
  console.log();
  console.log(`Load average after the run: ${machine().loadavg}`);
}

async function child(mode) {
  const require = createRequire(import.meta.url);
  const { OpenAIInstrumentation, CallMetrics, attachCallMetrics } = require('@tokenomics/instrumentation');
  const { MeterProvider } = require('@opentelemetry/sdk-metrics');
  const callMetrics = new CallMetrics();
  // What a reader of the hook's is handed of the call metrics, cumulative (1).
  const view = callMetrics.reader(() => 1);
  const meterProvider = new MeterProvider();
  // The hook's own aggregation, as `@tokenomics/node` attaches it to the provider it builds.
  attachCallMetrics(meterProvider, callMetrics);
  const instrumentation = new OpenAIInstrumentation();
  instrumentation.setMeterProvider(meterProvider);
  instrumentation.enable();

  const { OpenAI } = require('openai');
  const json = openaiChatJSON();
  const headers = { 'content-type': 'application/json', 'x-request-id': 'req_bench0123456789abcdef' };
  const fetchStub = async () => {
    await new Promise(setImmediate);
    return new Response(json, { status: 200, headers });
  };
  const client = new OpenAI({ apiKey: 'sk-bench', baseURL: 'https://api.openai.com/v1', fetch: fetchStub, maxRetries: 0 });
  const call = async () => {
    const r = await client.chat.completions.create({ model: OPENAI_MODEL, messages: MESSAGES, max_tokens: 200, temperature: 0.2 });
    if (r.usage?.completion_tokens !== 50) throw new Error('the app received a completion without its usage');
  };

  const memory = new Float64Array(4 * 2 ** 20);
  const doc = {
    items: Array.from({ length: 2000 }, (_, i) => ({ id: i, name: `item-${i}`, tags: ['a', 'b', String(i)], price: i * 1.5 })),
  };
  let kept = 0;
  const unrelatedWork = () => {
    // One write per 64-byte line, then some JSON: what a service does between two of its calls.
    for (let i = 0; i < memory.length; i += 8) memory[i] += 1;
    kept += JSON.stringify(doc).length + JSON.parse(JSON.stringify(doc.items.slice(0, 500))).length;
  };
  const spaced = mode === 'spaced';

  for (let i = 0; i < WARM_UP; i++) {
    if (spaced && i % 10 === 0) unrelatedWork();
    await call();
  }
  const times = { on: [], off: [] };
  for (let b = 0; b < BATCHES; b++) {
    for (const state of b % 2 ? ['on', 'off'] : ['off', 'on']) {
      if (state === 'on') instrumentation.enable();
      else instrumentation.disable();
      for (let i = 0; i < BATCH; i++) {
        if (spaced) unrelatedWork();
        const cpu0 = process.cpuUsage();
        await call();
        const cpu = process.cpuUsage(cpu0);
        times[state].push(cpu.user + cpu.system);
      }
    }
  }
  instrumentation.enable();
  const recorded = view
    .collect()
    .flatMap((s) => s.metrics)
    .filter((m) => m.descriptor.name === 'gen_ai.client.operation.duration')
    .reduce((n, m) => n + m.dataPoints.reduce((k, p) => k + p.value.count, 0), 0);
  // Every call made while the instrumentation was on, warm-up included, and none of the others.
  const expected = WARM_UP + times.on.length;
  if (recorded !== expected) throw new Error(`the instrumentation recorded ${recorded} calls, not ${expected}`);
  console.log(JSON.stringify({ onUs: median(times.on), offUs: median(times.off), kept: kept > 0 }));
  process.exit(0);
}
