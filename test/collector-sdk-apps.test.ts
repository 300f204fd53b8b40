/**
 * Real OpenTelemetry JS SDK apps (child processes) instrumented with the official contrib
 * `@opentelemetry/instrumentation-openai` and with OpenLLMetry's `@traceloop/instrumentation-openai`
 * call the emulator with the real `openai` client and export OTLP to the collector stage (contrib
 * over OTLP/HTTP protobuf, OpenLLMetry over OTLP/gRPC, both gzip-compressed), which forwards to a
 * receiver. The same app
 * under the Tokenomics hook exports straight to the receiver: every GenAI span that went through the
 * stage arrives priced exactly once, with the hook's figure for the same call; the app's own span
 * arrives as it was sent. The contrib service's cost counters come from its token-usage histograms
 * (`costMetricsFromServices`), OpenLLMetry's from its spans (the default): each call counted once.
 *
 * List prices, USD per million tokens: gpt-4o-mini $0.15 input / $0.60 output; gpt-4o $2.50 input /
 * $1.25 cached input / $10 output; text-embedding-3-small $0.02 input.
 */
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenomicsCollector } from '../packages/collector/src/index';
import { startOtlpReceiver, type OtlpMetricPoint, type OtlpReceiver, type OtlpSpan } from './support/otlp-receiver';
import { runApp, type HookMode } from './support/run-app';

const APP = join(__dirname, 'fixtures', 'collector', 'openai-sdk-app.cjs');
const RATES: Record<string, { input: number; cached: number; output: number }> = {
  'gpt-4o-mini': { input: 0.15, cached: 0.075, output: 0.6 },
  'gpt-4o': { input: 2.5, cached: 1.25, output: 10 },
  'text-embedding-3-small': { input: 0.02, cached: 0.02, output: 0 },
};
interface ApiUsage {
  prompt_tokens: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number };
}
const usd = (model: string, u: ApiUsage) => {
  const cached = u.prompt_tokens_details?.cached_tokens ?? 0;
  const r = RATES[model];
  return ((u.prompt_tokens - cached) * r.input + cached * r.cached + (u.completion_tokens ?? 0) * r.output) / 1e6;
};

let emulator: Emulator;
let receiver: OtlpReceiver;
let stage: TokenomicsCollector;
const usage: Record<string, Record<string, ApiUsage>> = {};

async function run(service: string, mode: 'contrib' | 'traceloop' | 'hook', endpoint: string, protocol: string, compression = 'none') {
  const hook: HookMode = mode === 'hook' ? 'require' : 'none';
  const result = await runApp({
    app: APP,
    hook,
    timeoutMs: 60_000,
    env: {
      APP_INSTRUMENTATION: mode,
      OPENAI_BASE_URL: emulator.openaiBaseURL,
      OTEL_SERVICE_NAME: service,
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_EXPORTER_OTLP_COMPRESSION: compression,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_METRIC_EXPORT_INTERVAL: '60000',
    },
  });
  expect(result.code, result.stderr).toBe(0);
  usage[service] = JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as Record<string, ApiUsage>;
}

const spansOf = (service: string) => receiver.spans().filter((s) => s.resource['service.name'] === service);
const modelOf = (s: OtlpSpan) => String(s.attributes['gen_ai.request.model'] ?? '');
const isGenAi = (s: OtlpSpan) => modelOf(s) !== '';

