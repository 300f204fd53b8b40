// What entering a context costs a metrics-only process: the calls of a client in the hook's default
// set-up (metrics only, no tracer provider, the AsyncLocalStorage context manager registered),
// against the same app with the app itself entering one context first, which is what each call of
// these clients did before they ran in the app's own context. Once a context has been entered, the
// context manager tracks every promise of the process: each is larger and slower to make.
//
//   node bench/context-entry.bench.mjs             (after `tsc -b`; or `pnpm bench` for every benchmark)
//   BENCH_QUICK=1 node bench/context-entry.bench.mjs                       fast smoke run
//   BENCH_ROUNDS=7 node bench/context-entry.bench.mjs                      more processes per set-up
//   HOOK_BENCH_BASELINE=<copy of packages/instrumentation/dist> ...       also the earlier build
//   CONTEXT_BENCH_CLIENTS=bedrock ...                                     only these clients
//   CONTEXT_BENCH_SETUPS=bare,hook-otlp-metrics ...                       only these set-ups
//
// Clients: `bedrock` (Bedrock InvokeModel of a Mistral model, billed from its response headers),
// `ai-sdk` (ai 5 `generateText` through its OpenAI provider), `ai-sdk-telemetry` (the same with
// `experimental_telemetry` on, so that the SDK starts its own active spans through the API) and
// `langchain` (a LangChain.js chain of a prompt, `ChatOpenAI` and a string parser, streamed), to
// the emulator in this process.
// Set-ups, each in its own process per round: `bare` (no hook), `hook` (the default set-up),
// `hook-otlp-metrics` (the same with the metrics also pushed over OTLP every 200 ms),
// `hook+context` (the default set-up, the app having entered one context), and `hook-baseline`
// with HOOK_BENCH_BASELINE. Each process makes warm-up calls, then timed calls: the bytes a call
// allocates (the growth of the heap over the call, with a young generation of 64 MB so that most
// calls run without a collection; calls during one are left out) and its CPU time (user + system);
// then the bytes of one promise with a reaction, which tells whether the context manager is
// tracking promises. Medians over every call of every process, with the interval of the median.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appSetup, APP_CWD, run } from './hook-overhead/setup.mjs';
import { machine } from './overhead/machine.mjs';
import { median } from './overhead/stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const APP = join(here, 'context-entry', 'app.mjs');
const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3));
const WARM = QUICK ? 50 : 300;
const TIMED = QUICK ? 100 : 500;
const CLIENTS = process.env.CONTEXT_BENCH_CLIENTS?.split(',') ?? ['bedrock', 'ai-sdk', 'ai-sdk-telemetry', 'langchain'];
const SETUPS = process.env.CONTEXT_BENCH_SETUPS?.split(',') ?? [
  'bare',
  'hook',
  'hook-otlp-metrics',
  'hook+context',
  ...(process.env.HOOK_BENCH_BASELINE ? ['hook-baseline'] : []),
];
const CHILD_FLAGS = ['--min-semi-space-size=64', '--max-semi-space-size=64'];

const { startEmulator } = createRequire(join(APP_CWD, 'package.json'))('@tokenomics/emulator');

const emulator = await startEmulator({ port: 0 });
const info = machine();
console.log(`context entry: ${CLIENTS.join(', ')}; ${WARM} warm-up and ${TIMED} timed calls per process, ${ROUNDS} round(s)`);
console.log(`${info.node}, ${info.cpu}, load ${info.loadavg}`);
const results = [];
let failed = false;
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const client of CLIENTS) {
      for (let i = 0; i < SETUPS.length; i++) {
        const setup = SETUPS[(i + round) % SETUPS.length];
        const { env, args, close } = await appSetup(setup === 'hook+context' ? 'hook' : setup);
        env.CONTEXT_BENCH_BEDROCK = emulator.bedrockEndpoint;
        env.CONTEXT_BENCH_OPENAI = emulator.openaiBaseURL;
        env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
        if (setup === 'hook+context') env.CONTEXT_BENCH_ENTER = '1';
        try {
          const r = await run(process.execPath, [...CHILD_FLAGS, ...args, APP, client, String(WARM), String(TIMED)], { cwd: APP_CWD, env });
          const line = r.stdout.trim().split('\n').pop();
          if (r.status !== 0 || !line) throw new Error(`${client} × ${setup} exited with ${r.status}\n${r.stderr.trim()}`);
          const out = JSON.parse(line);
          // A hook set-up whose endpoint counted none of the calls measured nothing of ours.
          if (setup !== 'bare' && !(out.recorded >= WARM + TIMED)) {
            failed = true;
            console.error(`${client} × ${setup}: the hook recorded ${out.recorded} of ${WARM + TIMED} calls`);
          }
          results.push({ round, client, setup, ...out });
          process.stderr.write(
            `  round ${round + 1}: ${client} × ${setup}: ${out.bytesPerCall} B, ${out.cpuUsPerCall} µs per call; ${out.promiseBytes.toFixed(1)} B per promise\n`,
          );
        } finally {
          close();
        }
      }
      emulator.requests.length = 0;
    }
  }
} finally {
  await emulator.close();
}

console.log();
console.log('| client | set-up | bytes per call | added | CPU µs per call | added | bytes per promise after the calls |');
console.log('|---|---|--:|--:|--:|--:|--:|');
for (const client of CLIENTS) {
  const of = (setup) => results.filter((r) => r.client === client && r.setup === setup);
  const bare = of('bare');
  const bareBytes = median(bare.map((r) => r.bytesPerCall));
  const bareCpu = median(bare.map((r) => r.cpuUsPerCall));
  for (const setup of SETUPS) {
    const mine = of(setup);
    const bytes = median(mine.map((r) => r.bytesPerCall));
    const cpu = median(mine.map((r) => r.cpuUsPerCall));
    const added = (x, base) => (setup === 'bare' ? '–' : fmt(x - base));
    console.log(
      `| ${client} | ${setup} | ${fmt(bytes)} | ${added(bytes, bareBytes)} | ${fmt(cpu)} | ${added(cpu, bareCpu)} | ${fmt(median(mine.map((r) => r.promiseBytes)), 1)} |`,
    );
  }
}
console.log();
console.log("Medians of the processes' medians. Bytes per promise: a promise and its reaction, made after the");
console.log('calls; larger once the context manager tracks promises (a context was entered in the process).');
if (failed) process.exitCode = 1;

function fmt(x, digits = 0) {
  return Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–';
}
