import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COHERE_TEMPLATE_TOKENS } from '../src/cohere/chat';
import { startEmulator, type Emulator } from '../src/index';

// Field names from the Cohere API reference: Chat v2 https://docs.cohere.com/reference/chat and
// https://docs.cohere.com/reference/chat-stream, Embed v2 https://docs.cohere.com/reference/embed,
// Rerank v2 https://docs.cohere.com/reference/rerank, errors https://docs.cohere.com/reference/errors.

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
  fetch(`${emulator.cohereBaseURL}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
    body: JSON.stringify(body),
  });

/** The `event:` name and parsed `data:` of each server-sent event. */
async function sseEvents(res: WireResponse): Promise<Array<{ event: string; data: Record<string, any> }>> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim().length > 0)
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))!.slice('event: '.length);
      return { event, data: JSON.parse(lines.find((l) => l.startsWith('data: '))!.slice('data: '.length)) };
    });
}

describe('Cohere v2 chat', () => {
  it('answers with finish_reason, the message content blocks and usage.billed_units beside usage.tokens', async () => {
    const res = await post('/v2/chat', { model: 'command-r-08-2024', messages: [{ role: 'user', content: 'Hello there' }] });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(typeof body.id).toBe('string');
    expect(body.finish_reason).toBe('COMPLETE');
    expect(body.message.role).toBe('assistant');
    expect(body.message.content[0].type).toBe('text');
    const { billed_units, tokens } = body.usage;
    expect(billed_units.input_tokens).toBeGreaterThan(0);
    expect(billed_units.output_tokens).toBeGreaterThan(0);
    // The model sees the prompt template too; only the messages are billed.
    expect(tokens.input_tokens).toBe(billed_units.input_tokens + COHERE_TEMPLATE_TOKENS);
  });

  it('reports MAX_TOKENS when max_tokens cuts the reply', async () => {
    const body = await (
      await post('/v2/chat', { model: 'command-r-08-2024', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 2 })
    ).json();
    expect(body.finish_reason).toBe('MAX_TOKENS');
    expect(body.usage.billed_units.output_tokens).toBe(2);
  });

  it('streams message-start, content-start, content-delta, content-end and message-end with the usage', async () => {
    const res = await post('/v2/chat', {
      model: 'command-a-03-2025',
      messages: [{ role: 'user', content: 'Hello [emulate output_tokens=4]' }],
      stream: true,
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = await sseEvents(res);
    expect(events.map((e) => e.event)).toEqual([
      'message-start',
      'content-start',
      ...Array(4).fill('content-delta'),
      'content-end',
      'message-end',
    ]);
    for (const e of events) expect(e.data.type).toBe(e.event);
    expect(events[0].data.delta.message.role).toBe('assistant');
    expect(typeof events[2].data.delta.message.content.text).toBe('string');
    const end = events.at(-1)!.data;
    expect(end.delta.finish_reason).toBe('COMPLETE');
    expect(end.delta.usage.billed_units.output_tokens).toBe(4);
  });
});

describe('Cohere v2 embed and rerank', () => {
  it('embeds texts by type with meta.billed_units.input_tokens', async () => {
    const body = await (
      await post('/v2/embed', {
        model: 'embed-v4.0',
        texts: ['a red bike', 'a blue bike'],
        input_type: 'search_document',
        embedding_types: ['float'],
      })
    ).json();
    expect(body.response_type).toBe('embeddings_by_type');
    expect(body.embeddings.float).toHaveLength(2);
    expect(body.texts).toEqual(['a red bike', 'a blue bike']);
    expect(body.meta.api_version.version).toBe('2');
    expect(body.meta.billed_units.input_tokens).toBeGreaterThan(0);
  });

  it('bills rerank per search unit: up to 100 documents a unit', async () => {
    const docs = (n: number) => Array.from({ length: n }, (_, i) => `document ${i}`);
    const one = await (await post('/v2/rerank', { model: 'rerank-v3.5', query: 'q', documents: docs(100), top_n: 3 })).json();
    const two = await (await post('/v2/rerank', { model: 'rerank-v3.5', query: 'q', documents: docs(101) })).json();
    expect(one.meta.billed_units).toEqual({ search_units: 1 });
    expect(two.meta.billed_units).toEqual({ search_units: 2 });
    expect(one.results).toHaveLength(3);
    expect(Object.keys(one.results[0]).sort()).toEqual(['index', 'relevance_score']);
    expect(one.results[0].relevance_score).toBeGreaterThanOrEqual(one.results[1].relevance_score);
  });

  it('counts a document longer than max_tokens_per_doc once per chunk', async () => {
    const long = 'word '.repeat(300);
    const body = await (
      await post('/v2/rerank', { model: 'rerank-v3.5', query: 'q', documents: Array(60).fill(long), max_tokens_per_doc: 200 })
    ).json();
    expect(body.meta.billed_units.search_units).toBe(2);
  });
});

describe('Cohere errors', () => {
  it('answers { id, message } with the status asked for', async () => {
    const res = await post('/v2/chat', { model: 'command-r-08-2024', messages: [{ role: 'user', content: 'x [emulate error=429]' }] });
    expect(res.status).toBe(429);
    const body = await res.json();
    expect(Object.keys(body).sort()).toEqual(['id', 'message']);
    expect(emulator.requests.at(-1)?.provider).toBe('cohere');
  });

  it('answers 400 when messages are missing', async () => {
    const res = await post('/v2/chat', { model: 'command-r-08-2024' });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toContain('messages');
  });
});
