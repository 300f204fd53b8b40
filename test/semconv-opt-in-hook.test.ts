import type { Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OtlpReceiver, OtlpSpan } from './support/otlp-receiver';
import { exampleFlavours, runHookedExample } from './support/examples';

const SCOPE = '@tokenomics/instrumentation-anthropic';

// The Anthropic example makes one call that writes 256 tokens to the 5-minute cache and 128 to the
// 1-hour cache (see anthropic-hook.test.ts, which runs it without the opt-in and sees only the
// current name).
describe.each(exampleFlavours('anthropic'))('the hook with OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai/dup: $kind', ({ app, protocol }) => {
  let emulator: Emulator;
  let receiver: OtlpReceiver;
  let spans: OtlpSpan[];

  beforeAll(async () => {
    ({ emulator, receiver, spans } = await runHookedExample({
      app,
      protocol,
      env: (emulator) => ({
        ANTHROPIC_BASE_URL: emulator.anthropicBaseURL,
        ANTHROPIC_API_KEY: 'sk-ant-e2e-secret-000',
        OTEL_SERVICE_NAME: 'bike-shop-assistant',
        OTEL_SEMCONV_STABILITY_OPT_IN: 'gen_ai/dup',
      }),
      scope: SCOPE,
      spans: 7,
    }));
  });

  afterAll(async () => {
    await receiver?.close();
    await emulator?.close();
  });

  it('exports the cache write under the current name and the pre-2026 name, with the same count', () => {
    const withWrites = spans.filter((s) => s.attributes['gen_ai.usage.cache_write.input_tokens'] === 384);
    expect(withWrites).toHaveLength(1);
    expect(withWrites[0].attributes['gen_ai.usage.cache_creation.input_tokens']).toBe(384);
    for (const s of spans) {
      expect(s.attributes['gen_ai.usage.cache_creation.input_tokens']).toBe(s.attributes['gen_ai.usage.cache_write.input_tokens']);
      expect(s.attributes['gen_ai.system']).toBe('anthropic');
    }
  });

  it('prices each call once with cost source local, and counts the cache writes once in the token metric', () => {
    const priced = receiver.spans().filter((s) => s.attributes['gen_ai.usage.cost.amount'] !== undefined);
    expect(priced).toHaveLength(6);
    expect(priced.every((s) => s.scope.name === SCOPE && s.attributes['gen_ai.usage.cost.source'] === 'local')).toBe(true);
    const tokens = receiver.metricPoints('tokenomics.tokens');
    const ofType = (type: string) =>
      tokens.filter((p) => p.attributes['tokenomics.token.type'] === type).reduce((n, p) => n + (p.value ?? 0), 0);
    expect(ofType('cache_write')).toBe(256);
    expect(ofType('cache_write_1h')).toBe(128);
  });
});
