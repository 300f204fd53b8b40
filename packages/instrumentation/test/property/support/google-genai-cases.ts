/**
 * Generated @google/genai calls: what the app asks for, how it reads the answer, and the answer a
 * provider (or a broken proxy in front of it) sends, from realistic wire payloads mutated
 * adversarially.
 */
import fc from 'fast-check';
import type { KnownDefect } from './harness';
import {
  errorBody,
  requestNumber,
  hostileCount,
  hostileExtraKeys,
  modelName,
  replyDeltas,
  replyText,
  responseModel,
  status,
  usageField,
  withExtraKeys,
} from './hostile';
import { contentType, framing, jsonData, sseStyle, type SseEvent } from './wire';
import { streamReading, type AnswerSpec, type StreamReading } from './app';

export const MODELS = ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.0-flash-lite', 'gemini-2.5-flash-lite', 'models/gemini-2.5-flash'];

const modalityCounts = fc.oneof(
  fc.array(fc.record({ modality: fc.constantFrom<unknown>('TEXT', 'IMAGE', 'AUDIO', '__proto__', null), tokenCount: hostileCount }), {
    maxLength: 2,
  }),
  fc.constantFrom<unknown>(undefined, null, 'TEXT', {}),
);

/** `usageMetadata` with hostile values and keys. */
const usageMetadata = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        fc.record({
          promptTokenCount: usageField,
          candidatesTokenCount: usageField,
          totalTokenCount: usageField,
          cachedContentTokenCount: usageField,
          thoughtsTokenCount: usageField,
          toolUsePromptTokenCount: usageField,
          promptTokensDetails: modalityCounts,
          candidatesTokensDetails: modalityCounts,
          trafficType: fc.constantFrom<unknown>(undefined, 'ON_DEMAND', 'PROVISIONED_THROUGHPUT', 'constructor', 3),
        }),
        hostileExtraKeys,
      )
      .map(([u, extra]) => withExtraKeys(u, extra)),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 'lots', 7, []) },
);

const finishReason = fc.constantFrom<unknown>('STOP', 'MAX_TOKENS', 'SAFETY', 'OTHER', undefined, null, '__proto__', 5);

const candidates = (text: string, finish: unknown) => [{ content: { parts: [{ text }], role: 'model' }, finishReason: finish, index: 0 }];

const response = fc
  .record({
    model: responseModel(MODELS),
    text: replyText,
    finish: finishReason,
    usage: usageMetadata,
    shape: fc.constantFrom('normal', 'normal', 'normal', 'no-candidates', 'candidates-null', 'blocked', 'empty-parts'),
    extra: hostileExtraKeys,
  })
  .map((g) => {
    const body: Record<string, unknown> = { usageMetadata: g.usage, modelVersion: g.model, responseId: 'resp-prop-1' };
    if (g.shape === 'normal') body.candidates = candidates(g.text, g.finish);
    if (g.shape === 'candidates-null') body.candidates = null;
    if (g.shape === 'blocked') body.promptFeedback = { blockReason: 'SAFETY' };
    if (g.shape === 'empty-parts') body.candidates = [{ content: { parts: [], role: 'model' }, finishReason: g.finish }];
    return withExtraKeys(body, g.extra);
  });

/** Stream chunks: usage on every chunk (as Gemini sends it), only the last, none; a blocked or error chunk. */
const streamEvents = fc
  .record({
    model: responseModel(MODELS),
    deltas: replyDeltas,
    finish: finishReason,
    usage: usageMetadata,
    usagePlacement: fc.constantFrom('every', 'every', 'last', 'none'),
    trailer: fc.constantFrom('none', 'none', 'none', 'error', 'blocked', 'no-candidates'),
  })
  .map((g) => {
    const chunks: Array<Record<string, unknown>> = g.deltas.map((text) => ({
      candidates: candidates(text, undefined),
      modelVersion: g.model,
      responseId: 'resp-prop-2',
    }));
    chunks.push({ candidates: candidates('', g.finish), modelVersion: g.model, responseId: 'resp-prop-2' });
    if (g.usagePlacement === 'every') for (const c of chunks) c.usageMetadata = g.usage;
    if (g.usagePlacement === 'last') chunks[chunks.length - 1].usageMetadata = g.usage;
    if (g.trailer === 'blocked') chunks.push({ promptFeedback: { blockReason: 'OTHER' }, usageMetadata: g.usage, modelVersion: g.model });
    if (g.trailer === 'no-candidates') chunks.push({ usageMetadata: g.usage });
    const events: SseEvent[] = chunks.map((c) => ({ data: jsonData(c) }));
    if (g.trailer === 'error') events.push({ data: '{"error":{"code":500,"message":"Internal error encountered.","status":"INTERNAL"}}' });
    return events;
  });

const errorJson = '{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}';

const jsonAnswer: fc.Arbitrary<AnswerSpec> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      status: fc.constant(200),
      contentType: contentType('application/json; charset=UTF-8'),
      body: response.map((value) => ({ kind: 'json' as const, value })),
      framing,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      status,
      contentType: contentType('application/json; charset=UTF-8'),
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
      contentType: contentType('text/event-stream'),
      body: fc.tuple(streamEvents, sseStyle).map(([events, style]) => ({ kind: 'sse' as const, events, style })),
      framing,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      status,
      contentType: contentType('application/json; charset=UTF-8'),
      body: errorBody(errorJson).map((text) => ({ kind: 'text' as const, text })),
      framing,
    }),
  },
);

export type GenAICase =
  | { op: 'generateContent'; model: string; answer: AnswerSpec; config: Record<string, unknown> }
  | { op: 'generateContentStream'; model: string; answer: AnswerSpec; reading: StreamReading; config: Record<string, unknown> };

/** Generation config of a request, each value possibly hostile. */
const config = fc.record(
  { temperature: requestNumber, topP: requestNumber, topK: requestNumber, maxOutputTokens: requestNumber },
  { requiredKeys: [] },
);

export const cases: fc.Arbitrary<GenAICase> = fc.oneof(
  fc.record({ op: fc.constant('generateContent' as const), model: modelName(MODELS), answer: jsonAnswer, config }),
  fc.record({
    op: fc.constant('generateContentStream' as const),
    model: modelName(MODELS),
    answer: sseAnswer,
    reading: streamReading(false),
    config,
  }),
);

/** Classes of cases that fail today; each is driven on its own by a gated test below. */
export const KNOWN_DEFECTS: Array<KnownDefect<GenAICase>> = [];
