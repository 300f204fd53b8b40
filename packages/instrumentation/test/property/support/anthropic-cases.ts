/**
 * Generated @anthropic-ai/sdk calls: what the app asks for, how it reads the answer, and the answer a
 * provider (or a broken proxy in front of it) sends, from realistic wire payloads mutated
 * adversarially.
 */
import fc from 'fast-check';
import type { KnownDefect } from './harness';
import {
  errorBody,
  hostileExtraKeys,
  modelName,
  requestNumber,
  replyDeltas,
  replyText,
  responseModel,
  status,
  usageField,
  withExtraKeys,
} from './hostile';
import { contentType, framing, jsonData, sseStyle, type SseEvent } from './wire';
import { streamReading, valueReading, type AnswerSpec, type StreamReading, type ValueReading } from './app';

export const MODELS = ['claude-sonnet-4-5', 'claude-3-5-haiku-20241022', 'claude-opus-4-1', 'claude-3-7-sonnet-latest', 'claude-haiku-4-5'];

/** Messages API usage with hostile values and keys. */
const usage = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        fc.record({
          input_tokens: usageField,
          output_tokens: usageField,
          cache_creation_input_tokens: usageField,
          cache_read_input_tokens: usageField,
          cache_creation: fc.option(fc.record({ ephemeral_5m_input_tokens: usageField, ephemeral_1h_input_tokens: usageField }), {
            nil: undefined,
          }),
          server_tool_use: fc.option(fc.record({ web_search_requests: usageField }), { nil: undefined }),
          service_tier: fc.constantFrom<unknown>(undefined, 'standard', 'priority', 'batch', '__proto__', 9),
        }),
        hostileExtraKeys,
      )
      .map(([u, extra]) => withExtraKeys(u, extra)),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 'lots', 7, []) },
);

const stopReason = fc.constantFrom<unknown>('end_turn', 'max_tokens', 'stop_sequence', 'tool_use', 'refusal', null, '__proto__', 4);

const content = fc.oneof(
  { weight: 6, arbitrary: replyText.map((text) => [{ type: 'text', text }]) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      [],
      null,
      undefined,
      'text',
      [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { q: 'x' } }],
      [{}],
    ),
  },
);

const message = fc.record({ model: responseModel(MODELS), content, stop: stopReason, usage, extra: hostileExtraKeys }).map((g) =>
  withExtraKeys(
    {
      id: 'msg_prop1',
      type: 'message',
      role: 'assistant',
      model: g.model,
      content: g.content,
      stop_reason: g.stop,
      stop_sequence: null,
      usage: g.usage,
    },
    g.extra,
  ),
);

/** Message stream events: start (with input usage), text deltas, message_delta usage (missing, twice), stop, ping, error. */
const streamEvents = fc
  .record({
    model: responseModel(MODELS),
    startUsage: usage,
    deltas: replyDeltas,
    deltaUsage: usage,
    stop: stopReason,
    shape: fc.constantFrom(
      'full',
      'full',
      'full',
      'no-start',
      'no-delta',
      'delta-twice',
      'no-stop',
      'error',
      'overloaded-first',
      'tool-use',
    ),
    toolJson: fc.string({ maxLength: 20 }),
  })
  .map((g) => {
    const events: SseEvent[] = [];
    const push = (type: string, payload: Record<string, unknown>) => events.push({ event: type, data: jsonData({ type, ...payload }) });
    if (g.shape === 'overloaded-first') push('error', { error: { type: 'overloaded_error', message: 'Overloaded' } });
    if (g.shape !== 'no-start') {
      push('message_start', {
        message: {
          id: 'msg_prop2',
          type: 'message',
          role: 'assistant',
          model: g.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: g.startUsage,
        },
      });
    }
    push('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    push('ping', {});
    for (const text of g.deltas) push('content_block_delta', { index: 0, delta: { type: 'text_delta', text } });
    push('content_block_stop', { index: 0 });
    if (g.shape === 'tool-use') {
      push('content_block_start', { index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {} } });
      push('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: g.toolJson } });
      push('content_block_stop', { index: 1 });
    }
    if (g.shape === 'error') push('error', { error: { type: 'api_error', message: 'Internal server error' } });
    if (g.shape !== 'no-delta') push('message_delta', { delta: { stop_reason: g.stop, stop_sequence: null }, usage: g.deltaUsage });
    if (g.shape === 'delta-twice') push('message_delta', { delta: { stop_reason: g.stop, stop_sequence: null }, usage: g.deltaUsage });
    if (g.shape !== 'no-stop') push('message_stop', {});
    return events;
  });

const errorJson = '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}';

const jsonAnswer: fc.Arbitrary<AnswerSpec> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      status: fc.constant(200),
      contentType: contentType('application/json'),
      body: message.map((value) => ({ kind: 'json' as const, value })),
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

const sseAnswer: fc.Arbitrary<AnswerSpec> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      status: fc.constant(200),
      contentType: contentType('text/event-stream; charset=utf-8'),
      body: fc.tuple(streamEvents, sseStyle).map(([events, style]) => ({ kind: 'sse' as const, events, style })),
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

export type AnthropicCase =
  | { op: 'messages'; model: string; answer: AnswerSpec; reading: ValueReading; params: Record<string, unknown> }
  | {
      op: 'messages-stream' | 'messages-helper';
      model: string;
      answer: AnswerSpec;
      reading: StreamReading;
      params: Record<string, unknown>;
    };

/** Sampling parameters of a messages request, each possibly hostile. */
const params = fc.record(
  { temperature: requestNumber, top_p: requestNumber, top_k: requestNumber, max_tokens: requestNumber },
  { requiredKeys: [] },
);

export const cases: fc.Arbitrary<AnthropicCase> = fc.oneof(
  fc.record({ op: fc.constant('messages' as const), model: modelName(MODELS), answer: jsonAnswer, reading: valueReading, params }),
  fc.record({
    op: fc.constant('messages-stream' as const),
    model: modelName(MODELS),
    answer: sseAnswer,
    reading: streamReading(true),
    params,
  }),
  fc.record({
    op: fc.constant('messages-helper' as const),
    model: modelName(MODELS),
    answer: sseAnswer,
    reading: streamReading(false),
    params,
  }),
);

/** Classes of cases that fail today; each is driven on its own by a gated test below. */
export const KNOWN_DEFECTS: Array<KnownDefect<AnthropicCase>> = [];
