import type { Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTLP_SPAN_KIND, OTLP_STATUS_CODE, type OtlpReceiver, type OtlpSpan } from './support/otlp-receiver';
import { exampleFlavours, runHookedExample } from './support/examples';

// Anthropic list prices (https://www.anthropic.com/pricing#api), USD per million tokens:
// claude-sonnet-4 $3 input, $3.75 5-minute cache write, $6 1-hour cache write, $0.30 cache read, $15 output;
// claude-3-5-haiku $0.80 / $1 / $1.60 / $0.08 / $4. Web search: $10 per 1,000 searches.
const RATES: Record<string, { input: number; write5m: number; write1h: number; read: number; output: number }> = {
  'claude-sonnet-4-0': { input: 3, write5m: 3.75, write1h: 6, read: 0.3, output: 15 },
  'claude-3-5-haiku-latest': { input: 0.8, write5m: 1, write1h: 1.6, read: 0.08, output: 4 },
};

/** The API's usage as the example prints it: input excludes the cache. */
interface PrintedUsage {
  input: number;
  read: number;
  write5m: number;
  write1h: number;
  output: number;
  searches: number;
}

const usd = (model: string, u: PrintedUsage) => {
  const r = RATES[model];
  return (
    (u.input * r.input + u.read * r.read + u.write5m * r.write5m + u.write1h * r.write1h + u.output * r.output) / 1e6 + u.searches * 0.01
  );
};

const SCOPE = '@tokenomics/instrumentation-anthropic';
const SDK_SCOPE = 'com.anthropic.sdk.typescript';

const APPS = exampleFlavours('anthropic');

