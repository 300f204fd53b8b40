import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIInstrumentation } from '../src';
import { requireOpenAI } from './support/load-openai';
import { TestTelemetry } from './support/telemetry';

// When the hook asks for `stream_options.include_usage`, every chunk carries a `usage` field the app
// did not ask for, and the hook removes it. OpenAI sends `obfuscation` after `usage`; the removal
// takes it off and puts it back so the chunk stays a fast object, which must not show: the app reads
// each chunk with the same keys, in the same order, with the same values as without the hook.

type Chunk = Record<string, unknown>;

const base = { id: 'chatcmpl-order', object: 'chat.completion.chunk', created: 1_767_000_000, model: 'gpt-4o-mini-2024-07-18' };
const choices = (content: string, finish: string | null = null) => [{ index: 0, delta: { content }, finish_reason: finish }];
const USAGE = { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 };

/** The chunks of one answer, with the usage fields the request asked for (`null`, then a usage chunk) or without. */
type Layout = (content: string, finish: string | null, usage: 'absent' | null) => Chunk;

const LAYOUTS: Record<string, Layout> = {
  'usage last': (content, finish, usage) => ({ ...base, choices: choices(content, finish), ...(usage === 'absent' ? {} : { usage }) }),
  'obfuscation after usage (as OpenAI sends it)': (content, finish, usage) => ({
    ...base,
    choices: choices(content, finish),
    ...(usage === 'absent' ? {} : { usage }),
    obfuscation: `pad${content.length}`,
  }),
  'service tier and fingerprint, then obfuscation after usage (as OpenAI sends it)': (content, finish, usage) => ({
    ...base,
    service_tier: 'default',
    system_fingerprint: 'fp_1',
    choices: choices(content, finish),
    ...(usage === 'absent' ? {} : { usage }),
    obfuscation: `pad${content.length}`,
  }),
  'fingerprint, then obfuscation after usage (as OpenAI sends it)': (content, finish, usage) => ({
    ...base,
    system_fingerprint: null,
    choices: choices(content, finish),
    ...(usage === 'absent' ? {} : { usage }),
    obfuscation: `pad${content.length}`,
  }),
  'service tier, then obfuscation after usage': (content, finish, usage) => ({
    ...base,
    service_tier: 'priority',
    choices: choices(content, finish),
    ...(usage === 'absent' ? {} : { usage }),
    obfuscation: `pad${content.length}`,
  }),
  'an extra field before usage, then obfuscation': (content, finish, usage) => ({
    ...base,
    system_fingerprint: 'fp_1',
    x_extra: { note: content },
    choices: choices(content, finish),
    ...(usage === 'absent' ? {} : { usage }),
    obfuscation: `pad${content.length}`,
  }),
  'obfuscation before usage': (content, finish, usage) => ({
    ...base,
    choices: choices(content, finish),
    obfuscation: 'pad',
    ...(usage === 'absent' ? {} : { usage }),
  }),
  'two fields after usage': (content, finish, usage) => ({
    ...base,
    choices: choices(content, finish),
    ...(usage === 'absent' ? {} : { usage }),
    obfuscation: 'pad',
    system_fingerprint: 'fp_1',
  }),
  'another field after usage': (content, finish, usage) => ({
    ...base,
    choices: choices(content, finish),
    ...(usage === 'absent' ? {} : { usage }),
    service_tier: 'default',
  }),
};

function sse(chunks: Chunk[]): string {
  return `${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('')}data: [DONE]\n\n`;
}

/** A server faithful to the request: usage fields and the usage chunk only when asked for. */
function faithfulServer(layout: Layout): typeof fetch {
  return (async (_url: unknown, init?: { body?: unknown }) => {
    const body = JSON.parse(String(init?.body ?? '{}')) as { stream_options?: { include_usage?: boolean } };
    const asked = body.stream_options?.include_usage === true;
    const usage = asked ? null : 'absent';
    const chunks = [layout('Hi', null, usage), layout(' there', null, usage), layout('', 'stop', usage)];
    if (asked) chunks.push({ ...base, choices: [], usage: USAGE });
    return new Response(sse(chunks), { status: 200, headers: { 'content-type': 'text/event-stream' } });
  }) as typeof fetch;
}

const telemetry = new TestTelemetry();
const instrumentation = new OpenAIInstrumentation();
beforeAll(() => telemetry.instrument(instrumentation));
afterAll(async () => {
  instrumentation.disable();
  await telemetry.shutdown();
});

describe('openai chat stream, usage asked for by the hook: the usage field removed from each chunk', () => {
  for (const [name, layout] of Object.entries(LAYOUTS)) {
    it(`the app reads each chunk as without the hook, keys in the server's order and values unchanged: ${name}`, async () => {
      const { OpenAI } = requireOpenAI(6);
      const client = new OpenAI({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch: faithfulServer(layout) });
      const seen: string[] = [];
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Hi' }],
        stream: true,
      });
      for await (const c of stream) {
        expect(Object.getOwnPropertyDescriptors(c)).not.toHaveProperty('usage');
        // A plain, extensible object whose fields are ordinary data properties, as JSON.parse makes.
        expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
        expect(Object.isExtensible(c)).toBe(true);
        for (const d of Object.values(Object.getOwnPropertyDescriptors(c))) {
          expect([d.writable, d.enumerable, d.configurable]).toEqual([true, true, true]);
        }
        seen.push(JSON.stringify(c));
      }
      const usage = 'absent' as const;
      expect(seen).toEqual(
        [layout('Hi', null, usage), layout(' there', null, usage), layout('', 'stop', usage)].map((c) => JSON.stringify(c)),
      );
      await telemetry.settled();
      const span = telemetry.spans().at(-1);
      expect(span?.attributes['gen_ai.usage.input_tokens']).toBe(9);
      expect(span?.attributes['gen_ai.usage.output_tokens']).toBe(3);
    });
  }

  it('keeps the writable, enumerable, configurable obfuscation field OpenAI sends after usage', async () => {
    const { OpenAI } = requireOpenAI(6);
    const layout = LAYOUTS['obfuscation after usage (as OpenAI sends it)']!;
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch: faithfulServer(layout) });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    const descriptors: PropertyDescriptor[] = [];
    for await (const c of stream) descriptors.push(Object.getOwnPropertyDescriptor(c, 'obfuscation')!);
    expect(descriptors).toEqual([
      { value: 'pad2', writable: true, enumerable: true, configurable: true },
      { value: 'pad6', writable: true, enumerable: true, configurable: true },
      { value: 'pad0', writable: true, enumerable: true, configurable: true },
    ]);
  });
});
