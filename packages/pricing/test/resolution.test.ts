import { describe, expect, it } from 'vitest';
import { PriceBook } from '../src/price-book';

const book = PriceBook.bundled();

describe('model resolution', () => {
  it('resolves a dated snapshot to its model entry and reports how it matched', () => {
    const r = book.resolve('gpt-4o-2024-08-06', 'openai');
    expect(r).toMatchObject({ provider: 'openai', model: 'gpt-4o', input: 'gpt-4o-2024-08-06', matchedBy: 'exact', source: 'bundled' });
  });

  it('resolves an unseen dated snapshot by dropping the date', () => {
    const r = book.resolve('gpt-4.1-nano-2031-01-15', 'openai');
    expect(r).toMatchObject({ model: 'gpt-4.1-nano', matchedAs: 'gpt-4.1-nano', matchedBy: 'normalized' });
  });

  it('strips provider prefixes and the Gemini models/ prefix', () => {
    expect(book.resolve('openai/gpt-4o-mini')).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', matchedAs: 'gpt-4o-mini' });
    expect(book.resolve('models/gemini-2.5-pro')).toMatchObject({ provider: 'gcp.gemini', model: 'gemini-2.5-pro' });
    expect(book.resolve('models/gemini-2.5-pro', 'gcp.gemini')).toMatchObject({ provider: 'gcp.gemini', model: 'gemini-2.5-pro' });
  });

  it('prefers the first-party provider over resellers when no provider is given', () => {
    expect(book.resolve('anthropic/claude-sonnet-4-5')).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4-5' });
    expect(book.resolve('gpt-4o')).toMatchObject({ provider: 'openai', model: 'gpt-4o' });
    expect(book.resolve('claude-3-5-haiku-20241022')).toMatchObject({ provider: 'anthropic' });
  });

  it('keeps a reseller model id when the reseller is the provider', () => {
    const r = book.resolve('openai/gpt-4o', 'openrouter');
    expect(r).toMatchObject({ provider: 'openrouter', matchedBy: 'exact' });
  });

  it('resolves Bedrock model ids, cross-region inference profiles and ARNs', () => {
    expect(book.resolve('anthropic.claude-3-5-sonnet-20240620-v1:0', 'aws.bedrock')).toMatchObject({
      provider: 'aws.bedrock',
      model: 'regional.anthropic.claude-3-5-sonnet-20240620-v1:0',
    });
    expect(book.resolve('eu.anthropic.claude-sonnet-4-20250514-v1:0', 'aws.bedrock')).toMatchObject({
      model: 'regional.anthropic.claude-sonnet-4-20250514-v1:0',
    });
    expect(book.resolve('global.anthropic.claude-sonnet-4-20250514-v1:0', 'aws.bedrock')).toMatchObject({
      model: 'global.anthropic.claude-sonnet-4-20250514-v1:0',
    });
    expect(
      book.resolve('arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.anthropic.claude-sonnet-4-20250514-v1:0'),
    ).toMatchObject({ provider: 'aws.bedrock', model: 'regional.anthropic.claude-sonnet-4-20250514-v1:0' });
    expect(book.resolve('arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0')).toMatchObject({
      provider: 'aws.bedrock',
      model: 'amazon.nova-pro-v1:0',
    });
  });

  it('resolves Vertex AI ids with @date and publisher paths', () => {
    expect(book.resolve('claude-sonnet-4@20250514', 'gcp.vertex_ai')).toMatchObject({
      provider: 'gcp.vertex_ai',
      model: 'claude-4-sonnet',
    });
    expect(book.resolve('publishers/google/models/gemini-2.5-flash')).toMatchObject({ provider: 'gcp.gemini', model: 'gemini-2.5-flash' });
  });

  it('resolves OpenAI models under Azure through its fallback providers', () => {
    expect(book.resolve('gpt-4o', 'azure.ai.openai')).toMatchObject({ provider: 'azure.ai.openai', model: 'gpt-4o' });
  });

  it("resolves Azure's dotless GPT-3.5 spellings", () => {
    expect(book.resolve('gpt-35-turbo-instruct', 'azure.ai.openai')).toMatchObject({ model: 'gpt-3.5-turbo-instruct' });
    expect(book.resolve('gpt-35-turbo-0125', 'azure.ai.openai')).toMatchObject({
      model: book.resolve('gpt-3.5-turbo-0125', 'azure.ai.openai')?.model,
    });
  });

  it('resolves fine-tuned model ids to fine-tuning rates, not base-model rates', () => {
    expect(book.resolve('ft:gpt-4o-mini:my-org::abc123', 'openai')).toMatchObject({ model: 'ft:gpt-4o-mini' });
    expect(book.resolve('ft:gpt-4o-mini-2024-07-18:my-org:custom:abc123', 'openai')).toMatchObject({ model: 'ft:gpt-4o-mini' });
    expect(book.resolve('ft:gpt-4.1-mini-2025-04-14:my-org::x1', 'openai')).toMatchObject({ model: 'ft:gpt-4.1-mini' });
  });

  it('accepts other spellings of provider ids', () => {
    // `google` names no backend: the conventions' value for an unknown Google endpoint
    expect(book.resolve('gemini-2.5-pro', 'google')).toMatchObject({ provider: 'gcp.gen_ai' });
    expect(book.resolve('gemini-2.5-pro', 'gemini')).toMatchObject({ provider: 'gcp.gemini' });
    expect(book.resolve('mistral-large-latest', 'mistralai')).toMatchObject({ provider: 'mistral_ai' });
    expect(book.resolve('grok-3', 'xai')).toMatchObject({ provider: 'x_ai' });
  });

  it('returns undefined for unknown models and unknown providers', () => {
    expect(book.resolve('no-such-model-xyz')).toBeUndefined();
    expect(book.resolve('no-such-model-xyz', 'openai')).toBeUndefined();
    expect(book.resolve('gpt-4o', 'no-such-provider')).toBeUndefined();
    expect(book.resolve('   ')).toBeUndefined();
  });

  it('caches resolutions: the same model string returns the same entry object', () => {
    const a = book.resolve('gpt-4o-2024-11-20', 'openai');
    const b = book.resolve('gpt-4o-2024-11-20', 'openai');
    expect(a).toBeDefined();
    expect(b).toBe(a);
  });

  it('never prices an unknown model at $0', () => {
    const cost = book.price({ inputTokens: 1000, outputTokens: 1000 }, { model: 'my-private-model' });
    expect(cost).toMatchObject({ priced: false, reason: 'unknown_model', priceBookVersion: book.version });
    expect(cost.amount).toBeUndefined();
    expect(book.price({ inputTokens: 10, outputTokens: 1 }, { provider: 'ibm.watsonx.ai', model: 'granite-13b' })).toMatchObject({
      priced: false,
      reason: 'unknown_provider',
    });
  });

  it('prefers the response model over the request model, e.g. an Azure deployment name', () => {
    const cost = book.price(
      { inputTokens: 1000, outputTokens: 100 },
      { provider: 'azure.ai.openai', model: 'prod-chat', responseModel: 'gpt-4o-mini-2024-07-18' },
    );
    expect(cost).toMatchObject({ priced: true, matchedModel: 'gpt-4o-mini', provider: 'azure.ai.openai' });
    const noResponse = book.price({ inputTokens: 1000, outputTokens: 100 }, { provider: 'azure.ai.openai', model: 'prod-chat' });
    expect(noResponse).toMatchObject({ priced: false, reason: 'unknown_model' });
  });
});