beforeAll(async () => {
  emulator = await startEmulator();
  receiver = await startOtlpReceiver();
  stage = new TokenomicsCollector({
    http: { host: '127.0.0.1', port: 0 },
    grpc: { host: '127.0.0.1', port: 0 },
    destinations: [{ endpoint: receiver.url }],
    metricsIntervalMs: 3_600_000,
    costMetricsFromServices: { contrib: 'histograms' },
  });
  await stage.start();
  const { http, grpc } = stage.addresses;
  await run('hooked', 'hook', receiver.url, 'http/protobuf');
  await run('contrib', 'contrib', `http://${http}`, 'http/protobuf', 'gzip');
  await run('openllmetry', 'traceloop', `http://${grpc}`, 'grpc', 'gzip');
  await receiver.waitFor((r) => {
    const names = new Set(r.spans().map((s) => s.resource['service.name']));
    return (
      names.has('hooked') &&
      names.has('contrib') &&
      names.has('openllmetry') &&
      spansOf('openllmetry').length >= 3 &&
      spansOf('contrib').length >= 4
    );
  }, 30_000);
}, 180_000);

afterAll(async () => {
  await stage?.shutdown();
  await receiver?.close();
  await emulator?.close();
});

// OpenLLMetry's instrumentation records chat completions only, no embeddings.
describe.each([
  { service: 'contrib', models: ['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small'] },
  { service: 'openllmetry', models: ['gpt-4o', 'gpt-4o-mini'] },
])('$service instrumentation through the stage', ({ service, models }) => {
  it('prices every GenAI span exactly once with the figure the hook computes for the same call', () => {
    const genai = spansOf(service).filter(isGenAi);
    expect(genai.map(modelOf).sort()).toEqual(models);
    const hooked = spansOf('hooked').filter(isGenAi);
    // gpt-4o's prompt was partly cached; neither instrumentation reports the cached share (see below).
    for (const span of genai.filter((s) => modelOf(s) !== 'gpt-4o')) {
      const model = modelOf(span);
      const hook = hooked.find((h) => modelOf(h) === model)!;
      expect(hook.attributes['gen_ai.usage.cost.amount'], model).toBeCloseTo(usd(model, usage.hooked[model]), 12);
      expect(span.attributes['gen_ai.usage.cost.amount'], model).toBeCloseTo(hook.attributes['gen_ai.usage.cost.amount'] as number, 12);
      expect(span.attributes['gen_ai.usage.cost.amount'], model).toBeCloseTo(usd(model, usage[service][model]), 12);
      expect(span.attributes['tokenomics.duplicate_of']).toBeUndefined();
      expect(span.attributes['tokenomics.unpriced']).toBeUndefined();
    }
  });

  it("passes the app's own span through with exactly the attributes it was sent with", () => {
    const root = spansOf(service).find((s) => s.name === 'handle support request')!;
    expect(root.attributes).toEqual({ 'http.route': '/support', 'bike_shop.ticket': 4711 });
    for (const span of spansOf(service).filter(isGenAi)) expect(span.parentSpanId).toBe(root.spanId);
  });
});

