// What the hook costs before the app makes a call: heap, RSS and start-up time.
//
//   node bench/hook-footprint.bench.mjs
//   FOOTPRINT_RUNS=9 node bench/hook-footprint.bench.mjs       runs per figure (default 5)
//   FOOTPRINT_BASELINE_CWD=<dir> ...   also run the hook set-ups from <dir>: the test/ directory of an
//                earlier build, whose @tokenomics/node is the baseline (same runs, alternating)
//
// Heap: heap after two full collections (`--expose-gc`) of a process that loads the openai client
// (bare), plus @opentelemetry/sdk-node (what NodeSDK alone loads, for reference), through the hook's
// default set-up (Prometheus endpoint, no trace exporter) and with spans exported over OTLP, and
// after pricing one OpenAI and one Anthropic model. Start-up: `node -e` with and without
// `--require @tokenomics/node/register`, CPU time of the whole process (user + system) and RSS at
// exit; set-ups alternate within each run, medians reported. Processes start from test/, where an
// app would depend on @tokenomics/node.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine } from './overhead/machine.mjs';
import { median } from './overhead/stats.mjs';
import { freePort } from './overhead/free-port.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const CWD = join(here, '..', 'test');
const STAGE = join(here, 'hook-footprint', 'stage.cjs');
const RUNS = Number(process.env.FOOTPRINT_RUNS ?? 5);
const HOOK = ['--require', '@tokenomics/node/register'];
const BASELINE_CWD = process.env.FOOTPRINT_BASELINE_CWD;

async function run(args, extraEnv = {}, cwd = CWD) {
  const env = { ...process.env };
  for (const key of Object.keys(env))
    if (key.startsWith('OTEL_') || key.startsWith('TOKENOMICS_') || key === 'NODE_OPTIONS') delete env[key];
  Object.assign(env, { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) }, extraEnv);
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const [code] = await once(child, 'close');
  const line = out.trim().split('\n').pop();
  if (code !== 0 || !line) throw new Error(`${args.join(' ')} exited with ${code}\n${err.trim()}`);
  return JSON.parse(line);
}

// An OTLP endpoint nobody listens on: spans are exported (and dropped) after the measurement.
const SPANS = { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/v1/traces' };
const HEAP_SET_UPS = {
  bare: { label: 'openai client, no OpenTelemetry', args: ['--expose-gc', STAGE, 'bare'] },
  'sdk-node': { label: '+ require @opentelemetry/sdk-node (reference)', args: ['--expose-gc', STAGE, 'sdk-node'] },
  hook: { label: 'hook, default set-up (Prometheus, no trace exporter)', args: ['--expose-gc', ...HOOK, STAGE, 'hook'] },
  'hook-priced': { label: 'hook, default set-up, OpenAI and Anthropic models priced', args: ['--expose-gc', ...HOOK, STAGE, 'priced'] },
  'hook-spans': { label: 'hook, spans exported over OTLP', args: ['--expose-gc', ...HOOK, STAGE, 'hook'], env: SPANS },
};
if (BASELINE_CWD) {
  for (const name of ['hook', 'hook-priced', 'hook-spans']) {
    const s = HEAP_SET_UPS[name];
    HEAP_SET_UPS[`${name}-baseline`] = { ...s, label: `${s.label}, baseline`, cwd: BASELINE_CWD };
  }
}
const EXIT_REPORT =
  "process.on('exit',()=>{const c=process.cpuUsage();process.stdout.write(JSON.stringify({cpuUs:c.user+c.system,rssBytes:process.memoryUsage.rss()})+'\\n')})";
const START_SET_UPS = {
  'node -e': { args: ['-e', EXIT_REPORT] },
  'node --require hook -e': { args: [...HOOK, '-e', EXIT_REPORT] },
  ...(BASELINE_CWD && { 'node --require hook -e, baseline': { args: [...HOOK, '-e', EXIT_REPORT], cwd: BASELINE_CWD } }),
};

const before = machine();
console.log(`# hook footprint: ${RUNS} run(s), node ${before.node}, ${before.cpu}, load ${before.loadavg}`);
const heap = Object.fromEntries(Object.keys(HEAP_SET_UPS).map((k) => [k, []]));
const startUp = Object.fromEntries(Object.keys(START_SET_UPS).map((k) => [k, []]));
for (let i = 0; i < RUNS; i++) {
  for (const [name, s] of Object.entries(HEAP_SET_UPS)) heap[name].push(await run(s.args, s.env, s.cwd));
  for (const [name, s] of Object.entries(START_SET_UPS)) startUp[name].push(await run(s.args, {}, s.cwd));
}
const after = machine();
const mb = (bytes) => (bytes / 2 ** 20).toFixed(2);
const bareHeap = median(heap.bare.map((r) => r.heapBytes));
console.log('\n| set-up | heap after GC MB | vs bare MB | RSS MB | files loaded | packages |');
console.log('|---|--:|--:|--:|--:|--:|');
for (const [name, s] of Object.entries(HEAP_SET_UPS)) {
  const rs = heap[name];
  const h = median(rs.map((r) => r.heapBytes));
  console.log(
    `| ${s.label} | ${mb(h)} | ${name === 'bare' ? '' : `+${mb(h - bareHeap)}`} | ${mb(median(rs.map((r) => r.rssBytes)))} | ${median(rs.map((r) => r.files))} | ${median(rs.map((r) => r.packages))} |`,
  );
}
console.log('\n| start-up | CPU ms (median) | RSS at exit MB |');
console.log('|---|--:|--:|');
for (const name of Object.keys(START_SET_UPS)) {
  const rs = startUp[name];
  console.log(`| \`${name}\` | ${(median(rs.map((r) => r.cpuUs)) / 1000).toFixed(1)} | ${mb(median(rs.map((r) => r.rssBytes)))} |`);
}
console.log(`\nLoad average before / after: ${before.loadavg} / ${after.loadavg}.`);