describe('consecutive calls', () => {
  it('prices each call with its own model, response model and provider when they change from call to call', () => {
    const book = PriceBook.bundled();
    const usage = { inputTokens: 1_000_000 };
    const calls: [Parameters<PriceBook['price']>[1], string | undefined][] = [
      [{ provider: 'openai', model: 'gpt-4o' }, 'gpt-4o'],
      [{ provider: 'openai', model: 'gpt-4o', responseModel: 'gpt-4o-mini' }, 'gpt-4o-mini'],
      [{ provider: 'openai', model: 'gpt-4o' }, 'gpt-4o'],
      [{ provider: 'openai', model: 'gpt-4o', responseModel: 'gpt-4o-mini' }, 'gpt-4o-mini'],
      [{ provider: 'openai', model: 'gpt-4o', responseModel: 'gpt-4o-mini' }, 'gpt-4o-mini'],
      [{ provider: 'anthropic', model: 'gpt-4o', responseModel: 'gpt-4o-mini' }, undefined],
      [{ model: 'gpt-4o', responseModel: 'gpt-4o-mini' }, 'gpt-4o-mini'],
      [{ provider: 'openai', model: 'gpt-4o-mini' }, 'gpt-4o-mini'],
      [{ provider: 'openai', model: 'gpt-4o' }, 'gpt-4o'],
    ];
    for (const [opts, matched] of calls) {
      const cost = book.price(usage, opts);
      if (matched === undefined) expect(cost.priced).toBe(false);
      else expect(cost).toMatchObject({ priced: true, matchedModel: matched });
    }
  });
});