describe('a partly cached prompt whose instrumentation does not report the cached share', () => {
  it.each(['contrib', 'openllmetry'])(
    '%s: priced once at the uncached input rate, the upper bound of what the hook (which sees the cache) computes',
    (service) => {
      const u = usage[service]['gpt-4o'];
      expect(u.prompt_tokens_details?.cached_tokens).toBe(1024);
      const span = spansOf(service).find((s) => modelOf(s) === 'gpt-4o')!;
      expect(span.attributes['gen_ai.usage.cache_read.input_tokens']).toBeUndefined();
      const uncached = usd('gpt-4o', { ...u, prompt_tokens_details: { cached_tokens: 0 } });
      expect(span.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(uncached, 12);
      const hook = spansOf('hooked').find((s) => modelOf(s) === 'gpt-4o')!;
      expect(hook.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(usd('gpt-4o', usage.hooked['gpt-4o']), 12);
      expect(hook.attributes['gen_ai.usage.cost.amount'] as number).toBeLessThan(span.attributes['gen_ai.usage.cost.amount'] as number);
    },
  );
});

describe('foreign token-usage histograms', () => {
  it("turns the contrib instrumentation's gen_ai.client.token.usage into tokenomics.cost: output exact, input flagged estimated", async () => {
    const points = await receiver.waitFor((r) => {
      const p = r
        .metricPoints('tokenomics.cost')
        .filter((x) => x.resource['service.name'] === 'contrib' && x.scope.name === '@tokenomics/exporter');
      return p.length > 0 ? p : undefined;
    }, 20_000);
    const output = points.find(
      (p) => p.attributes['gen_ai.request.model'] === 'gpt-4o-mini' && p.attributes['tokenomics.token.type'] === 'output',
    );
    expect(output?.value).toBeCloseTo((usage.contrib['gpt-4o-mini'].completion_tokens! * 0.6) / 1e6, 12);
    expect(output?.attributes['tokenomics.usage.estimated']).toBe(false);
    const input = points.find(
      (p) => p.attributes['gen_ai.request.model'] === 'gpt-4o-mini' && p.attributes['tokenomics.token.type'] === 'input',
    );
    // No cache split in a histogram: gpt-4o-mini input priced uncached, flagged as an estimate.
    expect(input?.value).toBeCloseTo((usage.contrib['gpt-4o-mini'].prompt_tokens * 0.15) / 1e6, 12);
    expect(input?.attributes['tokenomics.usage.estimated']).toBe(true);
  });
});

describe('each call counted once, from the source chosen per service', () => {
  const costPoints = async (service: string, scope: string) => {
    stage.flushCostMetrics();
    return receiver.waitFor((r) => {
      const p = r.metricPoints('tokenomics.cost').filter((x) => x.resource['service.name'] === service && x.scope.name === scope);
      return p.length > 0 ? p : undefined;
    }, 20_000);
  };
  const latest = (points: OtlpMetricPoint[], model: string, type: string) =>
    points.filter((p) => p.attributes['gen_ai.request.model'] === model && p.attributes['tokenomics.token.type'] === type).at(-1);

  it("counts OpenLLMetry's spans in the stage's cost counters, input flagged estimated as the histogram path flags it", async () => {
    const points = await costPoints('openllmetry', '@tokenomics/collector');
    const u = usage.openllmetry['gpt-4o-mini'];
    const input = latest(points, 'gpt-4o-mini', 'input');
    // 1 call: prompt tokens x $0.15 per million, priced uncached (the span shows no cache count).
    expect(input?.value).toBeCloseTo((u.prompt_tokens * 0.15) / 1e6, 12);
    expect(input?.attributes['tokenomics.usage.estimated']).toBe(true);
    const output = latest(points, 'gpt-4o-mini', 'output');
    expect(output?.value).toBeCloseTo((u.completion_tokens! * 0.6) / 1e6, 12);
    expect(output?.attributes['tokenomics.usage.estimated']).toBe(false);
    const span = spansOf('openllmetry').find((s) => modelOf(s) === 'gpt-4o-mini')!;
    expect(span.attributes['tokenomics.usage.estimated']).toBe(true);
  });

  it("flags a model without a cache discount exact on the span (contrib's embedding)", () => {
    const span = spansOf('contrib').find((s) => modelOf(s) === 'text-embedding-3-small')!;
    expect(span.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(
      (usage.contrib['text-embedding-3-small'].prompt_tokens * 0.02) / 1e6,
      12,
    );
    expect(span.attributes['tokenomics.usage.estimated']).toBeUndefined();
  });

  it('sends no span-derived cost counter for the contrib service, whose cost comes from its histograms', async () => {
    await costPoints('contrib', '@tokenomics/exporter');
    await costPoints('openllmetry', '@tokenomics/collector');
    const fromSpans = receiver
      .metricPoints('tokenomics.cost')
      .filter((x) => x.resource['service.name'] === 'contrib' && x.scope.name === '@tokenomics/collector');
    expect(fromSpans).toEqual([]);
    const converted = receiver
      .metricPoints('tokenomics.cost')
      .filter((x) => x.resource['service.name'] === 'openllmetry' && x.scope.name === '@tokenomics/exporter');
    expect(converted).toEqual([]);
  });
});
