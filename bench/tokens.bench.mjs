// Token counting throughput of @tokenomics/tokens (tiktoken, WASM lite build): what a call costs when
// usage has to be estimated (a stream cut short, usage not requested).
//
//   node bench/tokens.bench.mjs               (after `tsc -b`)
//   BENCH_QUICK=1 node bench/tokens.bench.mjs
//
// Texts are generated once (seeded): English prose, source code and a mixed-script paragraph. Each
// workload runs for a fixed time per round, rounds interleaved, median reported; the first count
// (loading the WASM module and the rank table) is timed on its own, in a fresh child process.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { machine } from './overhead/machine.mjs';
import { MESSAGES } from './overhead/bodies.mjs';
import { median } from './overhead/stats.mjs';

const require = createRequire(import.meta.url);
const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = QUICK ? 1 : 5;
const SLICE_MS = QUICK ? 100 : 400;

// Cold start: the first count loads tiktoken's WASM and one rank table. Measured in a new process.
if (process.argv[2] === '--cold') {
  const t0 = performance.now();
  const tokens = require('@tokenomics/tokens');
  const t1 = performance.now();
  tokens.countTokens('Hello, world!', process.argv[3]);
  const t2 = performance.now();
  const warm = [];
  for (let i = 0; i < 21; i++) {
    const t = performance.now();
    tokens.countTokens(`Hello again, world! (${i})`, process.argv[3]);
    warm.push((performance.now() - t) * 1000);
  }
  warm.sort((a, b) => a - b);
  console.log(JSON.stringify({ requireMs: t1 - t0, firstCountMs: t2 - t1, warmCountUs: warm[10] }));
  process.exit(0);
}

const { countTokens, countChatTokens, estimateRequestTokens } = require('@tokenomics/tokens');

function seeded(seed) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0) / 2 ** 32;
}
const rand = seeded(42);
const WORDS = (
  'the of and to in is for that on with as by it at from this be are an or was which not have has can will ' +
  'invoice token budget tenant latency request response stream model price cache prompt completion service ' +
  'quarterly engineering customer support refund delivery warehouse schedule payment account question answer'
).split(' ');
function prose(nWords) {
  const out = [];
  for (let i = 0; i < nWords; i++) {
    let w = WORDS[Math.floor(rand() * WORDS.length)];
    if (i % 13 === 0) w = w[0].toUpperCase() + w.slice(1);
    out.push(w + (i % 17 === 16 ? '.' : i % 7 === 6 ? ',' : ''));
  }
  return out.join(' ');
}
const CODE = Array.from(
  { length: 40 },
  (_, i) =>
    `export function handler${i}(req: Request): Promise<Response> {\n  const id = req.headers.get('x-request-id') ?? crypto.randomUUID();\n  return fetch(\`https://api.example.test/v1/items/\${id}?page=${i}\`, { method: 'GET' });\n}\n`,
).join('');
const MIXED = 'Die Rechnung für März liegt bei 1.284,50 €. 請求書は三月分です。Счёт за март — 1284,50 €. '.repeat(12);

const short = prose(45);
const medium = prose(750);
const long = prose(12_000);
const chatRequest = { model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 200 };

const workloads = [
  ['countTokens, prose of 45 words, gpt-4o (o200k_base)', () => countTokens(short, 'gpt-4o').tokens],
  ['countTokens, prose of 750 words, gpt-4o', () => countTokens(medium, 'gpt-4o').tokens],
  ['countTokens, prose of 12,000 words, gpt-4o', () => countTokens(long, 'gpt-4o').tokens],
  ['countTokens, TypeScript source (40 functions), gpt-4o', () => countTokens(CODE, 'gpt-4o').tokens],
  ['countTokens, German, Japanese and Russian text, gpt-4o', () => countTokens(MIXED, 'gpt-4o').tokens],
  ['countTokens, prose of 750 words, gpt-4 (cl100k_base)', () => countTokens(medium, 'gpt-4').tokens],
  ['countChatTokens, 4-message chat, gpt-4o-mini', () => countChatTokens(MESSAGES, 'gpt-4o-mini').tokens],
  ['estimateRequestTokens, chat request body', () => estimateRequestTokens(chatRequest).tokens],
];

const m = machine();
console.log(`# tokens: tiktoken counting, ${ROUNDS} round(s) of ${SLICE_MS} ms per workload; node ${m.node}, ${m.cpu}, load ${m.loadavg}`);

const cold = {};
for (const model of ['gpt-4o', 'gpt-4']) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--cold', model], { encoding: 'utf8' });
  cold[model] = r.status === 0 ? JSON.parse(r.stdout.trim().split('\n').pop()) : undefined;
}

const results = workloads.map(() => ({ callsPerS: [], tokensPerS: [] }));
for (const [, fn] of workloads) fn(); // every encoder loaded and warm before timing
for (let round = 0; round < ROUNDS; round++) {
  workloads.forEach(([, fn], i) => {
    let calls = 0;
    let tokens = 0;
    const t0 = performance.now();
    let now = t0;
    while (now - t0 < SLICE_MS) {
      for (let k = 0; k < 4; k++) tokens += fn();
      calls += 4;
      now = performance.now();
    }
    const s = (now - t0) / 1000;
    results[i].callsPerS.push(calls / s);
    results[i].tokensPerS.push(tokens / s);
  });
}

const n = (x) => Math.round(x).toLocaleString('en-US');
console.log();
console.log('| workload | tokens per call | calls/s | tokens/s | µs per call |');
console.log('|---|--:|--:|--:|--:|');
workloads.forEach(([name, fn], i) => {
  const cps = median(results[i].callsPerS);
  console.log(`| ${name} | ${n(fn())} | ${n(cps)} | ${n(median(results[i].tokensPerS))} | ${(1e6 / cps).toFixed(1)} |`);
});
console.log();
for (const [model, c] of Object.entries(cold)) {
  if (!c) console.log(`Cold start for ${model}: the child process failed.`);
  else
    console.log(
      `Cold start, ${model}: require ${c.requireMs.toFixed(1)} ms, first count ${c.firstCountMs.toFixed(1)} ms (WASM + rank table), then ${c.warmCountUs.toFixed(1)} µs per short count (median of the next 21).`,
    );
}
