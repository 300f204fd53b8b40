import { estimateRequestTokens } from '@tokenomics/tokens/request-estimate';
import type { Exchange } from '../exchange';
import { ChunkWriter, StreamControl } from '../pacing';
import { badRequest, type Route } from '../provider-api';
import { composeReply, type Reply } from '../reply';
import { lastUserText } from '../request-text';
import { countRequest } from '../token-accounting';
import { defaultOllamaMessage } from './errors';

// Ollama API reference, https://github.com/ollama/ollama/blob/main/docs/api.md ("Generate a chat
// completion": POST /api/chat; "Generate a completion": POST /api/generate). Fields relied on:
// request `model`, `messages` (chat), `prompt`, `suffix` and `system` (generate), `stream` (default
// true), `options.num_predict`; answer `model`, `created_at`, `message.{role,content}` (chat) or
// `response` (generate), `done`, `done_reason` (`stop` / `length`), and on the final object only
// `total_duration`, `load_duration`, `prompt_eval_count`, `prompt_eval_duration`, `eval_count`,
// `eval_duration` (durations in nanoseconds). A stream is newline-delimited JSON
// (`application/x-ndjson`): one object per token with `done: false`, then the final one with
// `done: true` and the counts.

/** Nanoseconds per prompt token and per generated token in the reported durations. */
const PROMPT_NS_PER_TOKEN = 250_000;
const EVAL_NS_PER_TOKEN = 20_000_000;
const LOAD_NS = 12_000_000;

function requireModel(fields: Record<string, unknown>): string {
  if (typeof fields.model !== 'string' || fields.model.length === 0) throw badRequest('model is required', 'model');
  return fields.model;
}

function numPredict(fields: Record<string, unknown>): number | undefined {
  const options = fields.options as Record<string, unknown> | null | undefined;
  const n = options && typeof options === 'object' ? options.num_predict : undefined;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

interface Plan {
  model: string;
  promptTokens: number;
  reply: Reply;
}

function plan(exchange: Exchange, kind: 'chat' | 'generate'): Plan {
  const fields = exchange.fields;
  const model = requireModel(fields);
  let promptTokens: number;
  let seed: string;
  if (kind === 'chat') {
    if (!Array.isArray(fields.messages)) throw badRequest('messages is required', 'messages');
    promptTokens = countRequest(() => estimateRequestTokens({ messages: fields.messages, tools: fields.tools }, model)).tokens;
    seed = lastUserText(fields.messages) ?? JSON.stringify(fields.messages);
  } else {
    if (typeof fields.prompt !== 'string') throw badRequest('prompt is required', 'prompt');
    const system = typeof fields.system === 'string' ? fields.system : '';
    const suffix = typeof fields.suffix === 'string' ? fields.suffix : '';
    promptTokens = countRequest(() => estimateRequestTokens({ prompt: [system, fields.prompt, suffix].filter(Boolean) }, model)).tokens;
    seed = fields.prompt;
  }
  const reply = composeReply({ seed, model, outputTokens: exchange.directives.outputTokens, maxTokens: numPredict(fields) });
  return { model, promptTokens, reply };
}

function finalCounts(p: Plan): Record<string, number> {
  const promptNs = p.promptTokens * PROMPT_NS_PER_TOKEN;
  const evalNs = p.reply.tokens * EVAL_NS_PER_TOKEN;
  return {
    total_duration: LOAD_NS + promptNs + evalNs,
    load_duration: LOAD_NS,
    prompt_eval_count: p.promptTokens,
    prompt_eval_duration: promptNs,
    eval_count: p.reply.tokens,
    eval_duration: evalNs,
  };
}

async function answer(exchange: Exchange, kind: 'chat' | 'generate'): Promise<void> {
  const p = plan(exchange, kind);
  const doneReason = p.reply.truncated ? 'length' : 'stop';
  const piece = (text: string): Record<string, unknown> =>
    kind === 'chat' ? { message: { role: 'assistant', content: text } } : { response: text };
  const stamp = () => ({ model: p.model, created_at: new Date().toISOString() });
  const context = kind === 'generate' && exchange.fields.raw !== true ? { context: [128006, 882, 128007, 271] } : {};
  if (exchange.fields.stream === false) {
    exchange.sendJson(200, { ...stamp(), ...piece(p.reply.text), done_reason: doneReason, done: true, ...context, ...finalCounts(p) });
    return;
  }
  exchange.startStream(200, { 'content-type': 'application/x-ndjson' });
  const control = new StreamControl(new ChunkWriter(exchange.res, exchange.chunkTiming()), exchange.res, exchange.directives);
  const line = (value: unknown) => `${JSON.stringify(value)}\n`;
  const errorLines = () => [line({ error: defaultOllamaMessage(exchange, 500) })];
  for (const text of p.reply.pieces) {
    if (await control.interrupted(errorLines)) return;
    if (!(await control.content(line({ ...stamp(), ...piece(text), done: false })))) return;
  }
  if (await control.interrupted(errorLines)) return;
  if (!(await control.write(line({ ...stamp(), ...piece(''), done_reason: doneReason, done: true, ...context, ...finalCounts(p) }))))
    return;
  control.end();
}

/** `POST /api/chat`. */
export const ollamaChatRoute: Route = {
  method: 'POST',
  pattern: /^\/api\/chat$/,
  directiveText: (body) => lastUserText(body.messages),
  handle: (exchange) => answer(exchange, 'chat'),
};

/** `POST /api/generate`. */
export const ollamaGenerateRoute: Route = {
  method: 'POST',
  pattern: /^\/api\/generate$/,
  directiveText: (body) => (typeof body.prompt === 'string' ? body.prompt : undefined),
  handle: (exchange) => answer(exchange, 'generate'),
};
