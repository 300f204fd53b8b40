/**
 * Generated @aws-sdk/client-bedrock-runtime calls: what the app asks for, how it reads the answer, and the answer a
 * provider (or a broken proxy in front of it) sends, from realistic wire payloads mutated
 * adversarially.
 */
import fc from 'fast-check';
import { snapshot, type KnownDefect } from './harness';
import {
  hostileCount,
  hostileExtraKeys,
  requestNumber,
  modelName,
  replyDeltas,
  replyText,
  toJson,
  usageField,
  withExtraKeys,
} from './hostile';
import { framing } from './wire';
import { corruptAt, type BedrockAnswer, type StreamMessage } from './bedrock-wire';
import { streamReading, type StreamReading } from './app';

export const MODELS = [
  'anthropic.claude-3-5-haiku-20241022-v1:0',
  'us.anthropic.claude-sonnet-4-20250514-v1:0',
  'amazon.nova-lite-v1:0',
  'meta.llama3-1-8b-instruct-v1:0',
  'mistral.mistral-large-2407-v1:0',
  'cohere.command-r-v1:0',
  'amazon.titan-text-express-v1',
];

const REQUEST_ID = '6b7f2c1e-0000-4000-8000-000000000001';

/** Converse `usage` with hostile values and keys. */
const converseUsage = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        fc.record({
          inputTokens: usageField,
          outputTokens: usageField,
          totalTokens: usageField,
          cacheReadInputTokens: usageField,
          cacheWriteInputTokens: usageField,
        }),
        hostileExtraKeys,
      )
      .map(([u, extra]) => withExtraKeys(u, extra)),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 'lots', 7, []) },
);

const stopReason = fc.constantFrom<unknown>(
  'end_turn',
  'max_tokens',
  'stop_sequence',
  'tool_use',
  'guardrail_intervened',
  '__proto__',
  null,
  3,
);

