/**
 * Generated openai calls: what the app asks for, how it reads the answer, and the answer a
 * provider (or a broken proxy in front of it) sends, from realistic wire payloads mutated
 * adversarially.
 */
import fc from 'fast-check';
import type { KnownDefect } from './harness';
import {
  errorBody,
  hostileExtraKeys,
  modelName,
  replyDeltas,
  replyText,
  requestMessages,
  requestParams,
  responseModel,
  status,
  usageField,
  withExtraKeys,
} from './hostile';
import { contentType, framing, jsonData, sseStyle, type SseEvent } from './wire';
import { streamReading, valueReading, type AnswerSpec, type StreamReading, type ValueReading } from './app';

export const MODELS = [
  'gpt-4o-mini',
  'gpt-4o',
  'o3-mini',
  'gpt-4.1',
  'text-embedding-3-small',
  'gpt-4o-mini-2024-07-18',
  'ft:gpt-4o-mini:acme::x1',
];

/** Chat Completions usage with hostile values and keys. */
const chatUsage = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        fc.record({
          prompt_tokens: usageField,
          completion_tokens: usageField,
          total_tokens: usageField,
          prompt_tokens_details: fc.option(fc.record({ cached_tokens: usageField, audio_tokens: usageField }), { nil: undefined }),
          completion_tokens_details: fc.option(fc.record({ reasoning_tokens: usageField, accepted_prediction_tokens: usageField }), {
            nil: undefined,
          }),
        }),
        hostileExtraKeys,
      )
      .map(([u, extra]) => withExtraKeys(u, extra)),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 'lots', 7, [], [{ prompt_tokens: 3 }]) },
);

/** Responses API usage. */
const responsesUsage = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        fc.record({
          input_tokens: usageField,
          output_tokens: usageField,
          total_tokens: usageField,
          input_tokens_details: fc.option(fc.record({ cached_tokens: usageField }), { nil: undefined }),
          output_tokens_details: fc.option(fc.record({ reasoning_tokens: usageField }), { nil: undefined }),
        }),
        hostileExtraKeys,
      )
      .map(([u, extra]) => withExtraKeys(u, extra)),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 'lots', 7, []) },
);

const serviceTier = fc.constantFrom<unknown>(
  undefined,
  'default',
  'flex',
  'priority',
  'scale',
  'auto',
  '__proto__',
  'constructor',
  12,
  null,
);
const finishReason = fc.constantFrom<unknown>('stop', 'length', 'tool_calls', 'content_filter', null, '__proto__', 3);

const chatChoices = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(replyText, finishReason)
      .map(([text, finish]) => [
        { index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: finish },
      ]),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, [], 'none', [null], [{}]) },
);

const errorJson = '{"error":{"message":"Rate limit reached for gpt-4o-mini","type":"requests","param":null,"code":"rate_limit_exceeded"}}';

/** A non-streamed answer: the JSON payload, or an error status with an odd body. */
function jsonAnswer(payload: fc.Arbitrary<unknown>): fc.Arbitrary<AnswerSpec> {
  return fc.oneof(
    {
      weight: 10,
      arbitrary: fc.record({
        status: fc.constant(200),
        contentType: contentType('application/json'),
        body: payload.map((value) => ({ kind: 'json' as const, value })),
        framing,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        status,
        contentType: contentType('application/json'),
        body: errorBody(errorJson).map((text) => ({ kind: 'text' as const, text })),
        framing,
      }),
    },
  );
}

/** A streamed answer: SSE events (mutated), or an error status with an odd body. */
function sseAnswer(events: fc.Arbitrary<{ events: SseEvent[]; tag?: string }>): fc.Arbitrary<AnswerSpec> {
  return fc.oneof(
    {
      weight: 10,
      arbitrary: fc.record({
        status: fc.constant(200),
        contentType: contentType('text/event-stream; charset=utf-8'),
        body: fc.tuple(events, sseStyle).map(([evs, style]) => ({ kind: 'sse' as const, ...evs, style })),
        framing,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        status,
        contentType: contentType('application/json'),
        body: errorBody(errorJson).map((text) => ({ kind: 'text' as const, text })),
        framing,
      }),
    },
  );
}

const chatCompletion = fc
  .record({ model: responseModel(MODELS), choices: chatChoices, usage: chatUsage, tier: serviceTier, extra: hostileExtraKeys })
  .map(({ model, choices, usage, tier, extra }) =>
    withExtraKeys(
      {
        id: 'chatcmpl-prop1',
        object: 'chat.completion',
        created: 1765000000,
        model,
        choices,
        usage,
        service_tier: tier,
        system_fingerprint: 'fp_prop',
      },
      extra,
    ),
  );

/**
 * Chat Completions (or, with `legacy`, legacy Completions) chunks: deltas, finish, usage (last, missing, twice, in every chunk), chunks without choices, an error event.
 */
