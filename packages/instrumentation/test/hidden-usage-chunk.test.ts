import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIInstrumentation, withAttribution } from '../src';
import { requireOpenAI } from './support/load-openai';
import { TestTelemetry } from './support/telemetry';

// The hook asks for `stream_options.include_usage` on an app's behalf. Whatever the server then
// sends, the app must see exactly the chunks it would have seen without the hook. The server here
// is faithful to the request, as OpenAI is: it sends usage (the usage chunk, or usage fields) only
// when the request asks for it. Each case is answered through the real client library by a `fetch`
// that reads the request it is given.

type Chunk = Record<string, unknown>;

const chunk = (choices: unknown, usage?: unknown): Chunk => ({
  id: 'chatcmpl-hidden',
  object: 'chat.completion.chunk',
  created: 1_767_000_000,
  model: 'gpt-4o-mini-2024-07-18',
  choices,
  ...(usage === undefined ? {} : { usage }),
});
const delta = (content: string, finish: string | null = null) => [{ index: 0, delta: { content }, finish_reason: finish }];
const USAGE = { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 };

/** What a faithful server sends: `asked` chunks when the request asks for usage, `unasked` otherwise. */
interface Answer {
  asked: Chunk[];
  unasked: Chunk[];
}

const ANSWERS: Record<string, Answer> = {
  // OpenAI puts `usage: null` on every chunk but the usage chunk, whose usage is never null: an
  // empty-choices chunk with `usage: null` is one the server sends anyway.
  'an empty-choices chunk the server sends anyway, with usage: null once asked': {
    asked: [chunk(delta('Hi'), null), chunk(delta(' there', 'stop'), null), chunk([], null), chunk([], USAGE)],
    unasked: [chunk(delta('Hi')), chunk(delta(' there', 'stop')), chunk([])],
  },
  'a usage chunk whose usage is not an object': {
    asked: [chunk(delta('Hi'), null), chunk(delta(' there', 'stop'), null), chunk([], 'lots')],
    unasked: [chunk(delta('Hi')), chunk(delta(' there', 'stop'))],
  },
  'a usage chunk whose usage is an empty object': {
    asked: [chunk(delta('Hi'), null), chunk(delta(' there', 'stop'), null), chunk([], {})],
    unasked: [chunk(delta('Hi')), chunk(delta(' there', 'stop'))],
  },
  'usage sent twice': {
    asked: [chunk(delta('Hi'), null), chunk(delta(' there', 'stop'), null), chunk([], USAGE), chunk([], USAGE)],
    unasked: [chunk(delta('Hi')), chunk(delta(' there', 'stop'))],
  },
  'an empty usage object on every chunk': {
    asked: [chunk(delta('Hi'), {}), chunk(delta(' there', 'stop'), {})],
    unasked: [chunk(delta('Hi')), chunk(delta(' there', 'stop'))],
  },
  'usage on every chunk': {
    asked: [chunk(delta('Hi'), USAGE), chunk(delta(' there', 'stop'), USAGE)],
    unasked: [chunk(delta('Hi')), chunk(delta(' there', 'stop'))],
  },
};

function faithfulServer(answer: Answer): typeof fetch {
  return (async (_url: unknown, init?: { body?: unknown }) => {
    const body = JSON.parse(String(init?.body ?? '{}')) as { stream_options?: { include_usage?: boolean } };
    const chunks = body.stream_options?.include_usage === true ? answer.asked : answer.unasked;
    const text = `${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('')}data: [DONE]\n\n`;
    return new Response(text, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  }) as typeof fetch;
}

const telemetry = new TestTelemetry();
const instrumentation = new OpenAIInstrumentation();
beforeAll(() => {
  telemetry.instrument(instrumentation);
});
afterAll(async () => {
  instrumentation.disable();
  await telemetry.shutdown();
});

for (const major of [6, 5, 4] as const) {
  describe(`openai ${major}.x chat stream, usage asked for by the hook`, () => {
    for (const [name, answer] of Object.entries(ANSWERS)) {
      it(`the app sees exactly the chunks it would without the hook: ${name}`, async () => {
        const { OpenAI } = requireOpenAI(major);
        const client = new OpenAI({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch: faithfulServer(answer) });
        const tenant = `${major}-${name}`;
        const seen: unknown[] = [];
        await withAttribution({ tenant }, async () => {
          const stream = await client.chat.completions.create({
            model: 'gpt-4o-mini',
            messages: [{ role: 'user', content: 'Hi' }],
            stream: true,
          });
          for await (const c of stream) seen.push(JSON.parse(JSON.stringify(c)));
        });
        expect(seen).toEqual(answer.unasked);
        await telemetry.settled();
        const spans = telemetry.spans().filter((s) => s.attributes['tokenomics.attribution.tenant'] === tenant);
        expect(spans).toHaveLength(1);
        if (name === 'usage on every chunk' || name === 'usage sent twice') {
          expect(spans[0].attributes['gen_ai.usage.input_tokens']).toBe(9);
          expect(spans[0].attributes['gen_ai.usage.output_tokens']).toBe(3);
        }
      });
    }
  });
}

describe('openai chat stream from Azure OpenAI, usage asked for by the hook', () => {
  it("the app still sees Azure's prompt_filter_results chunk (no choices), without the usage field the hook caused", async () => {
    const promptChunk = (usage?: null): Chunk => ({
      choices: [],
      created: 0,
      id: '',
      model: '',
      object: '',
      prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }],
      ...(usage === undefined ? {} : { usage }),
    });
    const answer: Answer = {
      asked: [promptChunk(null), chunk(delta('Hi'), null), chunk(delta(' there', 'stop'), null), chunk([], USAGE)],
      unasked: [promptChunk(), chunk(delta('Hi')), chunk(delta(' there', 'stop'))],
    };
    const { OpenAI } = requireOpenAI(6);
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch: faithfulServer(answer) });
    const seen: unknown[] = [];
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    for await (const c of stream) seen.push(JSON.parse(JSON.stringify(c)));
    expect(seen).toEqual(answer.unasked);
  });
});
