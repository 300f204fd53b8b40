// Price-book benchmark (plain node, built dist): price() throughput for known models, first
// resolution of unseen model strings, and the price book's memory. Prints a table; with --strict
// it exits 1 when a target is missed. Run: npx tsc -b packages/pricing && node packages/pricing/bench/price.bench.mjs
// PRICE_BENCH_DIST=<dir> measures another build of the package (a dist/ directory placed inside the
// package, so that it resolves the same dependencies), for before/after comparisons;
// PRICE_BENCH_ONLY=throughput skips the resolution and memory rows.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const distPath = process.env.PRICE_BENCH_DIST
  ? resolve(process.env.PRICE_BENCH_DIST, 'index.js')
  : fileURLToPath(new URL('../dist/index.js', import.meta.url));
const strict = process.argv.includes('--strict');

if (process.argv[2] === '--memory-child') {
  // Fresh process: memory of building the bundled book and compiling every model once.
  const { PriceBook } = require(distPath);
  global.gc();
  const before = process.memoryUsage();
  const book = PriceBook.bundled();
  let models = 0;
  for (const m of book.list()) {
    book.price({ inputTokens: 1000, outputTokens: 100 }, { provider: m.provider, model: m.model });
    models++;
  }
  global.gc();
  const after = process.memoryUsage();
  process.stdout.write(JSON.stringify({ models, heap: after.heapUsed - before.heapUsed, rss: after.rss - before.rss }));
  process.exit(0);
}

const { PriceBook } = require(distPath);
const book = PriceBook.bundled();

function throughput(label, usage, opts) {
  let sink = 0;
  for (let i = 0; i < 300_000; i++) sink += book.price(usage, opts).amount ?? 0;
  const rates = [];
  for (let round = 0; round < 5; round++) {
    const n = 2_000_000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sink += book.price(usage, opts).amount ?? 0;
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    rates.push(n / seconds);
  }
  if (!(sink > 0)) throw new Error(`${label}: priced nothing`);
  rates.sort((a, b) => a - b);
  return { label, median: rates[2], best: rates[4] };
}

function firstResolution(label, make, provider) {
  for (let i = 0; i < 500; i++) book.resolve(make(`warm${i}`), provider);
  const n = 5000;
  const micros = new Float64Array(n);
  let found = 0;
  for (let i = 0; i < n; i++) {
    const model = make(i);
    const t0 = process.hrtime.bigint();
    if (book.resolve(model, provider)) found++;
    micros[i] = Number(process.hrtime.bigint() - t0) / 1e3;
  }
  const sorted = [...micros].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  return { label, mean, p50: sorted[n >> 1], p99: sorted[Math.floor(n * 0.99)], found: found / n };
}

const fmt = (x, d = 1) => x.toFixed(d);
const rows = [];
const check = (ok) => (ok ? 'ok' : 'MISSED');
let missed = 0;

