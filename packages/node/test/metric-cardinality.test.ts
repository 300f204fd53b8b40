import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { OpenAIInstrumentation, withAttribution } from '@tokenomics/instrumentation';
import { PriceBook } from '@tokenomics/pricing';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// 10,000 chat calls through the real openai client (answered by a `fetch` with known usage) with
// random models, tenants and features, scraped from the real Prometheus exporter over HTTP.
// Models match one price-book entry (`rand-*`: $2 input, $8 output per million tokens) so that every
// call is priced and the expected totals are known exactly.

const CALLS = 10_000;
const MAX_SERIES_PER_METRIC = 200; // the default
const BOOK = PriceBook.load({ overrides: { models: [{ provider: 'openai', model: 'rand-*', prices: { input: 2, output: 8 } }] } });

/** Deterministic pseudo-random integers (mulberry32), so a failure can be replayed. */
function random(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

interface Sample {
  name: string;
  labels: string;
  value: number;
}

/** The samples of a Prometheus text page, and the type of each metric family. */
function parse(page: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of page.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name, type);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(\{.*\})? (\S+)/.exec(line);
    if (m) samples.push({ name: m[1], labels: m[2] ?? '', value: Number(m[3]) });
  }
  return { types, samples };
}

/** Series per metric family: one per label set (a histogram's series counted by its `_count` lines). */
function seriesPerFamily(types: Map<string, string>, samples: Sample[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    let family = s.name;
    if (!types.has(family)) {
      if (!s.name.endsWith('_count')) continue;
      family = s.name.slice(0, -'_count'.length);
      if (types.get(family) !== 'histogram') continue;
    }
    out.set(family, (out.get(family) ?? 0) + 1);
  }
  return out;
}

describe('metric cardinality', () => {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ readers: [exporter] });
  const tracerProvider = new BasicTracerProvider();
  const instrumentation = new OpenAIInstrumentation({ priceBook: BOOK });
  let server: Server;
  let OpenAI: any;

  beforeAll(async () => {
    context.setGlobalContextManager(contextManager);
    instrumentation.setTracerProvider(tracerProvider);
    instrumentation.setMeterProvider(meterProvider);
    instrumentation.enable();
    OpenAI = createRequire(__filename)('openai').OpenAI;
    server = createServer((req, res) => exporter.getMetricsRequestHandler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    instrumentation.disable();
    await new Promise((resolve) => server.close(resolve));
    await meterProvider.shutdown();
    await tracerProvider.shutdown();
    context.disable();
    trace.disable();
    metrics.disable();
  });

  it('random models, tenants and features stay within the series cap of every metric, and the overflow keeps the cost and token totals exact', async () => {
    const next = random(10);
    const calls = Array.from({ length: CALLS }, () => ({
      model: `rand-${next(1000)}`,
      tenant: `tenant-${next(1000)}`,
      feature: `feature-${next(1000)}`,
      input: 1 + next(5000),
      output: 1 + next(2000),
    }));
    let expectedTokens = 0;
    let expectedCost = 0;
    for (const c of calls) {
      expectedTokens += c.input + c.output;
      expectedCost += (c.input * 2 + c.output * 8) / 1e6;
    }

    let i = 0;
    const fetch = (async (_url: string, init: { body: string }) => {
      const { model } = JSON.parse(init.body);
      const c = calls[i++];
      const body = {
        id: `chatcmpl-${i}`,
        object: 'chat.completion',
        created: 1_767_000_000,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: c.input, completion_tokens: c.output, total_tokens: c.input + c.output },
      };
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as unknown as typeof globalThis.fetch;
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch });
    // one call at a time, so the fetch answers each call with its own usage
    for (const c of calls) {
      await withAttribution({ tenant: c.tenant, feature: c.feature }, () =>
        client.chat.completions.create({ model: c.model, messages: [{ role: 'user', content: 'Hi' }] }),
      );
    }

    const { port } = server.address() as AddressInfo;
    const response = await globalThis.fetch(`http://127.0.0.1:${port}/metrics`);
    const page = await response.text();
    const { types, samples } = parse(page);
    const series = seriesPerFamily(types, samples);

    const families = [...series.keys()].filter((f) => f.startsWith('gen_ai_') || f.startsWith('tokenomics_'));
    // duration, token usage, tokens and cost (every call priced, none streamed or estimated)
    expect(families.length).toBe(4);
    for (const family of families) {
      // each metric's own series plus its one overflow series
      expect(series.get(family), family).toBeLessThanOrEqual(MAX_SERIES_PER_METRIC + 1);
    }
    expect(page.length).toBeLessThan(3_000_000);

    const sum = (family: string) => samples.filter((s) => s.name === family).reduce((total, s) => total + s.value, 0);
    const costFamily = families.find((f) => f.startsWith('tokenomics_cost'))!;
    const tokensFamily = families.find((f) => f.startsWith('tokenomics_tokens'))!;
    expect(samples.some((s) => s.name === costFamily && s.labels.includes('otel_metric_overflow="true"'))).toBe(true);
    expect(sum(tokensFamily)).toBe(expectedTokens);
    // summed in another order than the calls were: equal to the nanodollar
    expect(Math.abs(sum(costFamily) - expectedCost)).toBeLessThan(1e-9);
  }, 120_000);
});
