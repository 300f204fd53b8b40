import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index';

let emulator: Emulator;
let client: OpenAI;

beforeAll(async () => {
  emulator = await startEmulator();
  client = new OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
});
afterAll(async () => {
  await emulator.close();
});

// Counts derived once with tiktoken (cl100k_base for text-embedding-* and gpt-3.5-turbo-instruct):
// 'Hello, world!' 4, 'The cat sat.' 4.
describe('embeddings', () => {
  it('answers the SDK default base64 request with vectors the SDK decodes to floats', async () => {
    const response = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'Hello, world!' });
    expect(emulator.requests.at(-1)?.body).toMatchObject({ encoding_format: 'base64' });
    expect(response.object).toBe('list');
    expect(response.model).toBe('text-embedding-3-small');
    expect(response.data).toHaveLength(1);
    expect(response.data[0].object).toBe('embedding');
    expect(response.data[0].embedding).toHaveLength(1536);
    const norm = Math.sqrt(response.data[0].embedding.reduce((sum, value) => sum + value * value, 0));
    expect(norm).toBeCloseTo(1, 5);
    expect(response.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 });
  });

  it('gives the same floats for encoding_format float as for base64', async () => {
    const asBase64 = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'Hello, world!' });
    const asFloat = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'Hello, world!', encoding_format: 'float' });
    expect(asFloat.data[0].embedding).toEqual(asBase64.data[0].embedding);
  });

  it('embeds each input of an array and sums their tokens', async () => {
    const response = await client.embeddings.create({
      model: 'text-embedding-3-large',
      input: ['Hello, world!', 'The cat sat.'],
      dimensions: 256,
      encoding_format: 'float',
    });
    expect(response.data.map((item) => item.index)).toEqual([0, 1]);
    expect(response.data[0].embedding).toHaveLength(256);
    expect(response.data[0].embedding).not.toEqual(response.data[1].embedding);
    expect(response.usage).toEqual({ prompt_tokens: 8, total_tokens: 8 });
  });

  it('uses 3072 dimensions by default for text-embedding-3-large and reports ada-002 as its v2 snapshot', async () => {
    const large = await client.embeddings.create({ model: 'text-embedding-3-large', input: 'Hi', encoding_format: 'float' });
    expect(large.data[0].embedding).toHaveLength(3072);
    const ada = await client.embeddings.create({ model: 'text-embedding-ada-002', input: 'Hi', encoding_format: 'float' });
    expect(ada.model).toBe('text-embedding-ada-002-v2');
  });
});

describe('legacy completions', () => {
  it('stops at the default 16 max tokens with finish_reason length and exact usage', async () => {
    const completion = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Hello, world!' });
    expect(completion.object).toBe('text_completion');
    expect(completion.id).toMatch(/^cmpl-/);
    expect(completion.model).toBe('gpt-3.5-turbo-instruct:20230824-v2');
    expect(completion.choices[0].finish_reason).toBe('length');
    expect(completion.choices[0].logprobs).toBeNull();
    expect(completion.usage).toEqual({ prompt_tokens: 4, completion_tokens: 16, total_tokens: 20 });
  });

  it('answers each prompt of a batch and sums the usage', async () => {
    const completion = await client.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: ['Hello, world!', 'The cat sat. [emulate output_tokens=3]'],
      max_tokens: 50,
    });
    expect(completion.choices.map((choice) => choice.index)).toEqual([0, 1]);
    // prompts: 4 + 'The cat sat. [emulate output_tokens=3]' (12 in cl100k_base) = 16; 3 tokens per choice
    expect(completion.usage).toEqual({ prompt_tokens: 16, completion_tokens: 6, total_tokens: 22 });
    expect(completion.choices.every((choice) => choice.finish_reason === 'stop')).toBe(true);
  });

  it('streams text chunks and, with include_usage, a final usage chunk', async () => {
    const stream = await client.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Hello, world! [emulate output_tokens=5]',
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Completions.Completion[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    // 5 text chunks + finish chunk + usage chunk
    expect(chunks).toHaveLength(7);
    expect(chunks.slice(0, 5).every((chunk) => chunk.choices[0].finish_reason === null)).toBe(true);
    expect(chunks[5].choices[0].finish_reason).toBe('stop');
    expect(chunks[6].choices).toEqual([]);
    // 'Hello, world! [emulate output_tokens=5]' is 12 tokens in cl100k_base
    expect(chunks[6].usage).toEqual({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
    for (const chunk of chunks.slice(0, 6)) expect(chunk.usage).toBeNull();
  });

  it('streams without any usage key when include_usage is not set', async () => {
    const stream = await client.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Hi [emulate output_tokens=2]',
      stream: true,
    });
    const chunks: OpenAI.Completions.Completion[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toHaveLength(3);
    for (const chunk of chunks) expect('usage' in chunk).toBe(false);
  });
});
