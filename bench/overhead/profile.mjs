// Where the time of one configuration goes: runs a worker under `node --cpu-prof` and prints CPU
// per call by owner (the Tokenomics function on the stack nearest to the sample, else the
// client library, Node.js internals or the garbage collector).
//
//   node bench/overhead/profile.mjs [configuration] [scenario] [calls]
//   node bench/overhead/profile.mjs tokenomics chat 30000
//
// Sampling at 50 µs makes every figure larger than in an unprofiled run; compare them with each
// other (or with another build through BENCH_TOKENOMICS_DIST), not with the benchmark table.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWorker } from './run-worker.mjs';

const [config = 'tokenomics', scenario = 'chat', callsArg] = process.argv.slice(2);
const calls = Number(callsArg ?? (scenario.endsWith('-stream') ? 6000 : 30000));
const warmup = Math.round(calls / 10);
const dir = mkdtempSync(join(tmpdir(), 'tokenomics-profile-'));
try {
  const r = await runWorker([config, scenario, warmup, calls], {
    nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=50'],
  });
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  summarise(profile, warmup + calls, r);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function owner(url) {
  if (url.includes('/packages/instrumentation/') || url.includes('@tokenomics/instrumentation')) return 'tokenomics';
  if (url.includes('/packages/pricing/')) return 'pricing';
  if (url.includes('sdk-metrics')) return 'OpenTelemetry metrics SDK';
  if (url.includes('sdk-trace')) return 'OpenTelemetry trace SDK';
  if (url.includes('@opentelemetry/') || url.includes('@traceloop/')) return 'OpenTelemetry API, context, instrumentations';
  if (url.includes('/openai/') || url.includes('@anthropic-ai/')) return 'client library';
  if (url.startsWith('node:')) return 'Node.js internals (fetch, streams, async hooks)';
  return url ? 'other' : undefined;
}

function summarise(p, n, result) {
  const byId = new Map(p.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of p.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const time = new Map();
  for (let i = 0; i < p.samples.length; i++) time.set(p.samples[i], (time.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const byOwner = new Map();
  const byFunction = new Map();
  let total = 0;
  for (const [id, t] of time) {
    total += t;
    const leaf = byId.get(id).callFrame;
    let key =
      owner(leaf.url) ??
      (leaf.functionName === '(garbage collector)'
        ? 'garbage collector'
        : leaf.functionName === '(idle)'
          ? 'idle'
          : 'V8 runtime and builtins');
    // Charge library and SDK work to the Tokenomics function that called it, if any.
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur).callFrame;
      const o = owner(cf.url);
      if (o === 'client library') break;
      if (o === 'tokenomics') {
        const fn = `${cf.functionName || '(anonymous)'} (${cf.url.replace(/.*\/(src|dist)\//, '')}:${cf.lineNumber + 1})`;
        byFunction.set(fn, (byFunction.get(fn) ?? 0) + t);
        key = 'tokenomics (with the SDK and pricing work it calls)';
        break;
      }
    }
    byOwner.set(key, (byOwner.get(key) ?? 0) + t);
  }
  const us = (t) => (t / n).toFixed(1).padStart(7);
  console.log(
    `${config} × ${scenario}: ${n} calls, profiled CPU ${us(total).trim()} µs per call (p50 ${result.p50Us.toFixed(1)} µs under the profiler)`,
  );
  console.log('\nby owner (µs per call):');
  for (const [k, t] of [...byOwner].sort((a, b) => b[1] - a[1])) console.log(`${us(t)}  ${k}`);
  if (byFunction.size) {
    console.log('\nTokenomics functions, with what they call (µs per call, top 12):');
    for (const [k, t] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`${us(t)}  ${k}`);
  }
}
