// Spans per second through CostEnrichingSpanExporter (build first: npx tsc -b packages/exporter).
//
//   node --expose-gc packages/exporter/bench/enrich.bench.mjs [spansPerRound]
//
// Spans are real SDK spans made up front (and garbage collected away, with --expose-gc, before the
// clock starts); only export() is timed, in batches of 512 (the
// BatchSpanProcessor default) into an exporter that does nothing. Three workloads:
//   genai   every span a GenAI call to price (four instrumentation dialects)
//   mixed   half HTTP spans, 40% GenAI calls to price, 10% already priced
//   http    no GenAI spans at all (the pass-through cost)
// each with a constant-time price book (the exporter's own overhead) and with the bundled price book
// of @tokenomics/pricing (overhead plus model resolution and rate arithmetic). Each line gives the
// best round by wall clock and by CPU time of the process (steadier on a shared machine).
//
// EXPORTER_BENCH_DIST=<dir> runs another build of the exporter (its dist folder), for before/after
// comparisons; the workspace's dependencies are used for it.
import { createRequire, Module } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const distDir = process.env.EXPORTER_BENCH_DIST;
if (distDir !== undefined) {
  process.env.NODE_PATH = join(import.meta.dirname, '..', 'node_modules');
  Module._initPaths();
}
const { CostEnrichingSpanExporter } = require(distDir === undefined ? '../dist/index.js' : join(distDir, 'index.js'));
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');

const SPANS = Number(process.argv[2] ?? 50_000);
const BATCH = 512;
const ROUNDS = 5;

const dialects = [
  [
    '@opentelemetry/instrumentation-openai',
    'chat gpt-4o',
    {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.cache_read.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 300,
      'server.address': 'api.openai.com',
    },
  ],
  [
    '@traceloop/instrumentation-anthropic',
    'anthropic.chat',
    {
      'gen_ai.system': 'Anthropic',
      'llm.request.type': 'chat',
      'gen_ai.request.model': 'claude-sonnet-4-20250514',
      'gen_ai.response.model': 'claude-sonnet-4-20250514',
      'gen_ai.usage.prompt_tokens': 1500,
      'gen_ai.usage.completion_tokens': 400,
      'llm.usage.total_tokens': 1900,
    },
  ],
  [
    'openlit',
    'chat claude-sonnet-4-20250514',
    {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-20250514',
      'gen_ai.usage.input_tokens': 2000,
      'gen_ai.usage.cache_read.input_tokens': 6000,
      'gen_ai.usage.output_tokens': 500,
      'gen_ai.usage.cost': 0.0228,
    },
  ],
  [
    '@azure/opentelemetry-instrumentation-openai',
    'chat gpt-4o-mini',
    {
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'az.ai.openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.prompt_tokens': 800,
      'gen_ai.usage.completion_tokens': 120,
    },
  ],
];
const http = [
  '@opentelemetry/instrumentation-http',
  'GET /checkout',
  { 'http.request.method': 'GET', 'http.route': '/checkout', 'http.response.status_code': 200 },
];
const priced = [
  '@tokenomics/instrumentation-openai',
  'chat gpt-4o',
  {
    ...dialects[0][2],
    'gen_ai.usage.cost.amount': 0.00475,
    'gen_ai.usage.cost.currency': 'USD',
    'gen_ai.usage.cost.source': 'local',
  },
];

function makeSpans(n, pick) {
  const sink = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(sink)] });
  for (let i = 0; i < n; i++) {
    const [scope, name, attributes] = pick(i);
    // distinct usage per span so that no two spans look like one call
    provider
      .getTracer(scope)
      .startSpan(name, { attributes: { ...attributes, 'gen_ai.usage.output_tokens': 100 + i } })
      .end();
  }
  return sink.getFinishedSpans();
}

const workloads = {
  genai: (i) => dialects[i % dialects.length],
  mixed: (i) => (i % 10 < 5 ? http : i % 10 < 9 ? dialects[i % dialects.length] : priced),
  http: () => http,
};

const constantBook = {
  version: 'bench',
  price: (usage) => ({
    priced: true,
    amount: 0.001,
    currency: 'USD',
    breakdown: { input: 0.0006, output: 0.0004 },
    tokens: { input: usage.inputTokens ?? 0, output: usage.outputTokens ?? 0 },
    priceBookVersion: 'bench',
    provider: 'openai',
    matchedModel: 'gpt-4o',
    serviceTier: 'standard',
    estimated: false,
  }),
};

const { getPriceBook } = require('@tokenomics/pricing');
const bundled = getPriceBook();
const books = [
  ['constant price book', constantBook],
  [`bundled price book`, bundled],
];

const noop = { export: (_spans, cb) => cb({ code: 0 }), shutdown: async () => {} };

console.log(`node ${process.version}, ${SPANS} spans per round, batches of ${BATCH}, best of ${ROUNDS} rounds`);
console.log(
  `bundled price book: ${bundled.version}; load average ${(await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
for (const [bookName, book] of books) {
  for (const [workload, pick] of Object.entries(workloads)) {
    const exporter = new CostEnrichingSpanExporter(noop, { priceBook: book });
    let best = 0;
    let bestCpu = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const spans = makeSpans(SPANS, pick);
      globalThis.gc?.();
      const start = process.hrtime.bigint();
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < spans.length; i += BATCH) exporter.export(spans.slice(i, i + BATCH), () => {});
      const cpu = process.cpuUsage(cpu0);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      best = Math.max(best, spans.length / seconds);
      bestCpu = Math.max(bestCpu, spans.length / ((cpu.user + cpu.system) / 1e6));
    }
    const f = (n) => Math.round(n).toLocaleString('en-US').padStart(12);
    console.log(`${bookName.padEnd(20)} ${workload.padEnd(6)} ${f(best)} spans/s ${f(bestCpu)} spans/CPU-s`);
  }
}
