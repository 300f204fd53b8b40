import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The emulator's OpenAI-compatible host flavours, read on the wire (plain fetch, no client), against
// the field names of each host's API reference (linked in packages/emulator/src/hosts/flavours.ts).

type Json = Record<string, any>;

describe('emulated OpenAI-compatible hosts', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
  });

  afterAll(async () => {
    await emulator?.close();
  });

  const post = async (path: string, body: Json): Promise<Response> =>
    fetch(`${emulator.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const complete = async (path: string, body: Json): Promise<Json> => {
    const res = await post(path, body);
    expect(res.status).toBe(200);
    return (await res.json()) as Json;
  };
  /** The `data:` payloads of a streamed answer, `[DONE]` left out. */
  const events = async (path: string, body: Json): Promise<Json[]> => {
    const res = await post(path, { ...body, stream: true });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text();
    return text
      .split('\n\n')
      .map((e) => e.replace(/^data: /, '').trim())
      .filter((e) => e !== '' && e !== '[DONE]')
      .map((e) => JSON.parse(e) as Json);
  };
  const ask = (text: string) => [{ role: 'user', content: text }];

  it('DeepSeek reports cache hits and misses in prompt_cache_hit_tokens / prompt_cache_miss_tokens', async () => {
    const body = await complete('/hosts/deepseek/chat/completions', { model: 'deepseek-chat', messages: ask('Hi [emulate cached=5]') });
    const u = body.usage;
    expect(u.prompt_cache_hit_tokens).toBe(5);
    expect(u.prompt_cache_hit_tokens + u.prompt_cache_miss_tokens).toBe(u.prompt_tokens);
    expect(u.completion_tokens_details).toEqual({ reasoning_tokens: 0 });
    expect(u.prompt_tokens_details).toBeUndefined();
  });

  it('DeepSeek streams usage only when stream_options.include_usage asks for it', async () => {
    const plain = await events('/hosts/deepseek/chat/completions', { model: 'deepseek-chat', messages: ask('Hi') });
    expect(plain.some((e) => e.usage)).toBe(false);
    const asked = await events('/hosts/deepseek/chat/completions', {
      model: 'deepseek-chat',
      messages: ask('Hi'),
      stream_options: { include_usage: true },
    });
    expect(asked.at(-1)!.choices).toEqual([]);
    expect(asked.at(-1)!.usage.prompt_cache_miss_tokens).toBe(asked.at(-1)!.usage.prompt_tokens);
  });

  it('xAI reports reasoning tokens apart from completion_tokens, counted in total_tokens', async () => {
    const body = await complete('/hosts/xai/v1/chat/completions', {
      model: 'grok-3-mini',
      messages: ask('Hi [emulate reasoning=9 cached=3]'),
    });
    const u = body.usage;
    expect(u.completion_tokens_details.reasoning_tokens).toBe(9);
    expect(u.total_tokens).toBe(u.prompt_tokens + u.completion_tokens + 9);
    expect(u.prompt_tokens_details).toMatchObject({ cached_tokens: 3, text_tokens: u.prompt_tokens });
    expect(u.num_sources_used).toBe(0);
  });

  it('OpenRouter sends usage with its cost unasked, in the last chunk of a stream', async () => {
    const body = await complete('/hosts/openrouter/api/v1/chat/completions', { model: 'openai/gpt-4o-mini', messages: ask('Hi') });
    // The emulated OpenRouter bills $0.10 / $0.40 per million input / output tokens.
    expect(body.usage.cost).toBeCloseTo((body.usage.prompt_tokens * 0.1 + body.usage.completion_tokens * 0.4) / 1e6, 15);
    expect(body.usage.prompt_tokens_details).toEqual({ cached_tokens: 0, cache_write_tokens: 0, audio_tokens: 0 });
    const streamed = await events('/hosts/openrouter/api/v1/chat/completions', { model: 'openai/gpt-4o-mini', messages: ask('Hi') });
    expect(streamed.filter((e) => e.usage)).toHaveLength(1);
    expect(streamed.at(-1)!.usage.cost).toBeGreaterThan(0);
  });

  it("Perplexity reports the search context size, the searches and a cost with the size's request fee", async () => {
    const body = await complete('/hosts/perplexity/chat/completions', {
      model: 'sonar',
      web_search_options: { search_context_size: 'high' },
      messages: ask('Hi [emulate web_search=3]'),
    });
    const u = body.usage;
    expect(u.search_context_size).toBe('high');
    expect(u.num_search_queries).toBe(3);
    expect(u.cost.request_cost).toBe(0.012);
    expect(u.cost.total_cost).toBeCloseTo(u.cost.input_tokens_cost + u.cost.output_tokens_cost + 0.012, 15);
    expect(body.citations).toHaveLength(1);
  });

  it("Groq puts x_groq.id on a completion and a stream's usage in the finish chunk's x_groq.usage", async () => {
    const body = await complete('/hosts/groq/openai/v1/chat/completions', { model: 'llama-3.1-8b-instant', messages: ask('Hi') });
    expect(body.x_groq.id).toMatch(/^req_/);
    expect(body.usage).toMatchObject({ queue_time: expect.any(Number), prompt_time: expect.any(Number), total_time: expect.any(Number) });
    const streamed = await events('/hosts/groq/openai/v1/chat/completions', { model: 'llama-3.1-8b-instant', messages: ask('Hi') });
    const last = streamed.at(-1)!;
    expect(last.choices[0].finish_reason).toBe('stop');
    expect(last.x_groq.usage.completion_tokens).toBe(streamed.filter((e) => e.choices[0]?.delta?.content).length);
    expect(streamed.some((e) => e.usage)).toBe(false);
  });

  it('Together sends usage on the finish chunk of a stream, unasked', async () => {
    const streamed = await events('/hosts/together/v1/chat/completions', {
      model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo',
      messages: ask('Hi'),
    });
    const withUsage = streamed.filter((e) => e.usage);
    expect(withUsage).toHaveLength(1);
    expect(withUsage[0].choices[0].finish_reason).toBe('stop');
    expect(Object.keys(withUsage[0].usage).sort()).toEqual(['completion_tokens', 'prompt_tokens', 'total_tokens']);
  });

  it('answers errors in OpenAI format and logs the requests as openai_compatible', async () => {
    const res = await post('/hosts/together/v1/chat/completions', { model: 'm', messages: ask('Hi [emulate error=429]') });
    expect(res.status).toBe(429);
    expect(((await res.json()) as Json).error.type).toBeDefined();
    expect(emulator.requests.at(-1)!.provider).toBe('openai_compatible');
  });
});