/** Error answers: status, `x-amzn-errortype`, and a body from well-formed to garbage. */
const errorAnswer: fc.Arbitrary<BedrockAnswer> = fc.record({
  status: fc.constantFrom(400, 403, 404, 408, 424, 429, 500, 503),
  headers: fc
    .constantFrom(
      'ThrottlingException',
      'ValidationException',
      'ModelNotReadyException',
      'ServiceUnavailableException',
      'AccessDeniedException',
      'Surprise',
      '',
    )
    .map((type) => ({
      'content-type': 'application/json',
      'x-amzn-requestid': REQUEST_ID,
      ...(type ? { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` } : {}),
    })),
  body: fc
    .constantFrom(
      '{"message":"Too many requests, please wait before trying again."}',
      '',
      '{',
      'null',
      '<html>503</html>',
      '{"Message":{"nested":true}}',
    )
    .map((text) => ({ kind: 'bytes' as const, text })),
  framing,
});

function okJson(
  value: fc.Arbitrary<unknown>,
  extraHeaders: fc.Arbitrary<Record<string, string>> = fc.constant({}),
): fc.Arbitrary<BedrockAnswer> {
  return fc.oneof(
    {
      weight: 10,
      arbitrary: fc.record({
        status: fc.constant(200),
        headers: extraHeaders.map((h) => ({ 'content-type': 'application/json', 'x-amzn-requestid': REQUEST_ID, ...h })),
        body: value.map((v) => ({ kind: 'bytes' as const, text: toJson(v) })),
        framing,
      }),
    },
    { weight: 1, arbitrary: errorAnswer },
  );
}

function okStream(messages: fc.Arbitrary<StreamMessage[]>): fc.Arbitrary<BedrockAnswer> {
  return fc.oneof(
    {
      weight: 10,
      arbitrary: fc.record({
        status: fc.constant(200),
        headers: fc.constant({
          'content-type': 'application/vnd.amazon.eventstream',
          'x-amzn-requestid': REQUEST_ID,
          'x-amzn-bedrock-content-type': 'application/json',
        }),
        body: fc.tuple(messages, corruptAt).map(([m, c]) => ({ kind: 'events' as const, messages: m, corruptAt: c })),
        framing,
      }),
    },
    { weight: 1, arbitrary: errorAnswer },
  );
}

const converseValue = fc
  .record({
    text: replyText,
    stop: stopReason,
    usage: converseUsage,
    extra: hostileExtraKeys,
    output: fc.constantFrom('message', 'message', 'message', 'missing', 'null'),
  })
  .map((g) =>
    withExtraKeys(
      {
        output:
          g.output === 'message' ? { message: { role: 'assistant', content: [{ text: g.text }] } } : g.output === 'null' ? null : undefined,
        stopReason: g.stop,
        usage: g.usage,
        metrics: { latencyMs: 312 },
      },
      g.extra,
    ),
  );

const ev = (type: string, payload: unknown): StreamMessage => ({ kind: 'event', type, payload });

/** ConverseStream events: metadata (usage) last, missing, twice; unknown events; a mid-stream exception. */
const converseEvents = fc
  .record({
    deltas: replyDeltas,
    stop: stopReason,
    usage: converseUsage,
    metadata: fc.constantFrom('last', 'last', 'last', 'none', 'twice', 'usage-null'),
    surprise: fc.boolean(),
    exceptionAt: fc.option(fc.nat(6), { nil: undefined, freq: 8 }),
  })
  .map((g) => {
    const out: StreamMessage[] = [ev('messageStart', { role: 'assistant', p: 'abcd' })];
    for (const text of g.deltas) out.push(ev('contentBlockDelta', { contentBlockIndex: 0, delta: { text }, p: 'ab' }));
    out.push(ev('contentBlockStop', { contentBlockIndex: 0 }));
    if (g.surprise) out.push(ev('brandNewEvent', { anything: 1 }));
    out.push(ev('messageStop', { stopReason: g.stop }));
    const metadata = ev('metadata', { usage: g.metadata === 'usage-null' ? null : g.usage, metrics: { latencyMs: 300 } });
    if (g.metadata !== 'none') out.push(metadata);
    if (g.metadata === 'twice') out.push(metadata);
    if (g.exceptionAt !== undefined) {
      out.splice(Math.min(g.exceptionAt, out.length), 0, {
        kind: 'exception',
        type: 'modelStreamErrorException',
        payload: { message: 'The model encountered an error while streaming its response.', originalStatusCode: 500 },
      });
    }
    return out;
  });

/** InvokeModel bodies of the model families Bedrock serves, with hostile counts. */
const invokeBody = fc.oneof(
  fc
    .record({
      text: replyText,
      stop: stopReason,
      usage: fc.record({
        input_tokens: usageField,
        output_tokens: usageField,
        cache_read_input_tokens: usageField,
        cache_creation_input_tokens: usageField,
      }),
      model: modelName(MODELS),
    })
    .map((g) => ({
      id: 'msg_bdrk_1',
      type: 'message',
      role: 'assistant',
      model: g.model,
      content: [{ type: 'text', text: g.text }],
      stop_reason: g.stop,
      stop_sequence: null,
      usage: g.usage,
    })),
  fc
    .record({ text: replyText, stop: stopReason, usage: converseUsage })
    .map((g) => ({ output: { message: { content: [{ text: g.text }], role: 'assistant' } }, stopReason: g.stop, usage: g.usage })),
  fc
    .record({ text: replyText, p: usageField, g: usageField })
    .map((g) => ({ generation: g.text, prompt_token_count: g.p, generation_token_count: g.g, stop_reason: 'stop' })),
  fc
    .record({ text: replyText, i: usageField, o: usageField })
    .map((g) => ({ inputTextTokenCount: g.i, results: [{ tokenCount: g.o, outputText: g.text, completionReason: 'FINISH' }] })),
  replyText.map((text) => ({ outputs: [{ text, stop_reason: 'stop' }] })),
  replyText.map((text) => ({ text, finish_reason: 'COMPLETE', generation_id: 'g1' })),
  fc.constantFrom<unknown>(null, [], 'text', {}, 12),
);

/** Token-count headers of InvokeModel, with hostile values. */
const countHeaders = fc
  .record({ input: fc.option(hostileCount, { nil: undefined }), output: fc.option(hostileCount, { nil: undefined }) })
  .map((g) => {
    const h: Record<string, string> = { 'x-amzn-bedrock-invocation-latency': '512' };
    if (g.input !== undefined) h['x-amzn-bedrock-input-token-count'] = headerText(g.input);
    if (g.output !== undefined) h['x-amzn-bedrock-output-token-count'] = headerText(g.output);
    return h;
  });

function headerText(v: unknown): string {
  const text = toJson(v).replace(/[^\x20-\x7e]/g, '');
  return text.replace(/^"|"$/g, '');
}

const invocationMetrics = fc.record({
  inputTokenCount: usageField,
  outputTokenCount: usageField,
  invocationLatency: fc.constant(420),
  firstByteLatency: fc.constant(120),
});

/** InvokeModelWithResponseStream chunks: provider JSON in base64 `bytes`, the invocation metrics on the last one (or none). */
const invokeStreamEvents = fc
  .record({
    family: fc.constantFrom('anthropic', 'titan', 'llama'),
    model: modelName(MODELS),
    deltas: replyDeltas,
    usage: fc.record({ input_tokens: usageField, output_tokens: usageField }),
    metrics: fc.option(invocationMetrics, { nil: undefined, freq: 4 }),
    rawChunk: fc.option(fc.constantFrom('not json', '', '{"unterminated":', 'null'), { nil: undefined, freq: 8 }),
    exceptionAt: fc.option(fc.nat(6), { nil: undefined, freq: 8 }),
  })
  .map((g) => {
    const payloads: unknown[] = [];
    if (g.family === 'anthropic') {
      payloads.push({
        type: 'message_start',
        message: {
          id: 'msg_bdrk_2',
          type: 'message',
          role: 'assistant',
          model: g.model,
          content: [],
          usage: { input_tokens: g.usage.input_tokens, output_tokens: 1 },
        },
      });
      for (const text of g.deltas) payloads.push({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } });
      payloads.push({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: g.usage.output_tokens } });
      payloads.push({ type: 'message_stop' });
    } else if (g.family === 'titan') {
      for (const text of g.deltas)
        payloads.push({
          outputText: text,
          index: 0,
          totalOutputTextTokenCount: g.usage.output_tokens,
          completionReason: null,
          inputTextTokenCount: g.usage.input_tokens,
        });
      payloads.push({ outputText: '', index: 0, completionReason: 'FINISH' });
    } else {
      for (const text of g.deltas)
        payloads.push({
          generation: text,
          prompt_token_count: g.usage.input_tokens,
          generation_token_count: g.usage.output_tokens,
          stop_reason: null,
        });
      payloads.push({ generation: '', stop_reason: 'stop' });
    }
    if (g.metrics) (payloads[payloads.length - 1] as Record<string, unknown>)['amazon-bedrock-invocationMetrics'] = g.metrics;
    const out: StreamMessage[] = payloads.map((p) => ev('chunk', { bytes: Buffer.from(toJson(p), 'utf8').toString('base64'), p: 'abc' }));
    if (g.rawChunk !== undefined) out.splice(1, 0, ev('chunk', { bytes: Buffer.from(g.rawChunk, 'utf8').toString('base64') }));
    if (g.exceptionAt !== undefined) {
      out.splice(Math.min(g.exceptionAt, out.length), 0, {
        kind: 'exception',
        type: 'throttlingException',
        payload: { message: 'Too many tokens, please wait before trying again.' },
      });
    }
    return out;
  });

export type BedrockCase =
  | { op: 'converse' | 'invokeModel'; model: string; answer: BedrockAnswer; inferenceConfig?: Record<string, unknown> }
  | {
      op: 'converseStream' | 'invokeModelWithResponseStream';
      model: string;
      answer: BedrockAnswer;
      reading: StreamReading;
      inferenceConfig?: Record<string, unknown>;
    };

/** Converse `inferenceConfig`, each value possibly hostile. */
const inferenceConfig = fc.record({ maxTokens: requestNumber, temperature: requestNumber, topP: requestNumber }, { requiredKeys: [] });

const requestModel = modelName(MODELS).filter((m) => m.length > 0 && m.length < 2048);

export const cases: fc.Arbitrary<BedrockCase> = fc.oneof(
  fc.record({ op: fc.constant('converse' as const), model: requestModel, answer: okJson(converseValue), inferenceConfig }),
  fc.record({
    op: fc.constant('converseStream' as const),
    model: requestModel,
    answer: okStream(converseEvents),
    reading: streamReading(false),
    inferenceConfig,
  }),
  fc.record({ op: fc.constant('invokeModel' as const), model: requestModel, answer: okJson(invokeBody, countHeaders) }),
  fc.record({
    op: fc.constant('invokeModelWithResponseStream' as const),
    model: requestModel,
    answer: okStream(invokeStreamEvents),
    reading: streamReading(false),
  }),
);

/** Classes of cases that fail today; each is driven on its own by a gated test below. */
export const KNOWN_DEFECTS: Array<KnownDefect<BedrockCase>> = [];

/** What the app sees of a Bedrock output: the output with its body read as text, and no stream object. */
export function outputView(output: Record<string, unknown>): unknown {
  const { body, stream, ...rest } = output;
  const view: Record<string, unknown> = { ...rest };
  if (body && typeof (body as { transformToString?: unknown }).transformToString === 'function')
    view.body = (body as { transformToString(): string }).transformToString();
  if (stream !== undefined) view.stream = typeof stream;
  return snapshot(view);
}
