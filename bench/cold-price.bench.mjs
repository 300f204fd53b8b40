// What pricing one call costs with the CPU's caches warm and cold: the bundled book's
// `PriceBook.price()` for one chat call, made back to back, and made after a pass over 64 MB that
// evicts the book's code and data from the caches (as a service's own work between two LLM calls
// does, and as the clients' own milliseconds of work per call do).
//
//   node bench/cold-price.bench.mjs             (after `tsc -b`; or `pnpm bench` for every benchmark)
//   BENCH_QUICK=1 node bench/cold-price.bench.mjs          fast smoke run
//   BENCH_ROUNDS=9 node bench/cold-price.bench.mjs         more alternations
//
// Each round times 20,000 warm calls and 200 cold ones (each after the pass), alternating, in
// one process; the medians over the rounds of each round's mean are printed. The pass itself is
// not timed. The same price is checked on every call, so a wrong answer fails the run. The floor is
// the same timing around one field read after the same pass: what the timer itself costs cold.
import { createRequire } from 'node:module';
import { machine } from './overhead/machine.mjs';
import { median } from './overhead/stats.mjs';

const require = createRequire(import.meta.url);
const { getPriceBook } = require('@tokenomics/pricing');

const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 2 : 5));
const WARM = QUICK ? 2_000 : 20_000;
const COLD = QUICK ? 20 : 200;

const book = getPriceBook();
const opts = { provider: 'openai', model: 'gpt-4o-mini', operation: 'chat' };
const usage = { inputTokens: 1_200, outputTokens: 300 };
const expected = book.price(usage, opts);
if (!expected.priced) throw new Error(`gpt-4o-mini is not priced by the bundled book: ${expected.reason}`);

const junk = new Float64Array(8 * 1024 * 1024);
let sink = 0;
/** One pass over 64 MB, a cache line at a time. */
function evict() {
  for (let i = 0; i < junk.length; i += 8) sink += junk[i]++;
}

function timed(n, cold) {
  let ns = 0n;
  for (let i = 0; i < n; i++) {
    if (cold) evict();
    const t0 = process.hrtime.bigint();
    const cost = book.price(usage, opts);
    ns += process.hrtime.bigint() - t0;
    if (cost.amount !== expected.amount) throw new Error(`price changed: ${cost.amount} against ${expected.amount}`);
  }
  return Number(ns) / n / 1000;
}

/** The floor of the same timing: reading one field of the options, with the timer's own cost. */
function floor(n, cold) {
  let ns = 0n;
  for (let i = 0; i < n; i++) {
    if (cold) evict();
    const t0 = process.hrtime.bigint();
    sink += opts.model.length;
    ns += process.hrtime.bigint() - t0;
  }
  return Number(ns) / n / 1000;
}

const info = machine();
console.log(`PriceBook.price(), warm and cold: ${ROUNDS} rounds of ${WARM} warm and ${COLD} cold calls`);
console.log(`${info.node}, ${info.cpu}, load ${info.loadavg}`);
timed(WARM, false);
const warm = [];
const cold = [];
const coldFloor = [];
for (let r = 0; r < ROUNDS; r++) {
  warm.push(timed(WARM, false));
  cold.push(timed(COLD, true));
  coldFloor.push(floor(COLD, true));
}
console.log();
console.log('| caches | µs per call (median of rounds) | each round |');
console.log('|---|--:|---|');
console.log(`| warm (back to back) | ${median(warm).toFixed(2)} | ${warm.map((x) => x.toFixed(2)).join(', ')} |`);
console.log(`| cold (after a pass over 64 MB) | ${median(cold).toFixed(2)} | ${cold.map((x) => x.toFixed(2)).join(', ')} |`);
console.log(
  `| cold, the floor (one field read, and the timer) | ${median(coldFloor).toFixed(2)} | ${coldFloor.map((x) => x.toFixed(2)).join(', ')} |`,
);
if (sink === -1) console.log(sink);
