import { describe, expect, it } from 'vitest';
import * as contract from '@tokenomics/contract';

describe('names', () => {
  it('spells no attribute or metric name twice', () => {
    const names = (Object.entries(contract) as [string, unknown][]).filter(
      (e): e is [string, string] => /^(ATTR|METRIC)_/.test(e[0]) && typeof e[1] === 'string',
    );
    const byValue = new Map<string, string[]>();
    for (const [key, value] of names) byValue.set(value, [...(byValue.get(value) ?? []), key]);
    expect([...byValue].filter(([, keys]) => keys.length > 1)).toEqual([]);
    expect(names.length).toBeGreaterThan(100);
  });

  it('declares each metric once, with the GenAI conventions bucket advice on the histograms', () => {
    expect(contract.GEN_AI_CLIENT_TOKEN_USAGE).toMatchObject({ name: 'gen_ai.client.token.usage', unit: '{token}' });
    expect(contract.GEN_AI_CLIENT_TOKEN_USAGE.buckets?.slice(0, 4)).toEqual([1, 4, 16, 64]);
    expect(contract.GEN_AI_CLIENT_OPERATION_DURATION).toMatchObject({ name: 'gen_ai.client.operation.duration', unit: 's' });
    expect(contract.GEN_AI_CLIENT_OPERATION_DURATION.buckets?.at(-1)).toBe(81.92);
    expect(contract.TOKENOMICS_COST).toMatchObject({ name: 'tokenomics.cost', unit: 'USD' });
  });

  it('spells metric and attribute names for Prometheus as its exporter does', () => {
    expect(contract.prometheusName(contract.METRIC_TOKENOMICS_CALLS_UNPRICED)).toBe('tokenomics_calls_unpriced');
    expect(contract.prometheusName(contract.ATTR_GEN_AI_RESPONSE_MODEL)).toBe('gen_ai_response_model');
  });

  it('emits the deprecated GenAI names only with gen_ai/dup (or gen_ai_dup) in OTEL_SEMCONV_STABILITY_OPT_IN', () => {
    expect(contract.emitDeprecatedGenAINames({})).toBe(false);
    expect(contract.emitDeprecatedGenAINames({ OTEL_SEMCONV_STABILITY_OPT_IN: 'http' })).toBe(false);
    expect(contract.emitDeprecatedGenAINames({ OTEL_SEMCONV_STABILITY_OPT_IN: 'http, gen_ai/dup' })).toBe(true);
    expect(contract.emitDeprecatedGenAINames({ OTEL_SEMCONV_STABILITY_OPT_IN: 'GEN_AI_DUP' })).toBe(true);
  });

  it('maps every OpenLLMetry request type and token type spelling to a current value', () => {
    expect(contract.LLM_REQUEST_TYPE_OPERATIONS.get('completion')).toBe(contract.OPERATION_TEXT_COMPLETION);
    expect(contract.LLM_REQUEST_TYPE_OPERATIONS.get('embedding')).toBe(contract.OPERATION_EMBEDDINGS);
    expect(contract.GEN_AI_TOKEN_TYPE_ALIASES.get('prompt')).toBe('input');
    expect(contract.GEN_AI_TOKEN_TYPE_ALIASES.get('completion')).toBe('output');
  });
});
