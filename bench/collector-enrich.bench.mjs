// The collector stage's enrichment step alone, in this process: OTLP protobuf request bytes in,
// priced request bytes out (no HTTP, no queue). Build first: npx tsc -b packages/collector.
//
//   node bench/collector-enrich.bench.mjs [rounds]
//
// 64 requests of 512 GenAI spans in the four dialects of bench/collector.bench.mjs (semconv,
// OpenLLMetry, OpenInference, the AI SDK), every span priced. Each round enriches all 64 requests
// with one `SpanCostEnricher` (bundled price book) and reads the process CPU time it took; the
// figures are CPU microseconds per span and GenAI spans per CPU-second (median and best of the
// rounds), with the load average beside them: the machine may be shared, and CPU time is steadier
// than wall time under load.
//
// A/B against another build: set COLLECTOR_ENRICH_BASELINE to a directory holding `collector/` and
// `exporter/` dist folders of that build, and the bench runs itself in child processes, alternating
// baseline and current, ENRICH_BENCH_PAIRS pairs (default 3), and prints the medians of each side.
// Both builds also write their output of the first request to compare: the bench fails when the
// priced bytes differ.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { requestMaker, SPANS_PER_REQUEST } from './collector/requests.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 8);
const REQUESTS = 64;
const baseline = process.env.COLLECTOR_ENRICH_BASELINE;
const side = process.env.ENRICH_BENCH_SIDE;

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f = (n) => Math.round(n).toLocaleString('en-US');

if (baseline !== undefined && side === undefined) {
  // Parent: alternate the two builds in child processes.
  const pairs = Number(process.env.ENRICH_BENCH_PAIRS ?? 3);
  const results = { baseline: [], current: [] };
  const digests = new Set();
  for (let p = 0; p < pairs; p++) {
    for (const which of p % 2 === 0 ? ['baseline', 'current'] : ['current', 'baseline']) {
      const run = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), String(ROUNDS)], {
        env: { ...process.env, ENRICH_BENCH_SIDE: which },
        encoding: 'utf8',
      });
      if (run.status !== 0) throw new Error(`${which} run failed: ${run.stderr}`);
      const r = JSON.parse(run.stdout.trim().split('\n').at(-1));
      results[which].push(r);
      digests.add(r.digest);
      console.log(
        `${which.padEnd(8)} median ${f(r.medianPerCpuSecond)} spans/CPU-s (${r.medianMicros.toFixed(2)} us CPU/span), best ${f(r.bestPerCpuSecond)}; load ${r.load}`,
      );
    }
  }
  for (const which of ['baseline', 'current']) {
    const xs = results[which].map((r) => r.medianPerCpuSecond);
    console.log(
      `${which.padEnd(8)} median of ${xs.length} runs: ${f(median(xs))} GenAI spans per CPU-second (${(1e6 / median(xs)).toFixed(2)} us CPU per span)`,
    );
  }
  const b = median(results.baseline.map((r) => r.medianPerCpuSecond));
  const c = median(results.current.map((r) => r.medianPerCpuSecond));
  console.log(`change: ${(((c - b) / b) * 100).toFixed(1)}%; load now ${loadavg()}`);
  if (digests.size !== 1) {
    console.error('the two builds wrote different bytes');
    process.exitCode = 1;
  }
} else {
  let dist = { collector: join(root, 'packages/collector/dist'), exporter: join(root, 'packages/exporter/dist') };
  if (side === 'baseline') {
    dist = { collector: join(baseline, 'collector'), exporter: join(baseline, 'exporter') };
    // The baseline build lives outside the workspace: let it find the workspace's dependencies.
    process.env.NODE_PATH = [join(root, 'packages/collector/node_modules'), join(root, 'packages/exporter/node_modules')].join(':');
    Module._initPaths();
  }
  const { jsonToProtobuf } = require(join(root, 'packages/collector/dist/otlp-json.js'));
  const { enrichTraces } = require(join(dist.collector, 'trace-enrichment.js'));
  const { SpanCostEnricher } = require(join(dist.exporter, 'index.js'));

  const bodies = Array.from({ length: REQUESTS }, requestMaker(jsonToProtobuf));
  const enricher = new SpanCostEnricher();
  const first = enrichTraces(bodies[0], enricher);
  if (first.enriched !== SPANS_PER_REQUEST) throw new Error(`expected ${SPANS_PER_REQUEST} priced spans, got ${first.enriched}`);
  const digest = createHash('sha256').update(first.bytes).digest('hex');
  for (const body of bodies) enrichTraces(body, enricher);
  // Fresh span ids every round would change nothing the enricher does per span (the dedupe memory is
  // bounded); the same requests are reused so that only the enrichment is timed.
  const perCpuSecond = [];
  for (let r = 0; r < ROUNDS; r++) {
    const c0 = process.cpuUsage();
    for (const body of bodies) enrichTraces(body, enricher);
    const c = process.cpuUsage(c0);
    perCpuSecond.push((REQUESTS * SPANS_PER_REQUEST) / ((c.user + c.system) / 1e6));
  }
  const m = median(perCpuSecond);
  const result = {
    digest,
    medianPerCpuSecond: m,
    medianMicros: 1e6 / m,
    bestPerCpuSecond: Math.max(...perCpuSecond),
    load: loadavg(),
  };
  if (side !== undefined) console.log(JSON.stringify(result));
  else
    console.log(
      `enrichment only (in process, protobuf in and out), ${ROUNDS} rounds of ${REQUESTS} x ${SPANS_PER_REQUEST} spans: median ${f(m)} GenAI spans per CPU-second (${result.medianMicros.toFixed(2)} us CPU per span), best ${f(result.bestPerCpuSecond)}; load ${result.load}`,
    );
}
