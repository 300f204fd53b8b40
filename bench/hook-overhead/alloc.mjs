// What a call allocates under the hook: runs app.mjs in one set-up under V8's sampling heap profiler
// (objects already collected by minor and major GC counted too, so short-lived garbage shows) and
// prints the bytes allocated per timed call in total, by owner and by function (top 30).
//
//   node bench/hook-overhead/alloc.mjs [bare|span|hook|hook-spans] [chat|chat-stream|chat-stream-no-usage] [calls]
//   HOOK_BENCH_BASELINE=bench/dist/hook-baseline/dist ... hook-baseline|hook-spans-baseline ...
//                                the hook with an earlier build of @tokenomics/instrumentation
//   ALLOC_INTERVAL=64 ...        sampling interval in bytes (default 64: close to every object)
//   ALLOC_OUT=run.heapprofile ...   also keep the profile (for DevTools or a closer look)
//
// The same file is the app's preload (`--import`, with ALLOC_PRELOAD_OUT set): the profiler runs
// inside the app process, starts when the app takes its first CPU reading (just before the timed
// calls, after warm-up and a full collection) and stops at its second (just after them), so only the
// timed calls are counted. Sampling is statistical: compare set-ups and builds with each other, with
// a few thousand calls each (two runs of the same set-up differ by about 100 bytes per call). An
// allocation is counted where V8 made it: in optimised code, a function inlined into its caller
// allocates as the caller, so read the owners and the Tokenomics view before single functions.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP, APP_CWD, appSetup, run, where } from './setup.mjs';

if (process.env.ALLOC_PRELOAD_OUT) preload(process.env.ALLOC_PRELOAD_OUT);
else await main();

/** In the app: sample allocations between the app's two CPU readings around its timed calls. */
async function preload(out) {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  // A session on the app's own thread answers synchronously.
  const post = (method, params) => {
    let answer;
    session.post(method, params, (err, result) => {
      if (err) throw err;
      answer = result;
    });
    return answer;
  };
  post('HeapProfiler.enable');
  const cpuUsage = process.cpuUsage;
  let state = 'before';
  process.cpuUsage = function (previous) {
    if (state === 'before' && previous === undefined) {
      state = 'sampling';
      post('HeapProfiler.startSampling', {
        samplingInterval: Number(process.env.ALLOC_INTERVAL ?? 64),
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    } else if (state === 'sampling' && previous !== undefined) {
      state = 'done';
      const { profile } = post('HeapProfiler.stopSampling');
      writeFileSync(out, JSON.stringify(profile));
    }
    return cpuUsage.call(process, previous);
  };
}

async function main() {
  const [setup = 'hook-spans', scenario = 'chat', callsArg] = process.argv.slice(2);
  const calls = Number(callsArg ?? (scenario === 'chat' ? 5000 : 1000));
  const warmup = Math.max(200, Math.round(calls / 5));
  const dir = mkdtempSync(join(tmpdir(), 'tokenomics-hook-alloc-'));
  const file = join(dir, 'run.heapprofile');
  const { env, args: hook, close } = await appSetup(setup);
  delete env.ALLOC_OUT;
  env.ALLOC_PRELOAD_OUT = file;
  try {
    // Spawned asynchronously: this process answers the span sink while the app runs.
    const child = await run(
      process.execPath,
      ['--expose-gc', ...hook, '--import', fileURLToPath(import.meta.url), APP, scenario, warmup, calls],
      { cwd: APP_CWD, env },
    );
    if (child.status !== 0) throw new Error(child.stderr);
    if (process.env.ALLOC_OUT) copyFileSync(file, process.env.ALLOC_OUT);
    summarise(JSON.parse(readFileSync(file, 'utf8')), setup, scenario, calls);
  } finally {
    close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function ownerOf(url) {
  if (url.includes('/packages/instrumentation/') || url.includes('/hook-baseline/')) return 'Tokenomics instrumentation';
  if (url.includes('/packages/pricing/')) return 'Tokenomics pricing';
  if (url.includes('/packages/')) return 'Tokenomics, other packages';
  if (url.includes('sdk-metrics') || url.includes('exporter-prometheus')) return 'OpenTelemetry metrics SDK';
  if (url.includes('sdk-trace') || url.includes('exporter-trace') || url.includes('otlp')) return 'OpenTelemetry trace SDK and OTLP export';
  if (url.includes('@opentelemetry/')) return 'OpenTelemetry API, context, instrumentation';
  if (url.includes('/openai/')) return 'client library';
  if (url.startsWith('node:')) return 'Node.js internals';
  if (url.includes('/bench/')) return 'the app';
  return 'V8 runtime and other';
}

function summarise(profile, setup, scenario, n) {
  const self = new Map();
  const owners = new Map();
  const under = new Map();
  let total = 0;
  // A frame without a script (a builtin, the runtime) is counted as its nearest caller's owner.
  const walk = (node, ownerUrl, path) => {
    const cf = node.callFrame;
    const url = cf.url || ownerUrl;
    const key = where(cf);
    const size = node.selfSize;
    if (size > 0) {
      total += size;
      self.set(key, (self.get(key) ?? 0) + size);
      const o = ownerOf(url);
      owners.set(o, (owners.get(o) ?? 0) + size);
      for (const k of new Set(path)) under.set(k, (under.get(k) ?? 0) + size);
    }
    const tk = cf.url.includes('/packages/') ? [...path, key] : path;
    for (const child of node.children ?? []) walk(child, url, tk);
  };
  walk(profile.head, '', []);
  const b = (x) =>
    Math.round(x / n)
      .toString()
      .padStart(7);
  console.log(`${setup} × ${scenario}: ${n} timed calls, ${b(total).trim()} bytes allocated per call (sampled)`);
  console.log('\nbytes per call by owner (of the allocating function; a builtin counts as its caller):');
  for (const [k, t] of [...owners].sort((a, c) => c[1] - a[1])) console.log(`${b(t)}  ${k}`);
  console.log('\ntop allocating functions (bytes per call):');
  for (const [k, t] of [...self].sort((a, c) => c[1] - a[1]).slice(0, 30)) console.log(`${b(t)}  ${k}`);
  console.log('\nTokenomics functions, with everything they call (bytes per call):');
  for (const [k, t] of [...under].sort((a, c) => c[1] - a[1]).slice(0, 30)) console.log(`${b(t)}  ${k}`);
}
