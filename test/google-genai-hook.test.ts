import type { Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTLP_SPAN_KIND, OTLP_STATUS_CODE, type OtlpReceiver, type OtlpSpan } from './support/otlp-receiver';
import { exampleFlavours, runHookedExample } from './support/examples';

// Gemini API prices (https://ai.google.dev/gemini-api/docs/pricing), USD per million tokens:
// gemini-2.5-flash $0.30 input, $0.03 cached input, $2.50 output including thinking tokens;
// gemini-2.5-pro prompts <= 200k tokens $1.25 / $0.125 / $10.00, prompts > 200k $2.50 / $0.25 / $15.00;
// gemini-embedding-001 $0.15 input.
const RATES = {
  'gemini-2.5-flash': { input: 0.3, cached: 0.03, output: 2.5 },
  'gemini-2.5-pro': { input: 1.25, cached: 0.125, output: 10 },
  'gemini-2.5-pro >200k': { input: 2.5, cached: 0.25, output: 15 },
};

/** `usageMetadata` as the example prints it. */
interface PrintedUsage {
  prompt: number;
  cached: number;
  toolUse: number;
  thoughts: number;
  candidates: number;
}

const usd = (rates: keyof typeof RATES, u: PrintedUsage) => {
  const r = RATES[rates];
  const input = u.prompt + u.toolUse;
  return ((input - u.cached) * r.input + u.cached * r.cached + (u.candidates + u.thoughts) * r.output) / 1e6;
};

const SCOPE = '@tokenomics/instrumentation-google-genai';
const API_KEY = 'gemini-e2e-secret-000';

const APPS = exampleFlavours('gemini');