const tp = [
  throughput('gpt-4o, input + output', { inputTokens: 1200, outputTokens: 300 }, { provider: 'openai', model: 'gpt-4o' }),
  throughput(
    'claude-sonnet-4, cache read/write + reasoning',
    {
      inputTokens: 50_000,
      cacheReadTokens: 30_000,
      cacheWriteTokens: 5000,
      cacheWrite1hTokens: 1000,
      outputTokens: 2000,
      reasoningTokens: 800,
    },
    { provider: 'anthropic', model: 'claude-sonnet-4-20250514' },
  ),
  throughput(
    'gemini-2.5-pro, long-context tier, batch',
    { inputTokens: 300_000, outputTokens: 4000 },
    { provider: 'gcp.gemini', model: 'gemini-2.5-pro', serviceTier: 'batch' },
  ),
  throughput(
    'bedrock profile, dated price lookup',
    { inputTokens: 4000, outputTokens: 500 },
    { provider: 'aws.bedrock', model: 'us.anthropic.claude-sonnet-4-20250514-v1:0', at: new Date('2026-06-01') },
  ),
];
// As the hook prices an OpenAI call: the model asked for and a dated response model, each a fresh
// string read from a response body.
{
  const pool = Array.from({ length: 1024 }, () => ({
    provider: 'openai',
    model: JSON.parse('"gpt-4o-mini"'),
    responseModel: JSON.parse('"gpt-4o-mini-2024-07-18"'),
    operation: 'chat',
    at: Date.now(),
  }));
  const usage = { inputTokens: 1200, cacheReadTokens: 1024, outputTokens: 300 };
  let sink = 0;
  for (let i = 0; i < 300_000; i++) sink += book.price(usage, pool[i & 1023]).amount ?? 0;
  const rates = [];
  for (let round = 0; round < 5; round++) {
    const n = 2_000_000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sink += book.price(usage, pool[i & 1023]).amount ?? 0;
    rates.push(n / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  if (!(sink > 0)) throw new Error('response model: priced nothing');
  rates.sort((a, b) => a - b);
  tp.push({ label: 'gpt-4o-mini with a dated response model, as read from a response', median: rates[2], best: rates[4] });
}

// The cache savings of a cached call after its price: PriceBook.cacheSavings where the build has
// it, else (or with PRICE_BENCH_SAVINGS=price-again) the call priced twice more (cache reads, then
// cache writes, as uncached input).
{
  const usage = { inputTokens: 50_000, cacheReadTokens: 30_000, cacheWriteTokens: 5000, outputTokens: 2000 };
  const opts = { provider: 'anthropic', model: 'claude-sonnet-4-20250514' };
  const savings =
    typeof book.cacheSavings === 'function' && process.env.PRICE_BENCH_SAVINGS !== 'price-again'
      ? (actual) => book.cacheSavings(usage, opts, actual).savings
      : (actual) =>
          book.price({ ...usage, cacheReadTokens: undefined }, opts).amount -
          actual.amount +
          (actual.amount - book.price({ ...usage, cacheWriteTokens: undefined, cacheWrite1hTokens: undefined }, opts).amount);
  let sink = 0;
  for (let i = 0; i < 300_000; i++) sink += savings(book.price(usage, opts));
  const rates = [];
  for (let round = 0; round < 5; round++) {
    const n = 1_000_000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sink += savings(book.price(usage, opts));
    rates.push(n / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  if (!(sink > 0)) throw new Error('cache savings: saved nothing');
  rates.sort((a, b) => a - b);
  tp.push({ label: 'and cache savings, cached claude-sonnet-4', median: rates[2], best: rates[4] });
}
for (const r of tp) {
  const ok = r.median >= 2_000_000;
  if (!ok) missed++;
  rows.push(['price() ' + r.label, `${fmt(r.median / 1e6, 2)} M calls/s (best ${fmt(r.best / 1e6, 2)})`, '>= 2 M calls/s', check(ok)]);
}

/** A distinct valid date per key (`warm3` and 3 differ): YYYY-MM-DD. */
function dateFor(key) {
  const n = typeof key === 'number' ? key : 20_000 + Number(String(key).replace(/\D/g, ''));
  return new Date(Date.UTC(2030, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
}

const throughputOnly = process.env.PRICE_BENCH_ONLY === 'throughput';
const fr = throughputOnly
  ? []
  : [
      firstResolution('dated snapshot, provider given', (i) => `gpt-4o-mini-${dateFor(i)}`, 'openai'),
      firstResolution('dated snapshot, no provider', (i) => `claude-sonnet-4-5-${dateFor(i).replace(/-/g, '')}`),
      firstResolution(
        'Bedrock ARN, no provider',
        (i) => `arn:aws:bedrock:us-east-1:${i}:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0`,
      ),
      firstResolution('unknown model, no provider', (i) => `in-house-model-${i}`),
    ];
for (const r of fr) {
  const ok = r.mean < 50;
  if (!ok) missed++;
  rows.push([
    'first resolve() ' + r.label,
    `mean ${fmt(r.mean)} us, p50 ${fmt(r.p50)} us, p99 ${fmt(r.p99)} us, resolved ${fmt(r.found * 100, 0)}%`,
    '< 50 us',
    check(ok),
  ]);
}

if (!throughputOnly) {
  const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--memory-child'], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`memory measurement failed: ${child.stderr}`);
  const mem = JSON.parse(child.stdout);
  const memOk = mem.rss < 30 * 1024 * 1024 && mem.heap < 30 * 1024 * 1024;
  if (!memOk) missed++;
  rows.push([
    `price book memory (${mem.models} models compiled)`,
    `heap ${fmt(mem.heap / 1048576)} MB, rss ${fmt(mem.rss / 1048576)} MB`,
    '< 30 MB',
    check(memOk),
  ]);
}

const widths = [0, 1, 2, 3].map((c) => Math.max(...[['benchmark', 'result', 'target', ''], ...rows].map((r) => r[c].length)));
const line = (r) =>
  r
    .map((cell, c) => cell.padEnd(widths[c]))
    .join('  ')
    .trimEnd();
console.log(`@tokenomics/pricing (${book.version}), node ${process.version}, ${process.arch}`);
console.log(line(['benchmark', 'result', 'target', '']));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
if (strict && missed > 0) process.exit(1);
