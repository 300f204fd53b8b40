import { describe, expect, it } from 'vitest';
import { fixtureFlavours, printedTokens, runHookedExampleForSuite } from './support/hooked-suite';
import { OTLP_SPAN_KIND, OTLP_STATUS_CODE } from './support/otlp-receiver';
// Mistral AI list prices (https://mistral.ai/pricing#api-pricing), USD per million tokens:
// Mistral Small $0.10 input / $0.30 output; Codestral $0.30 / $0.90; Mistral Embed $0.10 input.
const RATES: Record<string, { input: number; output: number }> = {
  'mistral-small-latest': { input: 0.1, output: 0.3 },
  'codestral-latest': { input: 0.3, output: 0.9 },
  'mistral-embed': { input: 0.1, output: 0 },
};

const SCOPE = '@tokenomics/instrumentation-mistral';

describe.each(fixtureFlavours('mistral', 'CommonJS (--require, require() of the ES module package)'))(
  '@mistralai/mistralai through the hook: $kind',
  ({ app, protocol }) => {
    const run = runHookedExampleForSuite({
      app,
      protocol,
      env: (emulator) => ({ MISTRAL_SERVER_URL: emulator.mistralServerURL, OTEL_SERVICE_NAME: 'mistral-bike-shop' }),
      scope: SCOPE,
      spans: 8,
    });
    const printed = (label: string) => printedTokens(run.stdout, label, true);
    const spanFor = (name: string, input: number, streamed: boolean) =>
      run.spans.find(
        (s) =>
          s.name === name &&
          s.attributes['gen_ai.usage.input_tokens'] === input &&
          (s.attributes['tokenomics.stream.outcome'] !== undefined) === streamed &&
          s.attributes['tokenomics.usage.estimated'] === false,
      );

    it('exports one CLIENT span per call with provider mistral_ai and the operation of each method', () => {
      expect(run.spans.map((s) => s.name).sort()).toEqual([
        ...Array(5).fill('chat mistral-small-latest'),
        'embeddings mistral-embed',
        'text_completion codestral-latest',
        'text_completion codestral-latest',
      ]);
      for (const s of run.spans) {
        expect(s.kind).toBe(OTLP_SPAN_KIND.CLIENT);
        expect(s.attributes['gen_ai.provider.name']).toBe('mistral_ai');
        expect(s.attributes['server.address']).toBe('127.0.0.1');
        expect(s.attributes['server.port']).toBe(run.emulator.port);
      }
    });

    it('carries the token counts the app received and their exact cost, streamed (read with for await or a reader) or not', () => {
      for (const [label, name, model, streamed] of [
        ['chat mistral-small-latest', 'chat mistral-small-latest', 'mistral-small-latest', false],
        ['stream mistral-small-latest', 'chat mistral-small-latest', 'mistral-small-latest', true],
        ['reader mistral-small-latest', 'chat mistral-small-latest', 'mistral-small-latest', true],
        ['fim codestral-latest', 'text_completion codestral-latest', 'codestral-latest', false],
        ['fim stream codestral-latest', 'text_completion codestral-latest', 'codestral-latest', true],
      ] as const) {
        const u = printed(label);
        const span = spanFor(name, u.input, streamed);
        expect(span, label).toBeDefined();
        expect(span!.attributes['gen_ai.usage.output_tokens'], label).toBe(u.output);
        expect(span!.attributes['gen_ai.usage.cost.source'], label).toBe('local');
        const r = RATES[model];
        expect(span!.attributes['gen_ai.usage.cost.amount'], label).toBeCloseTo((u.input * r.input + u.output * r.output) / 1e6, 15);
        if (streamed) expect(span!.attributes['tokenomics.stream.outcome'], label).toBe('completed');
      }
      expect(printed('stream mistral-small-latest').output).toBe(30);
    });

    it('prices embeddings on their input tokens only', () => {
      const u = printed('embed mistral-embed');
      const span = run.spans.find((s) => s.name === 'embeddings mistral-embed')!;
      expect(span.attributes['gen_ai.usage.input_tokens']).toBe(u.input);
      expect(span.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
      expect(span.attributes['gen_ai.usage.cost.amount']).toBeCloseTo((u.input * 0.1) / 1e6, 15);
    });

    it('exports the rate-limited call as one error span with error.type 429 and no cost', () => {
      expect(run.stdout).toContain('chat failed: 429');
      const failed = run.spans.filter((s) => s.status.code === OTLP_STATUS_CODE.ERROR);
      expect(failed).toHaveLength(1);
      expect(failed[0].attributes['error.type']).toBe('429');
      expect(failed[0].attributes['gen_ai.usage.cost.amount']).toBeUndefined();
      expect(failed[0].attributes['tokenomics.unpriced']).toBeUndefined();
    });

    it('ends the aborted stream as aborted, with the output seen counted and flagged as estimated', () => {
      expect(run.stdout).toContain('aborted after 3 chunks: AbortError');
      const aborted = run.spans.filter((s) => s.attributes['tokenomics.stream.outcome'] === 'aborted');
      expect(aborted).toHaveLength(1);
      expect(aborted[0].status.code).not.toBe(OTLP_STATUS_CODE.ERROR);
      expect(aborted[0].attributes['tokenomics.usage.estimated']).toBe(true);
      expect(aborted[0].attributes['gen_ai.usage.output_tokens']).toBe(3);
      const input = aborted[0].attributes['gen_ai.usage.input_tokens'] as number;
      expect(input).toBeGreaterThan(5);
      expect(aborted[0].attributes['gen_ai.usage.cost.amount']).toBeCloseTo((input * 0.1 + 3 * 0.3) / 1e6, 15);
    });

    it('exports a cost counter that adds up to the spans', () => {
      const spanTotal = run.spans.reduce((sum, s) => sum + ((s.attributes['gen_ai.usage.cost.amount'] as number) ?? 0), 0);
      const cost = run.receiver.metricPoints('tokenomics.cost').filter((p) => p.attributes['gen_ai.provider.name'] === 'mistral_ai');
      expect(cost.reduce((n, p) => n + (p.value ?? 0), 0)).toBeCloseTo(spanTotal, 15);
    });

    it('never exports the API key or prompt text', () => {
      const text = JSON.stringify(run.receiver.spans(), (_k, v) => (typeof v === 'bigint' ? String(v) : v));
      expect(text).not.toContain('mistral-e2e-secret-000');
      expect(text).not.toContain('steep hill');
    });
  },
);
