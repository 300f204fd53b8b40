import { describe, expect, it } from 'vitest';
import { fixtureFlavours, printedTokens, runHookedExampleForSuite } from './support/hooked-suite';
import { OTLP_SPAN_KIND, OTLP_STATUS_CODE } from './support/otlp-receiver';
// Cohere list prices (https://cohere.com/pricing), USD per million tokens: Command R (08-2024)
// $0.15 input / $0.60 output; Command A $2.50 / $10; Embed 4 $0.12 input. Rerank 3.5: $2 per
// 1,000 searches, one search unit per query of up to 100 documents.
const RATES: Record<string, { input: number; output: number }> = {
  'command-r-08-2024': { input: 0.15, output: 0.6 },
  'command-a-03-2025': { input: 2.5, output: 10 },
};
const SEARCH_UNIT_USD = 0.002;

const SCOPE = '@tokenomics/instrumentation-cohere';

describe.each(fixtureFlavours('cohere'))('cohere-ai v2 through the hook: $kind', ({ app, protocol }) => {
  const run = runHookedExampleForSuite({
    app,
    protocol,
    env: (emulator) => ({ COHERE_BASE_URL: emulator.cohereBaseURL, OTEL_SERVICE_NAME: 'cohere-bike-shop' }),
    scope: SCOPE,
    spans: 6,
  });
  const printed = (label: string) => printedTokens(run.stdout, label);

  it('exports one CLIENT span per call with provider cohere and the operation of each method', () => {
    expect(run.spans.map((s) => s.name).sort()).toEqual([
      'chat command-a-03-2025',
      ...Array(3).fill('chat command-r-08-2024'),
      'embeddings embed-v4.0',
      'rerank rerank-v3.5',
    ]);
    for (const s of run.spans) {
      expect(s.kind).toBe(OTLP_SPAN_KIND.CLIENT);
      expect(s.attributes['gen_ai.provider.name']).toBe('cohere');
      expect(s.attributes['server.port']).toBe(run.emulator.port);
    }
  });

  it('records the billed units, not the token counts that include the prompt template', () => {
    const u = printed('chat command-r-08-2024');
    const saw = Number(run.stdout.match(/model saw (\d+) in/)![1]);
    expect(saw).toBeGreaterThan(u.input);
    const span = run.spans.find((s) => s.name === 'chat command-r-08-2024' && s.attributes['gen_ai.usage.input_tokens'] === u.input)!;
    expect(span).toBeDefined();
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(u.output);
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['COMPLETE']);
    expect(span.attributes['gen_ai.request.max_tokens']).toBe(300);
    expect(span.attributes['tokenomics.usage.estimated']).toBe(false);
    expect(span.attributes['gen_ai.usage.cost.amount']).toBeCloseTo((u.input * 0.15 + u.output * 0.6) / 1e6, 15);
  });

  it('prices the chat stream from the billed units of its message-end event', () => {
    const u = printed('stream command-a-03-2025');
    expect(u.output).toBe(30);
    const span = run.spans.find((s) => s.name === 'chat command-a-03-2025')!;
    expect(span.attributes['tokenomics.stream.outcome']).toBe('completed');
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(u.input);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(30);
    const r = RATES['command-a-03-2025'];
    expect(span.attributes['gen_ai.usage.cost.amount']).toBeCloseTo((u.input * r.input + u.output * r.output) / 1e6, 15);
  });

  it('prices embed on its billed input tokens', () => {
    const u = printed('embed embed-v4.0');
    const span = run.spans.find((s) => s.name === 'embeddings embed-v4.0')!;
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(u.input);
    expect(span.attributes['gen_ai.usage.cost.amount']).toBeCloseTo((u.input * 0.12) / 1e6, 15);
  });

  it('prices rerank per billed search unit: 150 documents are two units', () => {
    expect(run.stdout).toContain('rerank rerank-v3.5: 2 search units');
    const span = run.spans.find((s) => s.name === 'rerank rerank-v3.5')!;
    expect(span.attributes['gen_ai.operation.name']).toBe('rerank');
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(span.attributes['tokenomics.cost.request']).toBeCloseTo(2 * SEARCH_UNIT_USD, 15);
    expect(span.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(2 * SEARCH_UNIT_USD, 15);
  });

  it('exports the failed call as one error span with error.type 503 and no cost', () => {
    expect(run.stdout).toContain('chat failed: 503');
    const failed = run.spans.filter((s) => s.status.code === OTLP_STATUS_CODE.ERROR);
    expect(failed).toHaveLength(1);
    expect(failed[0].attributes['error.type']).toBe('503');
    expect(failed[0].attributes['gen_ai.usage.cost.amount']).toBeUndefined();
  });

  it('ends the aborted stream as aborted, with the output seen counted and flagged as estimated', () => {
    expect(run.stdout).toMatch(/^aborted after 3 deltas/m);
    const aborted = run.spans.filter((s) => s.attributes['tokenomics.stream.outcome'] === 'aborted');
    expect(aborted).toHaveLength(1);
    expect(aborted[0].attributes['tokenomics.usage.estimated']).toBe(true);
    expect(aborted[0].attributes['gen_ai.usage.output_tokens']).toBe(3);
    const input = aborted[0].attributes['gen_ai.usage.input_tokens'] as number;
    expect(input).toBeGreaterThan(5);
    expect(aborted[0].attributes['gen_ai.usage.cost.amount']).toBeCloseTo((input * 0.15 + 3 * 0.6) / 1e6, 15);
  });

  it('exports cost counters that add up to the spans, the search units under the request unit', () => {
    const spanTotal = run.spans.reduce((sum, s) => sum + ((s.attributes['gen_ai.usage.cost.amount'] as number) ?? 0), 0);
    const cost = run.receiver.metricPoints('tokenomics.cost').filter((p) => p.attributes['gen_ai.provider.name'] === 'cohere');
    expect(cost.reduce((n, p) => n + (p.value ?? 0), 0)).toBeCloseTo(spanTotal, 15);
    const request = cost.filter((p) => p.attributes['tokenomics.token.type'] === 'request');
    expect(request.reduce((n, p) => n + (p.value ?? 0), 0)).toBeCloseTo(2 * SEARCH_UNIT_USD, 15);
  });

  it('never exports the API key or prompt text', () => {
    const text = JSON.stringify(run.receiver.spans(), (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    expect(text).not.toContain('cohere-e2e-secret-000');
    expect(text).not.toContain('saddle');
  });
});
