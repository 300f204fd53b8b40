import type { Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTLP_SPAN_KIND, OTLP_STATUS_CODE, type OtlpReceiver, type OtlpSpan } from './support/otlp-receiver';
import { exampleFlavours, runHookedExample } from './support/examples';

// OpenAI list prices, USD per million tokens (https://openai.com/api/pricing/):
// gpt-4o-mini $0.15 in / $0.075 cached / $0.60 out; gpt-4o $2.50 / $1.25 / $10.00;
// o3-mini $1.10 / $0.55 / $4.40; gpt-4.1 $2.00 / $0.50 / $8.00; text-embedding-3-small $0.02.
const RATES: Record<string, { input: number; cached: number; output: number }> = {
  'gpt-4o-mini': { input: 0.15, cached: 0.075, output: 0.6 },
  'gpt-4o': { input: 2.5, cached: 1.25, output: 10 },
  'o3-mini': { input: 1.1, cached: 0.55, output: 4.4 },
  'gpt-4.1': { input: 2, cached: 0.5, output: 8 },
  'text-embedding-3-small': { input: 0.02, cached: 0.02, output: 0 },
};
const usd = (model: string, input: number, output: number, cached = 0) =>
  ((input - cached) * RATES[model].input + cached * RATES[model].cached + output * RATES[model].output) / 1e6;

const APPS = exampleFlavours('openai');

