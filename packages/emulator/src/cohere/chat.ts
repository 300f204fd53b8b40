import { randomUUID } from 'node:crypto';
import { estimateRequestTokens } from '@tokenomics/tokens/request-estimate';
import type { Exchange } from '../exchange';
import { ChunkWriter, StreamControl } from '../pacing';
import { badRequest, type Route } from '../provider-api';
import { composeReply } from '../reply';
import { lastUserText } from '../request-text';
import { playScript, type ScriptedEvent } from '../stream-script';
import { countRequest } from '../token-accounting';
import { cohereHeaders } from './errors';

// Cohere API reference, Chat v2: https://docs.cohere.com/reference/chat and
// https://docs.cohere.com/reference/chat-stream (POST /v2/chat). Fields relied on: request `model`,
// `messages`, `max_tokens`, `stream`; answer `id`, `finish_reason` (`COMPLETE`, `MAX_TOKENS`, ...),
// `message.{role,content[].{type,text}}`, `usage.billed_units.{input_tokens,output_tokens}` (what is
// billed) and `usage.tokens.{input_tokens,output_tokens}` (what the model saw, prompt template
// included). Streams are server-sent events `message-start`, `content-start`, `content-delta`,
// `content-end` and `message-end` (with `delta.finish_reason` and `delta.usage`).

/**
 * Tokens of the prompt template the API wraps a chat in: counted in `usage.tokens.input_tokens`,
 * not billed (`usage.billed_units.input_tokens` counts the messages only).
 */
export const COHERE_TEMPLATE_TOKENS = 211;

function requireModel(fields: Record<string, unknown>): string {
  if (typeof fields.model !== 'string' || fields.model.length === 0) throw badRequest('invalid request: model must be specified', 'model');
  return fields.model;
}

async function answer(exchange: Exchange): Promise<void> {
  const fields = exchange.fields;
  const model = requireModel(fields);
  if (!Array.isArray(fields.messages) || fields.messages.length === 0) {
    throw badRequest('invalid request: messages must contain at least one message.', 'messages');
  }
  const maxTokens = typeof fields.max_tokens === 'number' && fields.max_tokens > 0 ? fields.max_tokens : undefined;
  const inputTokens = countRequest(() => estimateRequestTokens({ messages: fields.messages, tools: fields.tools }, model)).tokens;
  const seed = lastUserText(fields.messages) ?? JSON.stringify(fields.messages);
  const reply = composeReply({ seed, model, outputTokens: exchange.directives.outputTokens, maxTokens });
  const usage = {
    billed_units: { input_tokens: inputTokens, output_tokens: reply.tokens },
    tokens: { input_tokens: inputTokens + COHERE_TEMPLATE_TOKENS, output_tokens: reply.tokens + 1 },
  };
  const finishReason = reply.truncated ? 'MAX_TOKENS' : 'COMPLETE';
  const id = randomUUID();
  if (fields.stream !== true) {
    exchange.sendJson(
      200,
      { id, finish_reason: finishReason, message: { role: 'assistant', content: [{ type: 'text', text: reply.text }] }, usage },
      cohereHeaders(),
    );
    return;
  }
  exchange.startStream(200, cohereHeaders({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }));
  const control = new StreamControl(new ChunkWriter(exchange.res, exchange.chunkTiming()), exchange.res, exchange.directives);
  const events: ScriptedEvent[] = [
    {
      event: 'message-start',
      data: {
        id,
        type: 'message-start',
        delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } },
      },
    },
    { event: 'content-start', data: { type: 'content-start', index: 0, delta: { message: { content: { type: 'text', text: '' } } } } },
    ...reply.pieces.map((piece): ScriptedEvent => ({
      event: 'content-delta',
      data: { type: 'content-delta', index: 0, delta: { message: { content: { text: piece } } } },
      content: true,
    })),
    { event: 'content-end', data: { type: 'content-end', index: 0 } },
    { event: 'message-end', data: { type: 'message-end', delta: { finish_reason: finishReason, usage } } },
  ];
  const encode = (event: ScriptedEvent): string => `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
  const errorEvents = (): string[] => [
    encode({ event: 'message-end', data: { type: 'message-end', delta: { finish_reason: 'ERROR', error: 'internal server error' } } }),
  ];
  await playScript(control, [...events], encode, errorEvents);
}

/** `POST /v2/chat`. */
export const cohereChatRoute: Route = {
  method: 'POST',
  pattern: /^\/v2\/chat$/,
  directiveText: (body) => lastUserText(body.messages),
  handle: answer,
};