const completionEvents = (legacy: boolean) =>
  fc
    .record({
      model: responseModel(MODELS),
      deltas: replyDeltas,
      finish: finishReason,
      usage: chatUsage,
      usagePlacement: fc.constantFrom('last', 'last', 'none', 'twice', 'every'),
      choicesless: fc.option(fc.constantFrom<unknown>(undefined, null, 'x', {}), { nil: undefined, freq: 3 }),
      toolCall: fc.option(fc.string({ maxLength: 20 }), { nil: undefined, freq: 4 }),
      errorAt: fc.option(fc.nat(6), { nil: undefined, freq: 8 }),
      done: fc.boolean(),
    })
    .map((g) => {
      const chunk = (choices: unknown, usage?: unknown) =>
        legacy
          ? { id: 'cmpl-prop2', object: 'text_completion', created: 1765000000, model: g.model, choices, usage }
          : {
              id: 'chatcmpl-prop2',
              object: 'chat.completion.chunk',
              created: 1765000000,
              model: g.model,
              system_fingerprint: 'fp_prop',
              choices,
              usage,
            };
      const delta = (text: string, finish: unknown) =>
        legacy
          ? { index: 0, text, logprobs: null, finish_reason: finish }
          : {
              index: 0,
              delta: text === '' && finish === null ? { role: 'assistant', content: '' } : finish === null ? { content: text } : {},
              finish_reason: finish,
            };
      const chunks: unknown[] = [chunk([delta('', null)])];
      for (const text of g.deltas) chunks.push(chunk([delta(text, null)]));
      if (g.toolCall !== undefined && !legacy) {
        chunks.push(
          chunk([
            {
              index: 0,
              delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: g.toolCall } }] },
              finish_reason: null,
            },
          ]),
        );
      }
      chunks.push(chunk([delta('', g.finish)]));
      if (g.choicesless !== undefined || g.usagePlacement === 'none') chunks.push(chunk(g.choicesless));
      // The usage chunk never carries `usage: null` (OpenAI sends null on the other chunks only): on
      // the wire it would be the same as an empty-choices chunk that got `usage: null` because usage
      // was asked for, which the app must see. Its usage is otherwise as hostile as generated.
      const usageChunkUsage = g.usage === null ? {} : g.usage;
      if (g.usagePlacement === 'last' || g.usagePlacement === 'twice') chunks.push(chunk([], usageChunkUsage));
      if (g.usagePlacement === 'twice') chunks.push(chunk([], usageChunkUsage));
      if (g.usagePlacement === 'every') for (const c of chunks) (c as { usage?: unknown }).usage = g.usage;
      // A server sends usage only when the request asks for it (the hook may ask on the app's behalf),
      // then with `usage: null` on every chunk but the usage chunk, as OpenAI does.
      const events: SseEvent[] = chunks.map((c) => {
        const { usage, ...rest } = c as { usage?: unknown; choices?: unknown };
        if (usage === undefined)
          return g.usagePlacement === 'none'
            ? { data: jsonData(c) }
            : { data: jsonData({ ...(c as object), usage: null }), unrequestedUsage: jsonData(c) };
        const usageOnly = Array.isArray(rest.choices) && rest.choices.length === 0 && g.usagePlacement !== 'every';
        return { data: jsonData(c), unrequestedUsage: usageOnly ? null : jsonData(rest) };
      });
      if (g.errorAt !== undefined)
        events.splice(Math.min(g.errorAt, events.length), 0, {
          data: '{"error":{"message":"The server had an error while processing your request.","type":"server_error"}}',
        });
      if (g.done) events.push({ data: '[DONE]' });
      return { events, tag: `usage ${g.usagePlacement}` };
    });

const legacyCompletion = fc
  .record({
    model: responseModel(MODELS),
    text: replyText,
    finish: finishReason,
    usage: chatUsage,
    shape: fc.constantFrom('normal', 'normal', 'normal', 'no-choices', 'choices-null'),
  })
  .map((g) => ({
    id: 'cmpl-prop1',
    object: 'text_completion',
    created: 1765000000,
    model: g.model,
    choices:
      g.shape === 'normal' ? [{ text: g.text, index: 0, logprobs: null, finish_reason: g.finish }] : g.shape === 'no-choices' ? [] : null,
    usage: g.usage,
  }));

const responseObject = (model: unknown, status: unknown, text: string, usage: unknown, tier: unknown) => ({
  id: 'resp_prop1',
  object: 'response',
  created_at: 1765000000,
  status,
  model,
  output:
    text === ''
      ? []
      : [
          {
            type: 'message',
            id: 'msg_prop1',
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text, annotations: [] }],
          },
        ],
  usage,
  service_tier: tier,
});

