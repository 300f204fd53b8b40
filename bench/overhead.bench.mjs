// Per-call overhead of instrumenting LLM client calls, side by side with the peers.
//
//   node bench/overhead.bench.mjs            (after `tsc -b`; or `pnpm bench` for every benchmark)
//   BENCH_QUICK=1 node bench/overhead.bench.mjs                 fast smoke run
//   BENCH_ROUNDS=7 BENCH_SCENARIOS=chat BENCH_CONFIGS=bare,tokenomics node bench/overhead.bench.mjs
//   BENCH_JSON=out.json ...                                      also write every raw result
//
// Each configuration × scenario runs in its own process (overhead/worker.mjs) with the real client
// library and an in-process fetch stub. Configurations are interleaved within each round, in an order
// rotated from round to round; the table shows medians over rounds, and "added" is the median of
// per-round differences from the bare client measured in the same round, so machine noise cancels.
import { writeFileSync } from 'node:fs';
import { CONFIGURATIONS } from './overhead/configurations.mjs';
import { machine } from './overhead/machine.mjs';
import { runWorker } from './overhead/run-worker.mjs';
import { SCENARIOS } from './overhead/scenarios.mjs';
import { median } from './overhead/stats.mjs';

const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 5));
const list = (v) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
const scenarioNames = list(process.env.BENCH_SCENARIOS) ?? Object.keys(SCENARIOS);
const configNames = list(process.env.BENCH_CONFIGS) ?? Object.keys(CONFIGURATIONS);
for (const n of scenarioNames)
  if (!SCENARIOS[n]) throw new Error(`BENCH_SCENARIOS: unknown scenario "${n}"; accepted: ${Object.keys(SCENARIOS).join(', ')}`);
for (const n of configNames)
  if (!CONFIGURATIONS[n])
    throw new Error(`BENCH_CONFIGS: unknown configuration "${n}"; accepted: ${Object.keys(CONFIGURATIONS).join(', ')}`);

/** Warm-up and timed calls per process: streams cost several times a plain call. */
function callsFor(scenario) {
  const streamed = scenario.endsWith('-stream');
  if (QUICK) return streamed ? [100, 300] : [200, 1000];
  return streamed ? [1000, 4000] : [2000, 10000];
}

const plan = new Map(); // scenario -> configurations covering it
const notCovered = [];
for (const s of scenarioNames) {
  const covering = configNames.filter((c) => CONFIGURATIONS[c].covers(SCENARIOS[s].provider));
  for (const c of configNames) if (!covering.includes(c)) notCovered.push(`${c} × ${s}`);
  plan.set(s, covering);
}

const before = machine();
console.log(`# overhead: ${ROUNDS} round(s), node ${before.node}, ${before.cpu}, load ${before.loadavg}`);
const started = Date.now();
const results = []; // { round, configuration, scenario, ... }
for (let round = 0; round < ROUNDS; round++) {
  for (const s of scenarioNames) {
    const configs = plan.get(s);
    const order = configs.map((_, i) => configs[(i + round) % configs.length]);
    for (const c of order) {
      const [warmup, calls] = callsFor(s);
      const r = await runWorker([c, s, warmup, calls]);
      r.round = round;
      results.push(r);
      process.stderr.write(
        `  round ${round + 1}/${ROUNDS} ${s.padEnd(16)} ${c.padEnd(12)} p50 ${r.p50Us.toFixed(1).padStart(8)} µs  mean ${r.meanUs.toFixed(1).padStart(8)} µs\n`,
      );
    }
  }
}
const after = machine();
const seconds = (Date.now() - started) / 1000;

const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '–');
const get = (s, c) => results.filter((r) => r.scenario === s && r.configuration === c);
const bareIn = (s, round) => results.find((r) => r.scenario === s && r.configuration === 'bare' && r.round === round);

/** Median over rounds of `field`, and of its per-round difference from bare. */
function summary(s, c) {
  const rs = get(s, c);
  const out = { rounds: rs.length };
  for (const f of ['meanUs', 'p50Us', 'p99Us', 'cpuUs']) {
    out[f] = median(rs.map((r) => r[f]));
    out[`added_${f}`] = median(rs.map((r) => r[f] - (bareIn(s, r.round)?.[f] ?? NaN)));
  }
  out.heapMB = median(rs.map((r) => r.heapBytes / 2 ** 20));
  out.spans = rs.reduce((n, r) => n + (r.spans ?? 0), 0);
  out.calls = rs.reduce((n, r) => n + r.calls, 0);
  out.metricPoints = rs[0]?.metricPoints;
  out.instrumentations = rs[0]?.instrumentations ?? [];
  return out;
}

