import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index';

// Field names from the Ollama API reference, https://github.com/ollama/ollama/blob/main/docs/api.md
// (generate a chat completion, generate a completion, generate embeddings, errors).

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});

/** A response whose JSON body is read as the loosely typed wire object it is. */
type WireResponse = Omit<Response, 'json'> & { json(): Promise<any> };

const post = (path: string, body: unknown): Promise<WireResponse> =>
  fetch(`${emulator.ollamaHost}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const ndjson = async (res: WireResponse): Promise<Array<Record<string, any>>> =>
  (await res.text())
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line));

const COUNT_FIELDS = ['total_duration', 'load_duration', 'prompt_eval_count', 'prompt_eval_duration', 'eval_count', 'eval_duration'];

describe('Ollama chat and generate', () => {
  it('answers a chat with message, done, done_reason and the counts and durations', async () => {
    const body = await (
      await post('/api/chat', { model: 'llama3.2', messages: [{ role: 'user', content: 'Hello' }], stream: false })
    ).json();
    expect(body).toMatchObject({ model: 'llama3.2', done: true, done_reason: 'stop', message: { role: 'assistant' } });
    expect(new Date(body.created_at).toString()).not.toBe('Invalid Date');
    for (const field of COUNT_FIELDS) expect(Number.isInteger(body[field]), field).toBe(true);
    expect(body.prompt_eval_count).toBeGreaterThan(0);
  });

  it('streams by default as NDJSON, the counts only on the final done object', async () => {
    const res = await post('/api/chat', { model: 'llama3.2', messages: [{ role: 'user', content: 'Hello [emulate output_tokens=4]' }] });
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = await ndjson(res);
    expect(lines).toHaveLength(5);
    for (const line of lines.slice(0, -1)) {
      expect(line.done).toBe(false);
      expect(line.eval_count).toBeUndefined();
    }
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: 'stop', eval_count: 4, message: { content: '' } });
  });

  it('answers generate with response, context, and length when options.num_predict cuts it', async () => {
    const body = await (
      await post('/api/generate', { model: 'qwen2.5-coder:7b', prompt: 'def f():', stream: false, options: { num_predict: 2 } })
    ).json();
    expect(typeof body.response).toBe('string');
    expect(Array.isArray(body.context)).toBe(true);
    expect(body.done_reason).toBe('length');
    expect(body.eval_count).toBe(2);
  });

  it('ends a stream with an { error } line at stream_error_after', async () => {
    const lines = await ndjson(await post('/api/generate', { model: 'qwen2.5-coder:7b', prompt: 'x [emulate stream_error_after=2]' }));
    expect(lines).toHaveLength(3);
    expect(Object.keys(lines[2])).toEqual(['error']);
  });
});

describe('Ollama embed', () => {
  it('answers embeddings and prompt_eval_count for a list of inputs', async () => {
    const body = await (await post('/api/embed', { model: 'nomic-embed-text', input: ['disc brakes', 'rim brakes'] })).json();
    expect(body.model).toBe('nomic-embed-text');
    expect(body.embeddings).toHaveLength(2);
    expect(body.embeddings[0]).toHaveLength(768);
    expect(body.prompt_eval_count).toBeGreaterThan(0);
  });
});

describe('Ollama legacy embeddings', () => {
  it('answers /api/embeddings with one embedding and no token counts', async () => {
    const body = await (await post('/api/embeddings', { model: 'nomic-embed-text', prompt: 'disc brakes' })).json();
    expect(Object.keys(body)).toEqual(['embedding']);
    expect(body.embedding).toHaveLength(768);
  });
});

describe('Ollama errors', () => {
  it('answers a missing model with 404 and { error }', async () => {
    const res = await post('/api/chat', { model: 'llama3.2', messages: [{ role: 'user', content: 'x [emulate error=404]' }] });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'model "llama3.2" not found, try pulling it first' });
    expect(emulator.requests.at(-1)?.provider).toBe('ollama');
  });
});