describe.each(APPS)('Gemini example service with the hook: $kind', ({ app, protocol }) => {
  let emulator: Emulator;
  let receiver: OtlpReceiver;
  let stdout: string;
  let spans: OtlpSpan[];

  beforeAll(async () => {
    ({ emulator, receiver, stdout, spans } = await runHookedExample({
      app,
      protocol,
      env: (emulator) => ({
        GEMINI_BASE_URL: emulator.geminiBaseURL,
        GEMINI_API_KEY: API_KEY,
        OTEL_SERVICE_NAME: 'router-helpdesk',
      }),
      scope: SCOPE,
      spans: 9,
      timeoutMs: 60_000,
    }));
  }, 90_000);

  afterAll(async () => {
    await receiver?.close();
    await emulator?.close();
  });

  const printed = (label: string): PrintedUsage => {
    const re = new RegExp(
      `^${label}: (?:\\d+ chunks; )?(\\d+) prompt / (\\d+) cached / (\\d+) tool-use prompt / (\\d+) thoughts / (\\d+) candidates$`,
      'm',
    );
    const m = stdout.match(re);
    expect(m, `app output ${label}`).not.toBeNull();
    const [prompt, cached, toolUse, thoughts, candidates] = m!.slice(1).map(Number);
    return { prompt, cached, toolUse, thoughts, candidates };
  };
  const findByInput = (name: string, u: PrintedUsage) =>
    spans.find((s) => s.name === name && s.attributes['gen_ai.usage.input_tokens'] === u.prompt + u.toolUse)!;

  it('exports one CLIENT span per request, chats included', () => {
    expect(spans.map((s) => s.name).sort()).toEqual([
      'embeddings gemini-embedding-001',
      ...Array(6).fill('generate_content gemini-2.5-flash'),
      ...Array(2).fill('generate_content gemini-2.5-pro'),
    ]);
    for (const s of spans) {
      expect(s.kind).toBe(OTLP_SPAN_KIND.CLIENT);
      expect(s.resource['service.name']).toBe('router-helpdesk');
      expect(s.attributes['gen_ai.provider.name']).toBe('gcp.gemini');
    }
  });

  it('carries the billed token counts the app received and their exact cost, long-context tier included', () => {
    for (const [label, name, rates] of [
      ['generate gemini-2.5-flash', 'generate_content gemini-2.5-flash', 'gemini-2.5-flash'],
      ['cached gemini-2.5-flash', 'generate_content gemini-2.5-flash', 'gemini-2.5-flash'],
      ['long gemini-2.5-pro', 'generate_content gemini-2.5-pro', 'gemini-2.5-pro >200k'],
      ['stream gemini-2.5-pro', 'generate_content gemini-2.5-pro', 'gemini-2.5-pro'],
      ['chat turn 1 gemini-2.5-flash', 'generate_content gemini-2.5-flash', 'gemini-2.5-flash'],
      ['chat turn 2 gemini-2.5-flash', 'generate_content gemini-2.5-flash', 'gemini-2.5-flash'],
    ] as const) {
      const u = printed(label);
      const span = findByInput(name, u);
      expect(span, label).toBeDefined();
      expect(span.attributes['gen_ai.usage.output_tokens'], label).toBe(u.candidates + u.thoughts);
      expect(span.attributes['gen_ai.usage.cache_read.input_tokens'], label).toBe(u.cached || undefined);
      expect(span.attributes['gen_ai.usage.reasoning.output_tokens'], label).toBe(u.thoughts || undefined);
      expect(span.attributes['tokenomics.usage.estimated'], label).toBe(false);
      expect(span.attributes['gen_ai.usage.cost.amount'], label).toBeCloseTo(usd(rates, u), 12);
    }
    expect(printed('cached gemini-2.5-flash')).toMatchObject({ cached: 512, toolUse: 32, thoughts: 64 });
    expect(printed('long gemini-2.5-pro').prompt).toBeGreaterThan(200_000);
    const stream = findByInput('generate_content gemini-2.5-pro', printed('stream gemini-2.5-pro'));
    expect(stream.attributes['tokenomics.stream.outcome']).toBe('completed');
    expect(stream.attributes['gen_ai.usage.output_tokens']).toBe(40);
  });

  it('ends the span of the stream the app cancelled, with the usage reported so far flagged estimated', () => {
    expect(stdout).toContain('cancelled gemini-2.5-flash after 3 chunks');
    const cancelled = spans.filter((s) => s.attributes['tokenomics.stream.outcome'] === 'aborted');
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0].attributes['tokenomics.usage.estimated']).toBe(true);
    expect(cancelled[0].attributes['gen_ai.usage.output_tokens']).toBe(3);
  });

  it('records embeddings with an estimated input count, since the Gemini API reports none', () => {
    expect(stdout).toContain('embed gemini-embedding-001: 2 vectors');
    const embed = spans.find((s) => s.name === 'embeddings gemini-embedding-001')!;
    // o200k_base: "router reset" and "wan port colour" are 2 and 3 tokens.
    expect(embed.attributes['gen_ai.usage.input_tokens']).toBe(5);
    expect(embed.attributes['tokenomics.usage.estimated']).toBe(true);
    expect(embed.attributes['gen_ai.usage.cost.amount']).toBeCloseTo((5 * 0.15) / 1e6, 12);
  });

  it('exports the rate-limited call as one error span the app saw as a 429', () => {
    expect(stdout).toContain('generate gemini-2.5-flash failed: 429');
    const failed = spans.filter((s) => s.status.code === OTLP_STATUS_CODE.ERROR);
    expect(failed).toHaveLength(1);
    expect(failed[0].attributes['error.type']).toBe('429');
    expect(failed[0].attributes['gen_ai.usage.cost.amount']).toBeUndefined();
  });

  it('exports cost and token metrics that add up to the spans, by token type and tenant', () => {
    const costOf = (s: OtlpSpan) => (s.attributes['gen_ai.usage.cost.amount'] as number) ?? 0;
    const spanTotal = spans.reduce((sum, s) => sum + costOf(s), 0);
    const costPoints = receiver.metricPoints('tokenomics.cost');
    const sum = (points: typeof costPoints) => points.reduce((n, p) => n + (p.value ?? 0), 0);
    expect(sum(costPoints)).toBeCloseTo(spanTotal, 12);
    const acme = spans.filter((s) => s.attributes['tokenomics.attribution.tenant'] === 'acme');
    expect(sum(costPoints.filter((p) => p.attributes['tokenomics.attribution.tenant'] === 'acme'))).toBeCloseTo(
      acme.reduce((n, s) => n + costOf(s), 0),
      12,
    );
    const tokens = receiver.metricPoints('tokenomics.tokens');
    const ofType = (type: string) => sum(tokens.filter((p) => p.attributes['tokenomics.token.type'] === type));
    expect(ofType('cache_read')).toBe(512);
    expect(ofType('reasoning')).toBe(74);
    const usage = receiver.metricPoints('gen_ai.client.token.usage');
    const inputSum = usage.filter((p) => p.attributes['gen_ai.token.type'] === 'input').reduce((n, p) => n + (p.sum ?? 0), 0);
    expect(inputSum).toBe(spans.reduce((n, s) => n + ((s.attributes['gen_ai.usage.input_tokens'] as number) ?? 0), 0));
    const durations = receiver.metricPoints('gen_ai.client.operation.duration');
    expect(durations.filter((p) => p.attributes['gen_ai.provider.name'] === 'gcp.gemini').reduce((n, p) => n + (p.count ?? 0), 0)).toBe(9);
    expect(durations.some((p) => p.attributes['error.type'] === '429')).toBe(true);
    expect(receiver.metricPoints('gen_ai.client.operation.time_to_first_chunk').reduce((n, p) => n + (p.count ?? 0), 0)).toBe(2);
  });

  it('never exports the API key or prompt text', () => {
    const text = JSON.stringify(receiver.spans(), (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain('reset my router password');
  });
});
