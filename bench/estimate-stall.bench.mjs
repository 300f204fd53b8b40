// Event-loop delay of the first usage estimate: an app that breaks out of a streamed chat call
// (whose usage must then be estimated), with and without the Tokenomics OpenAI instrumentation
// (`billed`: instrumented, but the stream carries usage, so nothing is estimated; `sync`: the
// same estimate counted on the app's thread with the synchronous API, as it was before).
// Estimates are counted in a worker thread; the app's thread must not stall while tiktoken loads.
//
//   node bench/estimate-stall.bench.mjs        (after `tsc -b`; or `pnpm bench` for every benchmark)
//   BENCH_ROUNDS=9 node bench/estimate-stall.bench.mjs
//
// Each round runs one fresh process per configuration (estimate-stall/app.mjs), in an order
// rotated from round to round. "max delay" is the largest event-loop delay from just before the
// call until the estimate is recorded (monitorEventLoopDelay, 1 ms resolution); the table shows the
// median and the worst over rounds, and the median of per-round differences from the bare app.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine } from './overhead/machine.mjs';
import { median } from './overhead/stats.mjs';

const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 3 : 9));
const APP = join(dirname(fileURLToPath(import.meta.url)), 'estimate-stall', 'app.mjs');
const CONFIGS = ['bare', 'billed', 'tokenomics', 'sync'];
/** Largest added delay of the first estimate we accept, in ms (issue #10's target). */
const TARGET_ADDED_MS = 20;

function runApp(config) {
  const r = spawnSync(process.execPath, ['--expose-gc', APP, config], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${config}: exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

const before = machine();
console.log(`# estimate-stall: ${ROUNDS} round(s), node ${before.node}, ${before.cpu}, load ${before.loadavg}`);
const results = { bare: [], billed: [], tokenomics: [], sync: [] };
const added = [];
let sample;
for (let round = 0; round < ROUNDS; round++) {
  const order = CONFIGS.map((_, i) => CONFIGS[(i + round) % CONFIGS.length]);
  const got = {};
  for (const config of order) {
    got[config] = runApp(config);
    results[config].push(got[config]);
    process.stderr.write(
      `  round ${round + 1}/${ROUNDS} ${config.padEnd(11)} max delay ${got[config].maxDelayMs.toFixed(1).padStart(7)} ms\n`,
    );
  }
  added.push(got.tokenomics.maxDelayMs - got.bare.maxDelayMs);
  sample = got.tokenomics;
}

const row = (config) => {
  const max = results[config].map((r) => r.maxDelayMs);
  const call = results[config].map((r) => r.callMs);
  return `| ${config} | ${median(max).toFixed(1)} | ${Math.max(...max).toFixed(1)} | ${median(call).toFixed(1)} |`;
};
console.log('\n| configuration | max delay, median (ms) | max delay, worst (ms) | call until the app moves on, median (ms) |');
console.log('|---|---:|---:|---:|');
for (const config of CONFIGS) console.log(row(config));
const addedMedian = median(added);
console.log(`\nadded max delay (median of per-round differences): ${addedMedian.toFixed(1)} ms; target ≤ ${TARGET_ADDED_MS} ms`);
console.log(
  `estimate recorded: estimated=${sample.estimated}, input ${sample.inputTokens}, output ${sample.outputTokens}${sample.unavailable ? `, unavailable: ${sample.unavailable}` : ''}`,
);
console.log(`# load after: ${machine().loadavg}`);
if (sample.estimated !== true) {
  console.error('estimate-stall: the last estimated call was not recorded with an estimate');
  process.exit(1);
}
