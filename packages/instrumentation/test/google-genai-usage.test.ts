import { describe, expect, it } from 'vitest';
import { modelId } from '../src/google-genai/request';
import { geminiServiceTier, geminiUsage } from '../src/google-genai/usage';

// Response shapes the emulator does not produce, as the Gemini API sends them.
describe('Gemini usage shapes', () => {
  it('prices uncached prompt audio and audio candidates as their own units', () => {
    const usage = geminiUsage({
      promptTokenCount: 1300,
      candidatesTokenCount: 500,
      totalTokenCount: 1800,
      cachedContentTokenCount: 400,
      promptTokensDetails: [
        { modality: 'TEXT', tokenCount: 300 },
        { modality: 'AUDIO', tokenCount: 1000 },
      ],
      cacheTokensDetails: [{ modality: 'AUDIO', tokenCount: 400 }],
      candidatesTokensDetails: [{ modality: 'AUDIO', tokenCount: 500 }],
    });
    expect(usage).toEqual({ inputTokens: 1300, outputTokens: 500, cacheReadTokens: 400, inputAudioTokens: 600, outputAudioTokens: 500 });
  });

  it('reports flex and priority service tiers and leaves the standard one out', () => {
    expect(geminiServiceTier({ promptTokenCount: 3, serviceTier: 'FLEX' })).toBe('flex');
    expect(geminiServiceTier({ promptTokenCount: 3, serviceTier: 'priority' })).toBe('priority');
    expect(geminiServiceTier({ promptTokenCount: 3, serviceTier: 'standard' })).toBeUndefined();
  });

  it('marks hostile or wrong-typed Gemini counts invalid, naming the field, instead of dropping them', () => {
    expect(geminiUsage({ promptTokenCount: '12', candidatesTokenCount: 5 })).toEqual({
      outputTokens: 5,
      invalid: 'promptTokenCount:wrong_type',
    });
    expect(geminiUsage({ promptTokenCount: 12, candidatesTokenCount: 2 ** 53 })).toEqual({
      inputTokens: 12,
      invalid: 'candidatesTokenCount:too_large',
    });
    expect(geminiUsage({ promptTokenCount: 12, candidatesTokenCount: 5, thoughtsTokenCount: 1.5 })).toMatchObject({
      invalid: 'thoughtsTokenCount:not_integer',
    });
    expect(geminiUsage({ promptTokenCount: 12, candidatesTokenCount: 5, promptTokensDetails: { AUDIO: 3 } })).toMatchObject({
      invalid: 'promptTokensDetails:wrong_type',
    });
  });

  it('has no usage for a value without counts', () => {
    expect(geminiUsage({ trafficType: 'ON_DEMAND' })).toBeUndefined();
  });

  it('names models without the resource paths the client accepts', () => {
    expect(modelId('models/gemini-2.5-flash')).toBe('gemini-2.5-flash');
    expect(modelId('publishers/google/models/gemini-2.0-flash')).toBe('gemini-2.0-flash');
    expect(modelId('projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro')).toBe('gemini-2.5-pro');
    expect(modelId('google/gemini-2.0-flash')).toBe('gemini-2.0-flash');
    expect(modelId('tunedModels/my-tune-123')).toBe('tunedModels/my-tune-123');
  });
});
