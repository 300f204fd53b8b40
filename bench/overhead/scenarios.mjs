// One LLM call per scenario, made the way an app makes it, through the real client library with the
// in-process fetch stub. Each call checks what the app received, so a configuration that changed
// the result would fail the run instead of looking fast.
import {
  ANTHROPIC_MODEL,
  ANTHROPIC_STREAM_EVENTS,
  MESSAGES,
  OPENAI_MODEL,
  OPENAI_STREAM_CHUNKS,
  anthropicMessageJSON,
  anthropicMessageSSE,
  openaiChatJSON,
  openaiChatSSE,
} from './bodies.mjs';
import { stubFetch } from './fetch-stub.mjs';

function openaiClient(require) {
  const { OpenAI } = require('openai');
  const fetch = stubFetch({ json: openaiChatJSON(), sse: openaiChatSSE() });
  return new OpenAI({ apiKey: 'sk-bench', baseURL: 'https://api.openai.com/v1', fetch, maxRetries: 0 });
}

function anthropicClient(require) {
  const mod = require('@anthropic-ai/sdk');
  const Anthropic = mod.Anthropic ?? mod.default;
  const fetch = stubFetch({ json: anthropicMessageJSON(), sse: anthropicMessageSSE() });
  // The SDK's own tracing (on by default once a tracer provider is registered) is switched off in
  // every configuration: the table compares instrumentations, not the SDK's spans.
  return new Anthropic({ apiKey: 'sk-ant-bench', baseURL: 'https://api.anthropic.com', fetch, maxRetries: 0, openTelemetry: false });
}

function fail(what) {
  throw new Error(`the app received ${what}`);
}

/** Scenarios in table order; `make(require)` loads the client library and returns one call. */
export const SCENARIOS = {
  chat: {
    label: 'OpenAI chat, non-streamed',
    provider: 'openai',
    make(require) {
      const client = openaiClient(require);
      return async () => {
        const r = await client.chat.completions.create({ model: OPENAI_MODEL, messages: MESSAGES, max_tokens: 200, temperature: 0.2 });
        if (r.usage?.completion_tokens !== 50) fail('a completion without its usage');
      };
    },
  },
  'chat-stream': {
    label: `OpenAI chat stream, ${OPENAI_STREAM_CHUNKS} chunks`,
    provider: 'openai',
    make(require) {
      const client = openaiClient(require);
      return async () => {
        const stream = await client.chat.completions.create({
          model: OPENAI_MODEL,
          messages: MESSAGES,
          max_tokens: 200,
          temperature: 0.2,
          stream: true,
          stream_options: { include_usage: true },
        });
        let n = 0;
        for await (const chunk of stream) {
          n++;
          if (!chunk) fail('an empty chunk');
        }
        if (n !== OPENAI_STREAM_CHUNKS) fail(`${n} chunks, not ${OPENAI_STREAM_CHUNKS}`);
      };
    },
  },
  messages: {
    label: 'Anthropic messages, non-streamed',
    provider: 'anthropic',
    make(require) {
      const client = anthropicClient(require);
      return async () => {
        const r = await client.messages.create({
          model: ANTHROPIC_MODEL,
          max_tokens: 200,
          system: MESSAGES[0].content,
          messages: MESSAGES.slice(1),
        });
        if (r.usage?.output_tokens !== 50) fail('a message without its usage');
      };
    },
  },
  'messages-stream': {
    label: `Anthropic messages stream, ${ANTHROPIC_STREAM_EVENTS} events`,
    provider: 'anthropic',
    make(require) {
      const client = anthropicClient(require);
      return async () => {
        const stream = await client.messages.create({
          model: ANTHROPIC_MODEL,
          max_tokens: 200,
          system: MESSAGES[0].content,
          messages: MESSAGES.slice(1),
          stream: true,
        });
        let n = 0;
        for await (const event of stream) {
          n++;
          if (!event) fail('an empty event');
        }
        if (n !== ANTHROPIC_STREAM_EVENTS) fail(`${n} events, not ${ANTHROPIC_STREAM_EVENTS}`);
      };
    },
  },
};
