// Realistic response bodies for the in-process fetch stub, built once per process and replayed
// from the same bytes on every call: an OpenAI chat completion (JSON, usage with token details), an
// OpenAI chat stream (50 content chunks, a finish chunk, a usage chunk, [DONE]) and the Anthropic
// Messages equivalents (JSON; SSE with message_start, 50 text deltas, message_delta usage).

const encoder = new TextEncoder();

/** Number of content chunks in each streamed answer. */
export const CONTENT_CHUNKS = 50;

const WORDS = (
  'Tokens are billed per call, so a service that answers fifty questions a second pays for every ' +
  'prompt and every completion it streams back to its users, cached or not, and the bill arrives ' +
  'a month later unless the numbers are recorded next to the latency of each request as it happens'
).split(' ');

/** The streamed answer, one piece per chunk (a word with its leading space, as OpenAI streams them). */
export const ANSWER_PIECES = Array.from({ length: CONTENT_CHUNKS }, (_, i) => (i === 0 ? '' : ' ') + WORDS[i % WORDS.length]);
const ANSWER = ANSWER_PIECES.join('');

export const OPENAI_MODEL = 'gpt-4o-mini';
const OPENAI_SNAPSHOT = 'gpt-4o-mini-2024-07-18';
export const ANTHROPIC_MODEL = 'claude-sonnet-4-6';
const ANTHROPIC_SNAPSHOT = 'claude-sonnet-4-6';
const CREATED = 1764300000;

const openaiUsage = {
  prompt_tokens: 1184,
  completion_tokens: 50,
  total_tokens: 1234,
  prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
};

/** A chat completion as `POST /v1/chat/completions` returns it. */
export function openaiChatJSON() {
  return encoder.encode(
    JSON.stringify({
      id: 'chatcmpl-BenchA1b2C3d4E5f6G7h8I9j0K1l2',
      object: 'chat.completion',
      created: CREATED,
      model: OPENAI_SNAPSHOT,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: ANSWER, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: openaiUsage,
      service_tier: 'default',
      system_fingerprint: 'fp_560af6e559',
    }),
  );
}

/** The same answer as a `stream: true` + `include_usage` SSE body: 50 content chunks, finish, usage, [DONE], as the API sends it (with `obfuscation` padding). */
export function openaiChatSSE() {
  const base = {
    id: 'chatcmpl-BenchS1b2C3d4E5f6G7h8I9j0K1l2',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: OPENAI_SNAPSHOT,
    service_tier: 'default',
    system_fingerprint: 'fp_560af6e559',
  };
  const events = [];
  // OpenAI pads each delta chunk with an `obfuscation` field (after `usage`), a few characters long.
  const padding = (text) => 'Xq7bR2mK9pL4vN8s'.slice(0, Math.max(1, 16 - (text.length % 16)));
  ANSWER_PIECES.forEach((piece, i) => {
    const delta = i === 0 ? { role: 'assistant', content: piece, refusal: null } : { content: piece };
    events.push({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: null }], usage: null, obfuscation: padding(piece) });
  });
  events.push({
    ...base,
    choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }],
    usage: null,
    obfuscation: padding(''),
  });
  events.push({ ...base, choices: [], usage: openaiUsage });
  const text = events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n';
  return encoder.encode(text);
}

/** Chunks the app sees from {@link openaiChatSSE}. */
export const OPENAI_STREAM_CHUNKS = CONTENT_CHUNKS + 2;

const anthropicUsage = {
  input_tokens: 1184,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 2048,
  cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
  output_tokens: 50,
  service_tier: 'standard',
};

/** A message as `POST /v1/messages` returns it. */
export function anthropicMessageJSON() {
  return encoder.encode(
    JSON.stringify({
      id: 'msg_01BenchA1b2C3d4E5f6G7h8I9',
      type: 'message',
      role: 'assistant',
      model: ANTHROPIC_SNAPSHOT,
      content: [{ type: 'text', text: ANSWER }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: anthropicUsage,
    }),
  );
}

/** The same answer as a `stream: true` SSE body. */
export function anthropicMessageSSE() {
  const events = [
    [
      'message_start',
      {
        type: 'message_start',
        message: {
          id: 'msg_01BenchS1b2C3d4E5f6G7h8I9',
          type: 'message',
          role: 'assistant',
          model: ANTHROPIC_SNAPSHOT,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...anthropicUsage, output_tokens: 1 },
        },
      },
    ],
    ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
    ['ping', { type: 'ping' }],
    ...ANSWER_PIECES.map((text) => ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }]),
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    [
      'message_delta',
      {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { input_tokens: 1184, cache_creation_input_tokens: 0, cache_read_input_tokens: 2048, output_tokens: 50 },
      },
    ],
    ['message_stop', { type: 'message_stop' }],
  ];
  return encoder.encode(events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`).join(''));
}

/** Events the app sees from {@link anthropicMessageSSE}. */
export const ANTHROPIC_STREAM_EVENTS = CONTENT_CHUNKS + 5; // the SDK drops `ping`

/** A realistic chat request: system prompt, a short history, the question. */
export const MESSAGES = [
  {
    role: 'system',
    content: 'You are a support assistant for an online bookshop. Answer briefly and cite the order number when there is one.',
  },
  { role: 'user', content: 'Where is my order 40-1187? It was due on Tuesday.' },
  {
    role: 'assistant',
    content: 'Order 40-1187 left our warehouse on Monday and is with the courier; tracking shows delivery tomorrow before noon.',
  },
  { role: 'user', content: 'Why am I charged for every question I ask you?' },
];