/** Table label: the configuration and the instrumentation packages it registered (only those patching this scenario's library). */
function labelOf(c, m) {
  const cfg = CONFIGURATIONS[c];
  if (!cfg.instrumentations) return cfg.label;
  if (c === 'tokenomics') return `Tokenomics ${m.instrumentations[0]?.split('@').pop() ?? ''}`.trim();
  if (c === 'baseline') return cfg.label;
  return `${c === 'openllmetry' ? 'OpenLLMetry ' : ''}${m.instrumentations.join(', ')}`;
}
const triple = (m) => `${fmt(m.added_meanUs)} / ${fmt(m.added_p50Us)} / ${fmt(m.added_cpuUs)}`;
const ratio = (t, m) => ['meanUs', 'p50Us', 'cpuUs'].map((f) => fmt(t[`added_${f}`] / m[`added_${f}`], 2)).join(' / ');
const lines = [];
let targetMissed = false;
const say = (l = '') => lines.push(l);
say(`Machine: ${before.cpu}, ${before.memoryGiB} GiB, ${before.platform}; node ${before.node} (V8 ${before.v8}).`);
say(`Load average before / after: ${before.loadavg} / ${after.loadavg}. ${ROUNDS} round(s) in ${fmt(seconds, 0)} s.`);
say();
say(
  '| scenario | configuration | mean µs | p50 µs | p99 µs | CPU µs | added µs (mean / p50 / CPU) | spans / calls | metric points | heap after GC MB |',
);
say('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|');
const summaries = {};
for (const s of scenarioNames) {
  summaries[s] = {};
  for (const c of plan.get(s)) {
    const m = (summaries[s][c] = summary(s, c));
    const cfg = CONFIGURATIONS[c];
    const label = labelOf(c, m);
    const spans = cfg.otel ? `${m.spans} / ${m.calls}` : '–';
    const added = c === 'bare' ? '–' : triple(m);
    say(
      `| ${SCENARIOS[s].label} | ${label} | ${fmt(m.meanUs)} | ${fmt(m.p50Us)} | ${fmt(m.p99Us)} | ${fmt(m.cpuUs)} | ${added} | ${spans} | ${m.metricPoints ?? '–'} | ${fmt(m.heapMB)} |`,
    );
  }
}
say();
say('Tokenomics against each peer (added time, medians of per-round differences from bare; target: at most half the lightest peer):');
say();
say(
  '| scenario | Tokenomics added µs (mean / p50 / CPU) | peer | peer added µs (mean / p50 / CPU) | ratio (mean / p50 / CPU) | at most half the lightest peer |',
);
say('|---|--:|---|--:|--:|:-:|');
for (const s of scenarioNames) {
  const t = summaries[s].tokenomics;
  const peers = plan.get(s).filter((c) => CONFIGURATIONS[c].peer);
  if (!t) {
    say(`| ${SCENARIOS[s].label} | pending: no Tokenomics instrumentation for ${SCENARIOS[s].provider} yet | | | | |`);
    continue;
  }
  // The lightest peer by each measure; the target holds when Tokenomics adds at most half of it.
  const verdict = ['meanUs', 'p50Us', 'cpuUs']
    .map((f) => {
      const lightest = Math.min(...peers.map((p) => summaries[s][p][`added_${f}`]));
      return t[`added_${f}`] <= lightest / 2 ? 'yes' : 'no';
    })
    .join(' / ');
  if (verdict.includes('no')) targetMissed = true;
  peers.forEach((p, i) => {
    const m = summaries[s][p];
    say(`| ${SCENARIOS[s].label} | ${triple(t)} | ${labelOf(p, m)} | ${triple(m)} | ${ratio(t, m)} | ${i === 0 ? verdict : ''} |`);
  });
}
if (scenarioNames.some((s) => summaries[s].span && summaries[s].tokenomics)) {
  say();
  say(
    'Floors (p50 µs added over bare): the context floor runs each call in a fresh context; the span floor also starts and ends one empty span per call, the least any tracing instrumentation does. Where the span floor alone exceeds half the lightest peer, no instrumentation that emits a span per call can meet the target on this machine.',
  );
  say();
  say(
    '| scenario | context floor | span floor | half the lightest peer | span floor within it | Tokenomics above the span floor | lightest peer above the span floor |',
  );
  say('|---|--:|--:|--:|:-:|--:|--:|');
  for (const s of scenarioNames) {
    const floor = summaries[s].span;
    const t = summaries[s].tokenomics;
    if (!floor || !t) continue;
    const context = summaries[s].context;
    const peers = plan
      .get(s)
      .filter((c) => CONFIGURATIONS[c].peer)
      .map((c) => summaries[s][c].added_p50Us);
    const lightest = peers.length ? Math.min(...peers) : undefined;
    const half = lightest === undefined ? undefined : lightest / 2;
    say(
      `| ${SCENARIOS[s].label} | ${context ? fmt(context.added_p50Us) : '–'} | ${fmt(floor.added_p50Us)} | ${half === undefined ? '–' : fmt(half)} | ${half === undefined ? '–' : floor.added_p50Us <= half ? 'yes' : 'no'} | ${fmt(t.added_p50Us - floor.added_p50Us)} | ${lightest === undefined ? '–' : fmt(lightest - floor.added_p50Us)} |`,
    );
  }
}
if (notCovered.length) {
  say();
  say(`Not run (the configuration does not instrument that library): ${notCovered.join('; ')}.`);
}
const warnings = results.filter((r) => r.stderr).map((r) => `${r.configuration} × ${r.scenario}: ${r.stderr}`);
const badSpans = results.filter((r) => CONFIGURATIONS[r.configuration].instrumentations && r.spans !== r.calls);
if (badSpans.length) {
  say();
  say(
    `Spans exported differ from calls made: ${[...new Set(badSpans.map((r) => `${r.configuration} × ${r.scenario} (${r.spans} spans for ${r.calls} calls)`))].join('; ')}.`,
  );
}
if (warnings.length) {
  say();
  say(`Worker warnings: ${[...new Set(warnings)].join('; ')}`);
}
console.log(lines.join('\n'));
// --strict (passed on by bench/run.mjs): a missed target fails the run. A Tokenomics configuration
// that exported a different number of spans than calls made fails it always.
const tokenomicsSpansWrong = badSpans.some((r) => r.configuration === 'tokenomics' || r.configuration === 'baseline');
if (tokenomicsSpansWrong) process.exitCode = 1;
else if (process.argv.includes('--strict') && targetMissed) process.exitCode = 1;
if (process.env.BENCH_JSON)
  writeFileSync(process.env.BENCH_JSON, JSON.stringify({ machine: { before, after }, rounds: ROUNDS, results }, null, 2));
