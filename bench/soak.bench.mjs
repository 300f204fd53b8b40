// Soak: 1,000,000 non-streamed chat calls through the Tokenomics configuration (the same SDK set-up
// as the overhead benchmark), heap after GC sampled every 100,000 calls. Passes when the samples
// after warm-up stay within 5 MB of each other and every call's span was exported.
//
//   node bench/soak.bench.mjs                 (after `tsc -b`)
//   BENCH_QUICK=1 node bench/soak.bench.mjs   50,000 calls, sampled every 5,000
//   SOAK_CALLS=200000 SOAK_EVERY=20000 node bench/soak.bench.mjs
import { machine } from './overhead/machine.mjs';
import { runWorker } from './overhead/run-worker.mjs';

const QUICK = process.env.BENCH_QUICK === '1';
const CALLS = Number(process.env.SOAK_CALLS ?? (QUICK ? 50_000 : 1_000_000));
const EVERY = Number(process.env.SOAK_EVERY ?? CALLS / 10);
const LIMIT_MB = 5;

const m = machine();
console.log(
  `# soak: ${CALLS.toLocaleString('en-US')} calls, Tokenomics configuration, OpenAI chat non-streamed; node ${m.node}, ${m.cpu}, load ${m.loadavg}`,
);
const r = await runWorker(['tokenomics', 'chat', 'soak', CALLS, EVERY]);
const mb = (b) => b / 2 ** 20;
console.log();
console.log('| calls | heap after GC MB | elapsed s |');
console.log('|--:|--:|--:|');
for (const s of r.samples)
  console.log(
    `| ${s.calls === 0 ? '0 (after 2,000 warm-up calls)' : s.calls.toLocaleString('en-US')} | ${mb(s.heapBytes).toFixed(2)} | ${s.seconds === undefined ? '–' : s.seconds.toFixed(1)} |`,
  );
const heaps = r.samples.map((s) => mb(s.heapBytes));
const spread = Math.max(...heaps) - Math.min(...heaps);
const flat = spread <= LIMIT_MB;
const spansOk = r.spans === r.calls;
console.log();
console.log(`Heap after GC spread over the run: ${spread.toFixed(2)} MB (limit ${LIMIT_MB} MB): ${flat ? 'flat' : 'NOT FLAT'}.`);
console.log(
  `Spans exported: ${r.spans.toLocaleString('en-US')} for ${r.calls.toLocaleString('en-US')} calls (warm-up included)${spansOk ? '' : ' — MISMATCH'}; metric points at the end: ${r.metricPoints}.`,
);
console.log(
  `${CALLS.toLocaleString('en-US')} calls in ${r.seconds.toFixed(0)} s (${((r.seconds / CALLS) * 1e6).toFixed(0)} µs per call, wall, heap sampling included); load after: ${machine().loadavg}.`,
);
// Spans lost is always a failure; a heap that grows fails the run under --strict (see bench/run.mjs).
if (!spansOk || (!flat && process.argv.includes('--strict'))) process.exitCode = 1;