describe.each(APPS)('example service with the hook: $kind', ({ app, protocol }) => {
  let emulator: Emulator;
  let receiver: OtlpReceiver;
  let stdout: string;
  let spans: OtlpSpan[];

  beforeAll(async () => {
    ({ emulator, receiver, stdout, spans } = await runHookedExample({
      app,
      protocol,
      env: (emulator) => ({
        OPENAI_BASE_URL: emulator.openaiBaseURL,
        OPENAI_API_KEY: 'sk-e2e-secret-000',
        OTEL_SERVICE_NAME: 'bike-shop-support',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
      }),
      scope: '@tokenomics/instrumentation-openai',
      spans: 7,
    }));
  });

  afterAll(async () => {
    await receiver?.close();
    await emulator?.close();
  });

  const line = (re: RegExp) => {
    const m = stdout.match(re);
    expect(m, `app output ${re}`).not.toBeNull();
    return m!.slice(1).map(Number);
  };
  const byRequestModel = (name: string) => spans.filter((s) => s.name === name);

  it('exports one CLIENT span per call with the resource from the environment', () => {
    expect(spans.map((s) => s.name).sort()).toEqual([
      'chat gpt-4.1',
      'chat gpt-4o',
      'chat gpt-4o-mini',
      'chat gpt-4o-mini',
      'chat gpt-4o-mini',
      'chat o3-mini',
      'embeddings text-embedding-3-small',
    ]);
    for (const s of spans) {
      expect(s.kind).toBe(OTLP_SPAN_KIND.CLIENT);
      expect(s.resource['service.name']).toBe('bike-shop-support');
      expect(s.resource['deployment.environment.name']).toBe('test');
      expect(s.attributes['gen_ai.provider.name']).toBe('openai');
    }
  });

  it('carries the billed token counts the app received and their exact cost', () => {
    const [in1, out1] = line(/chat gpt-4o-mini: (\d+) in \/ (\d+) out/);
    const plain = byRequestModel('chat gpt-4o-mini').find((s) => s.attributes['gen_ai.usage.input_tokens'] === in1)!;
    expect(plain.attributes['gen_ai.usage.output_tokens']).toBe(out1);
    expect(plain.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(usd('gpt-4o-mini', in1, out1), 12);

    const [cached, in2] = line(/chat gpt-4o \(cached (\d+)\): (\d+) in/);
    const c = byRequestModel('chat gpt-4o')[0];
    expect(c.attributes['gen_ai.usage.input_tokens']).toBe(in2);
    expect(c.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(cached);
    const out2 = c.attributes['gen_ai.usage.output_tokens'] as number;
    expect(c.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(usd('gpt-4o', in2, out2, cached), 12);

    const [chunks] = line(/stream gpt-4o-mini: (\d+) content chunks/);
    const streamed = byRequestModel('chat gpt-4o-mini').find((s) => s.attributes['tokenomics.stream.outcome'] === 'completed')!;
    expect(streamed.attributes['gen_ai.usage.output_tokens']).toBe(chunks);
    expect(streamed.attributes['tokenomics.usage.estimated']).toBe(false);

    const [reasoning] = line(/chat o3-mini: (\d+) reasoning tokens/);
    const o3 = byRequestModel('chat o3-mini')[0];
    expect(o3.attributes['gen_ai.usage.reasoning.output_tokens']).toBe(reasoning);
    expect(o3.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(
      usd('o3-mini', o3.attributes['gen_ai.usage.input_tokens'] as number, o3.attributes['gen_ai.usage.output_tokens'] as number),
      12,
    );

    const [in4, out4] = line(/responses gpt-4.1: (\d+) in \/ (\d+) out/);
    const r = byRequestModel('chat gpt-4.1')[0];
    expect([r.attributes['gen_ai.usage.input_tokens'], r.attributes['gen_ai.usage.output_tokens']]).toEqual([in4, out4]);
    expect(r.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(usd('gpt-4.1', in4, out4), 12);

    const [in5] = line(/embeddings text-embedding-3-small: (\d+) in/);
    const e = byRequestModel('embeddings text-embedding-3-small')[0];
    expect(e.attributes['gen_ai.usage.input_tokens']).toBe(in5);
    expect(e.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(usd('text-embedding-3-small', in5, 0), 14);
  });

  it('exports the rate-limited call as an error span the app saw as a 429', () => {
    expect(stdout).toContain('chat gpt-4o-mini failed: 429');
    const failed = spans.filter((s) => s.status.code === OTLP_STATUS_CODE.ERROR);
    expect(failed).toHaveLength(1);
    expect(failed[0].attributes['error.type']).toBe('429');
  });

  it('exports cost and token metrics that add up to the spans, attributed to tenants', () => {
    const spanTotal = spans.reduce((sum, s) => sum + ((s.attributes['gen_ai.usage.cost.amount'] as number) ?? 0), 0);
    const costPoints = receiver.metricPoints('tokenomics.cost');
    expect(costPoints[0].unit).toBe('USD');
    expect(costPoints[0].isMonotonic).toBe(true);
    const metricTotal = costPoints.reduce((sum, p) => sum + (p.value ?? 0), 0);
    expect(metricTotal).toBeCloseTo(spanTotal, 12);
    const acme = costPoints.filter((p) => p.attributes['tokenomics.attribution.tenant'] === 'acme');
    const acmeSpans = spans.filter((s) => s.attributes['tokenomics.attribution.tenant'] === 'acme');
    expect(acme.reduce((n, p) => n + (p.value ?? 0), 0)).toBeCloseTo(
      acmeSpans.reduce((n, s) => n + ((s.attributes['gen_ai.usage.cost.amount'] as number) ?? 0), 0),
      12,
    );
    const tokens = receiver.metricPoints('tokenomics.tokens');
    const cacheRead = tokens.filter((p) => p.attributes['tokenomics.token.type'] === 'cache_read');
    expect(cacheRead.reduce((n, p) => n + (p.value ?? 0), 0)).toBe(1024);
    const durations = receiver.metricPoints('gen_ai.client.operation.duration');
    expect(durations.reduce((n, p) => n + (p.count ?? 0), 0)).toBe(7);
    expect(durations.some((p) => p.attributes['error.type'] === '429')).toBe(true);
    expect(receiver.metricPoints('gen_ai.client.operation.time_to_first_chunk').reduce((n, p) => n + (p.count ?? 0), 0)).toBe(1);
  });

  it('never exports the API key or prompt text', () => {
    const text = JSON.stringify(spans, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    expect(text).not.toContain('sk-e2e-secret-000');
    expect(text).not.toContain('tyre pressure');
  });
});