const responsesValue = fc
  .record({
    model: responseModel(MODELS),
    text: replyText,
    usage: responsesUsage,
    tier: serviceTier,
    status: fc.constantFrom<unknown>('completed', 'incomplete', 'failed', null),
  })
  .map((g) => responseObject(g.model, g.status, g.text, g.usage, g.tier));

/** Responses API events: created, deltas, completed (missing, twice, response null), failed, error. */
const responsesEvents = fc
  .record({
    model: responseModel(MODELS),
    deltas: replyDeltas,
    usage: responsesUsage,
    tier: serviceTier,
    end: fc.constantFrom('completed', 'completed', 'completed-twice', 'none', 'null-response', 'failed', 'incomplete', 'error'),
  })
  .map((g) => {
    const events: SseEvent[] = [];
    let seq = 0;
    const push = (type: string, payload: Record<string, unknown>) =>
      events.push({ event: type, data: jsonData({ type, sequence_number: seq++, ...payload }) });
    push('response.created', { response: responseObject(g.model, 'in_progress', '', null, g.tier) });
    for (const delta of g.deltas) push('response.output_text.delta', { item_id: 'msg_prop1', output_index: 0, content_index: 0, delta });
    const text = g.deltas.join('');
    if (g.end === 'completed' || g.end === 'completed-twice')
      push('response.completed', { response: responseObject(g.model, 'completed', text, g.usage, g.tier) });
    if (g.end === 'completed-twice') push('response.completed', { response: responseObject(g.model, 'completed', text, g.usage, g.tier) });
    if (g.end === 'null-response') push('response.completed', { response: null });
    if (g.end === 'failed') push('response.failed', { response: responseObject(g.model, 'failed', text, g.usage, g.tier) });
    if (g.end === 'incomplete') push('response.incomplete', { response: responseObject(g.model, 'incomplete', text, g.usage, g.tier) });
    if (g.end === 'error') push('error', { code: 'server_error', message: 'The server had an error', param: null });
    return { events };
  });

const embeddingsValue = fc
  .record({
    model: responseModel(MODELS),
    data: fc.constantFrom<unknown>([{ object: 'embedding', index: 0, embedding: [0.0123, -0.045, 0.3] }], [], null, undefined),
    usage: fc.oneof(fc.record({ prompt_tokens: usageField, total_tokens: usageField }), fc.constantFrom<unknown>(undefined, null, 'x')),
  })
  .map((g) => ({ object: 'list', data: g.data, model: g.model, usage: g.usage }));

export type OpenAICase =
  | {
      op: 'chat' | 'completions' | 'responses' | 'embeddings';
      model: string;
      answer: AnswerSpec;
      reading: ValueReading;
      messages?: unknown;
      params?: Record<string, unknown>;
    }
  | {
      op: 'chat-stream' | 'chat-helper' | 'completions-stream' | 'responses-stream';
      model: string;
      answer: AnswerSpec;
      reading: StreamReading;
      includeUsage: boolean;
      messages?: unknown;
      params?: Record<string, unknown>;
    };

const requestModel = modelName(MODELS);

export const cases: fc.Arbitrary<OpenAICase> = fc.oneof(
  fc.record({
    op: fc.constant('chat' as const),
    model: requestModel,
    answer: jsonAnswer(chatCompletion),
    reading: valueReading,
    messages: requestMessages,
    params: requestParams,
  }),
  fc.record({
    op: fc.constant('chat-stream' as const),
    model: requestModel,
    answer: sseAnswer(completionEvents(false)),
    reading: streamReading(true),
    includeUsage: fc.boolean(),
    messages: requestMessages,
    params: requestParams,
  }),
  fc.record({
    op: fc.constant('chat-helper' as const),
    model: requestModel,
    answer: sseAnswer(completionEvents(false)),
    reading: streamReading(false),
    includeUsage: fc.boolean(),
    params: requestParams,
  }),
  fc.record({
    op: fc.constant('completions' as const),
    model: requestModel,
    answer: jsonAnswer(legacyCompletion),
    reading: valueReading,
    params: requestParams,
  }),
  fc.record({
    op: fc.constant('completions-stream' as const),
    model: requestModel,
    answer: sseAnswer(completionEvents(true)),
    reading: streamReading(true),
    includeUsage: fc.boolean(),
    params: requestParams,
  }),
  fc.record({ op: fc.constant('responses' as const), model: requestModel, answer: jsonAnswer(responsesValue), reading: valueReading }),
  fc.record({
    op: fc.constant('responses-stream' as const),
    model: requestModel,
    answer: sseAnswer(responsesEvents),
    reading: streamReading(true),
    includeUsage: fc.constant(false),
  }),
  fc.record({ op: fc.constant('embeddings' as const), model: requestModel, answer: jsonAnswer(embeddingsValue), reading: valueReading }),
);

/** Classes of cases that fail today; each is driven on its own by a gated test below. */
export const KNOWN_DEFECTS: Array<KnownDefect<OpenAICase>> = [];
