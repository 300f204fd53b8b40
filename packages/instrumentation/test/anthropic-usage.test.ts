import { describe, expect, it } from 'vitest';
import { endpointOf } from '../src/anthropic/endpoint';
import { anthropicServiceTier, anthropicUsage, mergeUsageFields } from '../src/anthropic/usage';

// Usage blocks as the Messages API sends them.

describe('anthropicUsage', () => {
  it('adds cache reads and both cache-write lifetimes to input tokens, keeping each as a subset', () => {
    const usage = anthropicUsage({
      input_tokens: 21,
      cache_creation_input_tokens: 1536,
      cache_read_input_tokens: 4096,
      cache_creation: { ephemeral_5m_input_tokens: 1024, ephemeral_1h_input_tokens: 512 },
      output_tokens: 187,
      service_tier: 'standard',
    });
    expect(usage).toEqual({
      inputTokens: 21 + 1536 + 4096,
      outputTokens: 187,
      cacheReadTokens: 4096,
      cacheWriteTokens: 1024,
      cacheWrite1hTokens: 512,
    });
  });

  it('counts a cache-write total without the lifetime split as 5-minute writes', () => {
    // The API before the 1-hour cache (and Bedrock, Vertex) reports only the total.
    const usage = anthropicUsage({ input_tokens: 12, cache_creation_input_tokens: 2048, cache_read_input_tokens: 0, output_tokens: 40 });
    expect(usage).toEqual({ inputTokens: 2060, outputTokens: 40, cacheReadTokens: 0, cacheWriteTokens: 2048 });
  });

  it('puts cache writes the split does not account for at the 5-minute lifetime', () => {
    const usage = anthropicUsage({
      input_tokens: 5,
      cache_creation_input_tokens: 300,
      cache_creation: { ephemeral_1h_input_tokens: 100 },
      output_tokens: 1,
    });
    expect(usage).toMatchObject({ inputTokens: 305, cacheWriteTokens: 200, cacheWrite1hTokens: 100 });
  });

  it('bills web searches as requests', () => {
    const usage = anthropicUsage({
      input_tokens: 9000,
      output_tokens: 600,
      server_tool_use: { web_search_requests: 3, web_fetch_requests: 1 },
    });
    expect(usage?.requests).toEqual({ web_search: 3 });
  });

  it('reports no searches when none were made', () => {
    expect(anthropicUsage({ input_tokens: 1, output_tokens: 1, server_tool_use: { web_search_requests: 0 } })?.requests).toBeUndefined();
  });

  it('returns undefined for a value with no counts', () => {
    expect(anthropicUsage(undefined)).toBeUndefined();
    expect(anthropicUsage({ service_tier: 'standard' })).toBeUndefined();
  });

  it('marks usage with an unusable count invalid, naming the first bad field, instead of dropping it', () => {
    expect(anthropicUsage({ input_tokens: -1, output_tokens: 'many' })).toEqual({ invalid: 'input_tokens:negative' });
    expect(anthropicUsage({ input_tokens: 10, output_tokens: '12' })).toEqual({ inputTokens: 10, invalid: 'output_tokens:wrong_type' });
    expect(anthropicUsage({ input_tokens: 10, output_tokens: 3, cache_read_input_tokens: 2.5 })).toMatchObject({
      invalid: 'cache_read_input_tokens:not_integer',
    });
    expect(anthropicUsage({ input_tokens: 1e308, output_tokens: 3 })).toMatchObject({ invalid: 'input_tokens:too_large' });
    // the API sends null for cache counts it has none of
    expect(anthropicUsage({ input_tokens: 10, output_tokens: 3, cache_read_input_tokens: null, cache_creation: null })).toEqual({
      inputTokens: 10,
      outputTokens: 3,
    });
  });

  it('reads the service tier that served the call', () => {
    expect(anthropicServiceTier({ input_tokens: 1, service_tier: 'priority' })).toBe('priority');
    expect(anthropicServiceTier({ input_tokens: 1, service_tier: null })).toBeUndefined();
  });
});