describe.each(APPS)('Anthropic example service with the hook: $kind', ({ app, protocol }) => {
  let emulator: Emulator;
  let receiver: OtlpReceiver;
  let stdout: string;
  let spans: OtlpSpan[];
  let all: OtlpSpan[];

  beforeAll(async () => {
    ({ emulator, receiver, stdout, spans } = await runHookedExample({
      app,
      protocol,
      env: (emulator) => ({
        ANTHROPIC_BASE_URL: emulator.anthropicBaseURL,
        ANTHROPIC_API_KEY: 'sk-ant-e2e-secret-000',
        OTEL_SERVICE_NAME: 'bike-shop-assistant',
      }),
      scope: SCOPE,
      spans: 7,
    }));
    all = receiver.spans();
  });

  afterAll(async () => {
    await receiver?.close();
    await emulator?.close();
  });

  const printed = (label: string): PrintedUsage => {
    const re = new RegExp(
      `^${label}: (?:\\d+ deltas; )?(\\d+) in / (\\d+) cache read / (\\d+) cache write 5m / (\\d+) cache write 1h / (\\d+) out / (\\d+) searches$`,
      'm',
    );
    const m = stdout.match(re);
    expect(m, `app output ${label}`).not.toBeNull();
    const [input, read, write5m, write1h, output, searches] = m!.slice(1).map(Number);
    return { input, read, write5m, write1h, output, searches };
  };
  const completed = (name: string) => spans.filter((s) => s.name === name && s.status.code !== OTLP_STATUS_CODE.ERROR);
  const findByInput = (name: string, u: PrintedUsage) =>
    completed(name).find((s) => s.attributes['gen_ai.usage.input_tokens'] === u.input + u.read + u.write5m + u.write1h)!;

  it('exports one CLIENT span per call and none of the SDK own call spans', () => {
    expect(spans.map((s) => s.name).sort()).toEqual(['chat claude-3-5-haiku-latest', ...Array(6).fill('chat claude-sonnet-4-0')]);
    for (const s of spans) {
      expect(s.kind).toBe(OTLP_SPAN_KIND.CLIENT);
      expect(s.resource['service.name']).toBe('bike-shop-assistant');
      expect(s.attributes['gen_ai.provider.name']).toBe('anthropic');
      expect(s.attributes['gen_ai.operation.name']).toBe('chat');
    }
    // The SDK keeps only the span of the call we do not record: the token count.
    expect(all.filter((s) => s.scope.name === SDK_SCOPE).map((s) => s.name)).toEqual(['anthropic.messages.count_tokens']);
    expect(stdout).toMatch(/^count_tokens claude-sonnet-4-0: \d+ tokens$/m);
  });

  it('prices each call on exactly one span', () => {
    const priced = all.filter((s) => s.attributes['gen_ai.usage.cost.amount'] !== undefined);
    expect(priced).toHaveLength(6);
    expect(priced.every((s) => s.scope.name === SCOPE)).toBe(true);
  });

  it('carries the billed token counts the app received and their exact cost, cache and web search included', () => {
    for (const [label, model] of [
      ['create claude-sonnet-4-0', 'claude-sonnet-4-0'],
      ['cached claude-sonnet-4-0', 'claude-sonnet-4-0'],
      ['search claude-3-5-haiku-latest', 'claude-3-5-haiku-latest'],
      ['stream claude-sonnet-4-0', 'claude-sonnet-4-0'],
      ['helper claude-sonnet-4-0', 'claude-sonnet-4-0'],
    ] as const) {
      const u = printed(label);
      const span = findByInput(`chat ${model}`, u);
      expect(span, label).toBeDefined();
      expect(span.attributes['gen_ai.usage.output_tokens'], label).toBe(u.output);
      expect(span.attributes['gen_ai.usage.cache_read.input_tokens'], label).toBe(u.read);
      expect(span.attributes['gen_ai.usage.cache_write.input_tokens'], label).toBe(u.write5m + u.write1h);
      expect(span.attributes['gen_ai.usage.cache_creation.input_tokens'], label).toBeUndefined();
      expect(span.attributes['gen_ai.usage.cost.source'], label).toBe('local');
      expect(span.attributes['tokenomics.usage.estimated'], label).toBe(false);
      expect(span.attributes['gen_ai.usage.cost.amount'], label).toBeCloseTo(usd(model, u), 12);
    }
    const cached = printed('cached claude-sonnet-4-0');
    expect(cached).toMatchObject({ read: 1024, write5m: 256, write1h: 128 });
    const search = findByInput('chat claude-3-5-haiku-latest', printed('search claude-3-5-haiku-latest'));
    expect(search.attributes['tokenomics.cost.request']).toBeCloseTo(0.02, 12);
    const stream = findByInput('chat claude-sonnet-4-0', printed('stream claude-sonnet-4-0'));
    expect(stream.attributes['tokenomics.stream.outcome']).toBe('completed');
    expect(stream.attributes['gen_ai.usage.output_tokens']).toBe(40);
  });

  it('ends the span of the stream the app cancelled, with the billed input and the output seen', () => {
    expect(stdout).toContain('cancelled claude-sonnet-4-0 after 3 deltas');
    const cancelled = spans.filter((s) => s.attributes['tokenomics.stream.outcome'] === 'aborted');
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0].attributes['tokenomics.usage.estimated']).toBe(true);
    expect(cancelled[0].attributes['gen_ai.usage.output_tokens']).toBe(3);
    expect(cancelled[0].attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(5);
  });

  it('exports the rate-limited call as one error span the app saw as a 429', () => {
    expect(stdout).toContain('create claude-sonnet-4-0 failed: 429');
    const failed = spans.filter((s) => s.status.code === OTLP_STATUS_CODE.ERROR);
    expect(failed).toHaveLength(1);
    expect(failed[0].attributes['error.type']).toBe('429');
    expect(failed[0].attributes['gen_ai.usage.cost.amount']).toBeUndefined();
  });

  it('exports cost and token metrics that add up to the spans, by token type and tenant', () => {
    const spanTotal = spans.reduce((sum, s) => sum + ((s.attributes['gen_ai.usage.cost.amount'] as number) ?? 0), 0);
    const costPoints = receiver.metricPoints('tokenomics.cost');
    expect(costPoints[0].unit).toBe('USD');
    const sum = (points: typeof costPoints) => points.reduce((n, p) => n + (p.value ?? 0), 0);
    expect(sum(costPoints)).toBeCloseTo(spanTotal, 12);
    expect(sum(costPoints.filter((p) => p.attributes['tokenomics.token.type'] === 'request'))).toBeCloseTo(0.02, 12);
    const acme = spans.filter((s) => s.attributes['tokenomics.attribution.tenant'] === 'acme');
    expect(sum(costPoints.filter((p) => p.attributes['tokenomics.attribution.tenant'] === 'acme'))).toBeCloseTo(
      acme.reduce((n, s) => n + ((s.attributes['gen_ai.usage.cost.amount'] as number) ?? 0), 0),
      12,
    );
    const tokens = receiver.metricPoints('tokenomics.tokens');
    const ofType = (type: string) => sum(tokens.filter((p) => p.attributes['tokenomics.token.type'] === type));
    expect(ofType('cache_read')).toBe(1024);
    expect(ofType('cache_write')).toBe(256);
    expect(ofType('cache_write_1h')).toBe(128);
    const usage = receiver.metricPoints('gen_ai.client.token.usage');
    const inputSum = usage.filter((p) => p.attributes['gen_ai.token.type'] === 'input').reduce((n, p) => n + (p.sum ?? 0), 0);
    expect(inputSum).toBe(spans.reduce((n, s) => n + ((s.attributes['gen_ai.usage.input_tokens'] as number) ?? 0), 0));
    const durations = receiver.metricPoints('gen_ai.client.operation.duration');
    expect(durations.filter((p) => p.attributes['gen_ai.provider.name'] === 'anthropic').reduce((n, p) => n + (p.count ?? 0), 0)).toBe(7);
    expect(durations.some((p) => p.attributes['error.type'] === '429')).toBe(true);
    expect(receiver.metricPoints('gen_ai.client.operation.time_to_first_chunk').reduce((n, p) => n + (p.count ?? 0), 0)).toBe(3);
  });

  it('never exports the API key or prompt text', () => {
    const text = JSON.stringify(all, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    expect(text).not.toContain('sk-ant-e2e-secret-000');
    expect(text).not.toContain('tyre pressure');
  });
});
