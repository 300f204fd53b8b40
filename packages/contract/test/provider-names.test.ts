import { describe, expect, it } from 'vitest';
import {
  deprecatedSystemName,
  knownProviderName,
  normaliseProviderName,
  priceBookProvider,
  PROJECT_PROVIDER_NAMES,
  PROVIDER_ALIASES,
  PROVIDER_NAMES,
  providerNameOfPriceBook,
  SEMCONV_PROVIDER_NAMES,
} from '@tokenomics/contract';

describe('provider names', () => {
  it('lists the GenAI conventions values and the project values for hosts they do not list', () => {
    expect([...SEMCONV_PROVIDER_NAMES].sort()).toEqual([
      'anthropic',
      'aws.bedrock',
      'azure.ai.inference',
      'azure.ai.openai',
      'cohere',
      'deepseek',
      'gcp.gemini',
      'gcp.gen_ai',
      'gcp.vertex_ai',
      'groq',
      'ibm.watsonx.ai',
      'mistral_ai',
      'moonshot_ai',
      'openai',
      'perplexity',
      'x_ai',
    ]);
    expect(PROJECT_PROVIDER_NAMES).toEqual(
      expect.arrayContaining(['ollama', 'together_ai', 'openrouter', 'fireworks_ai', 'vllm', 'llama_cpp', 'lm_studio', 'litellm']),
    );
    expect(new Set(PROVIDER_NAMES).size).toBe(PROVIDER_NAMES.length);
  });

  it('resolves a bare google, which names no backend, to gcp.gen_ai (it was gcp.gemini in one table and gcp.vertex_ai in the other)', () => {
    expect(normaliseProviderName('google')).toBe('gcp.gen_ai');
    expect(normaliseProviderName('Google')).toBe('gcp.gen_ai');
    expect(knownProviderName('google')).toBe('gcp.gen_ai');
    expect(knownProviderName('google_genai')).toBe('gcp.gen_ai');
  });

  it('resolves spellings that name the Google backend to that backend', () => {
    expect(normaliseProviderName('gemini')).toBe('gcp.gemini');
    expect(normaliseProviderName('vertex_ai')).toBe('gcp.vertex_ai');
    expect(normaliseProviderName('VertexAI')).toBe('gcp.vertex_ai');
    expect(normaliseProviderName('google.generative-ai.chat')).toBe('gcp.gemini');
    expect(normaliseProviderName('google.vertex.chat')).toBe('gcp.vertex_ai');
  });

  it('prices every Google provider name from the one google price-book provider', () => {
    expect(priceBookProvider('gcp.gemini')).toBe('google');
    expect(priceBookProvider('gcp.vertex_ai')).toBe('google');
    expect(priceBookProvider('gcp.gen_ai')).toBe('google');
    expect(providerNameOfPriceBook('google')).toBe('gcp.gemini');
  });

  it('maps deprecated gen_ai.system values, display names and Vercel AI SDK ids to the current value', () => {
    expect(normaliseProviderName('az.ai.openai')).toBe('azure.ai.openai');
    expect(normaliseProviderName('az.ai.inference')).toBe('azure.ai.inference');
    expect(normaliseProviderName('AWS')).toBe('aws.bedrock');
    expect(normaliseProviderName('amazon-bedrock')).toBe('aws.bedrock');
    expect(normaliseProviderName('MistralAI')).toBe('mistral_ai');
    expect(normaliseProviderName('xai')).toBe('x_ai');
    expect(normaliseProviderName('openai.chat')).toBe('openai');
    expect(normaliseProviderName('anthropic.messages')).toBe('anthropic');
    expect(normaliseProviderName('azure-openai.chat')).toBe('azure.ai.openai');
    expect(normaliseProviderName('togetherai.chat')).toBe('together_ai');
    expect(normaliseProviderName('lmstudio')).toBe('lm_studio');
    expect(normaliseProviderName('llama.cpp')).toBe('llama_cpp');
  });

  it('keeps an unknown provider as written, lower-cased, so the price book may still know it', () => {
    expect(normaliseProviderName('  NovitaAI ')).toBe('novitaai');
    expect(knownProviderName('novitaai')).toBeUndefined();
  });

  it('maps every alias to a provider name the project writes, except price-book ids of hosts without one', () => {
    const names = new Set(PROVIDER_NAMES);
    const outside = [...PROVIDER_ALIASES].filter(([, name]) => !names.has(name)).map(([alias]) => alias);
    expect(outside).toEqual(['zhipu']);
  });

  it('round-trips every provider name through its price-book provider id', () => {
    for (const name of ['aws.bedrock', 'azure.ai.openai', 'mistral_ai', 'x_ai', 'moonshot_ai', 'together_ai', 'fireworks_ai', 'openai']) {
      expect(providerNameOfPriceBook(priceBookProvider(name))).toBe(name);
    }
    expect(priceBookProvider('azure.ai.inference')).toBe('azure');
  });

  it('gives the deprecated gen_ai.system value where it differs', () => {
    expect(deprecatedSystemName('gcp.gemini')).toBe('gemini');
    expect(deprecatedSystemName('gcp.vertex_ai')).toBe('vertex_ai');
    expect(deprecatedSystemName('azure.ai.openai')).toBe('az.ai.openai');
    expect(deprecatedSystemName('openai')).toBe('openai');
  });
});