describe('mergeUsageFields', () => {
  it('lets the cumulative message_delta usage update message_start and keeps what only message_start has', () => {
    const start = {
      input_tokens: 472,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 2048,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      output_tokens: 1,
      service_tier: 'standard',
    };
    // Newer API versions repeat (and may revise) input and cache counts in message_delta; null means "unchanged".
    const delta = {
      input_tokens: 472,
      cache_creation_input_tokens: null,
      cache_read_input_tokens: 2048,
      output_tokens: 356,
      server_tool_use: null,
    };
    const merged = mergeUsageFields(mergeUsageFields(undefined, start), delta);
    expect(anthropicUsage(merged)).toEqual({
      inputTokens: 472 + 2048,
      outputTokens: 356,
      cacheReadTokens: 2048,
      cacheWriteTokens: 0,
    });
    expect(anthropicServiceTier(merged)).toBe('standard');
  });

  it('takes output-only message_delta usage of older API versions', () => {
    const merged = mergeUsageFields(mergeUsageFields(undefined, { input_tokens: 25, output_tokens: 1 }), { output_tokens: 15 });
    expect(anthropicUsage(merged)).toEqual({ inputTokens: 25, outputTokens: 15 });
  });

  it('takes no counts from a "__proto__" field of the usage and leaves the merged fields a plain object', () => {
    const start = JSON.parse('{"input_tokens":25,"output_tokens":1,"__proto__":{"cache_read_input_tokens":900}}');
    const delta = JSON.parse('{"output_tokens":15,"__proto__":{"cache_read_input_tokens":1000000,"output_tokens":7}}');
    const merged = mergeUsageFields(mergeUsageFields(undefined, start), delta)!;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.keys(merged)).toEqual(['input_tokens', 'output_tokens']);
    expect(anthropicUsage(merged)).toEqual({ inputTokens: 25, outputTokens: 15 });
  });

  it('adds the fields a later event brings without changing the earlier merge', () => {
    const first = mergeUsageFields(undefined, { input_tokens: 25, output_tokens: 1, service_tier: 'standard' })!;
    const second = mergeUsageFields(first, { output_tokens: 15, server_tool_use: { web_search_requests: 2 } })!;
    expect(first).toEqual({ input_tokens: 25, output_tokens: 1, service_tier: 'standard' });
    expect(Object.keys(second)).toEqual(['input_tokens', 'output_tokens', 'service_tier', 'server_tool_use']);
    expect(anthropicUsage(second)).toEqual({ inputTokens: 25, outputTokens: 15, requests: { web_search: 2 } });
  });
});

describe('endpointOf', () => {
  it('takes the provider the SDK reports for its client', () => {
    expect(endpointOf({ _genAIProviderName: 'aws.bedrock', baseURL: 'https://bedrock-runtime.us-east-1.amazonaws.com' })).toEqual({
      provider: 'aws.bedrock',
      serverAddress: 'bedrock-runtime.us-east-1.amazonaws.com',
      serverPort: 443,
    });
  });

  it('tells the platform clients of older SDKs by their class', () => {
    class BaseAnthropic {}
    class AnthropicVertex extends BaseAnthropic {
      baseURL = 'https://us-east5-aiplatform.googleapis.com/v1';
    }
    class AnthropicBedrock extends BaseAnthropic {}
    expect(endpointOf(new AnthropicVertex()).provider).toBe('gcp.vertex_ai');
    expect(endpointOf(new AnthropicBedrock()).provider).toBe('aws.bedrock');
    expect(endpointOf(new BaseAnthropic()).provider).toBe('anthropic');
  });

  it('reports the server of a plain HTTP base URL with its port', () => {
    expect(endpointOf({ baseURL: 'http://127.0.0.1:8787' })).toEqual({
      provider: 'anthropic',
      serverAddress: '127.0.0.1',
      serverPort: 8787,
    });
  });
});
