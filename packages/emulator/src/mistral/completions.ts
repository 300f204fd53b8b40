import { estimateRequestTokens } from '@tokenomics/tokens/request-estimate';
import type { Exchange } from '../exchange';
import { randomHex, unixSeconds } from '../ids';
import { ChunkWriter, StreamControl } from '../pacing';
import { badRequest, type Route } from '../provider-api';
import { composeReply, type Reply } from '../reply';
import { lastUserText } from '../request-text';
import { capped, countRequest } from '../token-accounting';
import { mistralErrorBody, mistralHeaders } from './errors';

// Mistral AI API reference, https://docs.mistral.ai/api/ (Chat: POST /v1/chat/completions; FIM:
// POST /v1/fim/completions). Fields relied on: request `model`, `messages` (chat), `prompt` and
// `suffix` (FIM), `max_tokens`, `stream`; answer `id`, `object` (`chat.completion`), `created`,
// `model`, `choices[].index`, `choices[].message.{role,content,tool_calls,prefix}`,
// `choices[].finish_reason` (`stop` / `length`), `usage.{prompt_tokens,completion_tokens,total_tokens}`,
// `usage.prompt_tokens_details.cached_tokens` and `usage.completion_tokens_details.reasoning_tokens`.
// Streams are data-only server-sent events of `chat.completion.chunk` objects (`choices[].delta`),
// the last one with `finish_reason` and `usage`, then `data: [DONE]`.

/** Usage of a Mistral completion. */
export interface MistralUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
  completion_tokens_details?: { reasoning_tokens: number };
}

interface CompletionPlan {
  id: string;
  created: number;
  model: string;
  reply: Reply;
  usage: MistralUsage;
}

function requireModel(fields: Record<string, unknown>): string {
  if (typeof fields.model !== 'string' || fields.model.length === 0) throw badRequest('model: Field required', 'model');
  return fields.model;
}

function optionalMaxTokens(fields: Record<string, unknown>): number | undefined {
  const value = fields.max_tokens;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw badRequest(`max_tokens: Input should be a valid non-negative integer, got ${JSON.stringify(value)}`, 'max_tokens');
  }
  return value;
}

function planCompletion(exchange: Exchange, kind: 'chat' | 'fim'): CompletionPlan {
  const fields = exchange.fields;
  const model = requireModel(fields);
  let promptTokens: number;
  let seed: string;
  if (kind === 'chat') {
    if (!Array.isArray(fields.messages)) throw badRequest('messages: Field required', 'messages');
    promptTokens = countRequest(() => estimateRequestTokens({ messages: fields.messages, tools: fields.tools }, model)).tokens;
    seed = lastUserText(fields.messages) ?? JSON.stringify(fields.messages);
  } else {
    if (typeof fields.prompt !== 'string') throw badRequest('prompt: Field required', 'prompt');
    const suffix = typeof fields.suffix === 'string' ? fields.suffix : '';
    // FIM prompt: the prompt and the suffix, each as a plain text.
    promptTokens =
      countRequest(() => estimateRequestTokens({ prompt: fields.prompt }, model)).tokens +
      (suffix ? countRequest(() => estimateRequestTokens({ prompt: suffix }, model)).tokens : 0);
    seed = fields.prompt;
  }
  const reply = composeReply({ seed, model, outputTokens: exchange.directives.outputTokens, maxTokens: optionalMaxTokens(fields) });
  // Reasoning (Magistral's thinking) is billed as output: part of completion_tokens.
  const reasoning = exchange.directives.reasoning ?? 0;
  const usage: MistralUsage = {
    prompt_tokens: promptTokens,
    completion_tokens: reply.tokens + reasoning,
    total_tokens: promptTokens + reply.tokens + reasoning,
  };
  const cached = capped(exchange.directives.cached, promptTokens);
  if (cached > 0) usage.prompt_tokens_details = { cached_tokens: cached };
  if (reasoning > 0) usage.completion_tokens_details = { reasoning_tokens: reasoning };
  return { id: randomHex(32), created: unixSeconds(), model, reply, usage };
}

function sseData(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

async function answer(exchange: Exchange, kind: 'chat' | 'fim'): Promise<void> {
  const plan = planCompletion(exchange, kind);
  const finishReason = plan.reply.truncated ? 'length' : 'stop';
  if (exchange.fields.stream !== true) {
    exchange.sendJson(
      200,
      {
        id: plan.id,
        object: 'chat.completion',
        created: plan.created,
        model: plan.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: plan.reply.text, tool_calls: null, prefix: false },
            finish_reason: finishReason,
          },
        ],
        usage: plan.usage,
      },
      mistralHeaders(),
    );
    return;
  }
  exchange.startStream(200, mistralHeaders({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' }));
  const control = new StreamControl(new ChunkWriter(exchange.res, exchange.chunkTiming()), exchange.res, exchange.directives);
  const chunk = (delta: Record<string, unknown>, finish: string | null, usage?: MistralUsage) => ({
    id: plan.id,
    object: 'chat.completion.chunk',
    created: plan.created,
    model: plan.model,
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...(usage ? { usage } : {}),
  });
  const errorChunks = () => [sseData(mistralErrorBody(500))];
  if (!(await control.write(sseData(chunk({ role: 'assistant', content: '' }, null))))) return;
  for (const piece of plan.reply.pieces) {
    if (await control.interrupted(errorChunks)) return;
    if (!(await control.content(sseData(chunk({ content: piece }, null))))) return;
  }
  if (await control.interrupted(errorChunks)) return;
  if (!(await control.write(sseData(chunk({ content: '' }, finishReason, plan.usage))))) return;
  if (!(await control.write('data: [DONE]\n\n'))) return;
  control.end();
}

/** `POST /v1/chat/completions` (under the emulator's Mistral prefix). */
export const mistralChatRoute: Route = {
  method: 'POST',
  pattern: /^\/mistral\/v1\/chat\/completions$/,
  directiveText: (body) => lastUserText(body.messages),
  handle: (exchange) => answer(exchange, 'chat'),
};

/** `POST /v1/fim/completions` (under the emulator's Mistral prefix). */
export const mistralFimRoute: Route = {
  method: 'POST',
  pattern: /^\/mistral\/v1\/fim\/completions$/,
  directiveText: (body) => (typeof body.prompt === 'string' ? body.prompt : undefined),
  handle: (exchange) => answer(exchange, 'fim'),
};
