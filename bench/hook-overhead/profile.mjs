// Where the time goes under the hook: runs app.mjs under `node --cpu-prof` in one set-up and prints
// the top functions by self time (µs per call) and the time under each Tokenomics function.
//
//   node bench/hook-overhead/profile.mjs [bare|span|hook|hook-spans|otel|openllmetry|hook-baseline|hook-spans-baseline] [chat|chat-stream|chat-stream-no-usage] [calls]
//   PROFILE_OUT=run.cpuprofile ...   also keep the profile (for DevTools or a closer look), and the
//                                    timed window beside it (run.cpuprofile.window.json)
//
// Sampling at 50 µs inflates every figure; compare profiles with each other, not with the bench table.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP, APP_CWD, appSetup, run, where } from './setup.mjs';

const [setup = 'hook', scenario = 'chat', callsArg] = process.argv.slice(2);
const calls = Number(callsArg ?? (scenario === 'chat' ? 30000 : 6000));
const warmup = Math.round(calls / 10);
const dir = mkdtempSync(join(tmpdir(), 'tokenomics-hook-profile-'));
const { env, args: hook, close } = await appSetup(setup);
try {
  // Spawned asynchronously: this process answers the span sink while the app runs.
  const child = await run(
    process.execPath,
    ['--expose-gc', '--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=50', ...hook, APP, scenario, warmup, calls],
    { cwd: APP_CWD, env },
  );
  if (child.status !== 0) throw new Error(child.stderr);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const result = JSON.parse(child.stdout.trim().split('\n').pop());
  if (process.env.PROFILE_OUT) {
    copyFileSync(join(dir, file), process.env.PROFILE_OUT);
    // The timed window (monotonic µs, the profile's clock), to count only the timed calls later.
    writeFileSync(`${process.env.PROFILE_OUT}.window.json`, JSON.stringify({ from: result.timedFromUs, to: result.timedToUs, calls }));
  }
  summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')), calls, result);
} finally {
  close();
  rmSync(dir, { recursive: true, force: true });
}

function summarise(p, n, result) {
  // Only the samples taken during the timed calls (start-up, module loading and warm-up left out).
  const inWindow = new Array(p.samples.length);
  let ts = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    ts += p.timeDeltas[i] ?? 0;
    inWindow[i] = ts >= result.timedFromUs && ts <= result.timedToUs;
  }
  const byId = new Map(p.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of p.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const self = new Map();
  const under = new Map();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    if (!inWindow[i]) continue;
    const id = p.samples[i];
    const t = p.timeDeltas[i] ?? 0;
    total += t;
    const key = where(byId.get(id).callFrame);
    self.set(key, (self.get(key) ?? 0) + t);
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur).callFrame;
      if (!cf.url.includes('/packages/instrumentation/') && !cf.url.includes('/packages/pricing/')) continue;
      const k = where(cf);
      if (seen.has(k)) continue;
      seen.add(k);
      under.set(k, (under.get(k) ?? 0) + t);
    }
  }
  // Self time by owner of the function the sample landed in.
  const owners = new Map();
  for (let i = 0; i < p.samples.length; i++) {
    if (!inWindow[i]) continue;
    const cf = byId.get(p.samples[i]).callFrame;
    const url = cf.url;
    const o = url.includes('/packages/instrumentation/')
      ? 'Tokenomics instrumentation'
      : url.includes('/packages/pricing/')
        ? 'Tokenomics pricing'
        : url.includes('/packages/')
          ? 'Tokenomics, other packages'
          : url.includes('sdk-metrics') || url.includes('exporter-prometheus')
            ? 'OpenTelemetry metrics SDK'
            : url.includes('sdk-trace') || url.includes('exporter-trace') || url.includes('otlp')
              ? 'OpenTelemetry trace SDK and OTLP export'
              : url.includes('@opentelemetry/') || url.includes('@traceloop/')
                ? 'OpenTelemetry API, context, instrumentation'
                : url.includes('/openai/')
                  ? 'client library'
                  : url.startsWith('node:')
                    ? 'Node.js internals'
                    : url.includes('/bench/')
                      ? 'the app'
                      : cf.functionName === '(garbage collector)'
                        ? 'garbage collector'
                        : cf.functionName === '(idle)'
                          ? 'idle'
                          : 'V8 runtime and builtins';
    owners.set(o, (owners.get(o) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const us = (t) => (t / n).toFixed(2).padStart(8);
  console.log(`${setup} × ${scenario}: ${n} timed calls (after ${warmup} warm-up calls), profiled CPU ${us(total).trim()} µs per call`);
  console.log('\nself time by owner (µs per call):');
  for (const [k, t] of [...owners].sort((a, b) => b[1] - a[1])) console.log(`${us(t)}  ${k}`);
  console.log('\ntop self time (µs per call):');
  for (const [k, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${us(t)}  ${k}`);
  console.log('\nTokenomics and pricing functions, with everything they call (µs per call):');
  for (const [k, t] of [...under].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${us(t)}  ${k}`);
}
