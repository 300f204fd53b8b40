import type { Attributes } from '@opentelemetry/api';
import * as sc from '../genai/semconv';

/** The OpenAI endpoints we instrument. */
export type OpenAIOperation = 'chat' | 'responses' | 'embeddings' | 'completions';

/** `gen_ai.operation.name` for each endpoint. */
export const OPERATION_NAME: Record<OpenAIOperation, string> = {
  chat: 'chat',
  responses: 'chat',
  embeddings: 'embeddings',
  completions: 'text_completion',
};

type Body = Record<string, unknown>;

/** `gen_ai.request.*` attributes of a request body. */
export function requestAttributes(op: OpenAIOperation, body: Body): Attributes {
  const attrs: Attributes = {};
  if (op === 'embeddings') {
    if (typeof body.encoding_format === 'string') attrs[sc.ATTR_GEN_AI_REQUEST_ENCODING_FORMATS] = [body.encoding_format];
    return attrs;
  }
  // One store per attribute (no shared helper): each site then writes one key, which keeps the
  // property stores on the fresh object fast.
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? body.max_output_tokens;
  if (isNonNegative(maxTokens)) attrs[sc.ATTR_GEN_AI_REQUEST_MAX_TOKENS] = maxTokens;
  const temperature = body.temperature;
  if (isNonNegative(temperature)) attrs[sc.ATTR_GEN_AI_REQUEST_TEMPERATURE] = temperature;
  const topP = body.top_p;
  if (isNonNegative(topP)) attrs[sc.ATTR_GEN_AI_REQUEST_TOP_P] = topP;
  const frequencyPenalty = body.frequency_penalty;
  if (isFiniteNumber(frequencyPenalty)) attrs[sc.ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY] = frequencyPenalty;
  const presencePenalty = body.presence_penalty;
  if (isFiniteNumber(presencePenalty)) attrs[sc.ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY] = presencePenalty;
  const seed = body.seed;
  if (isFiniteNumber(seed)) attrs[sc.ATTR_GEN_AI_REQUEST_SEED] = seed;
  if (typeof body.n === 'number' && Number.isFinite(body.n) && body.n >= 0 && body.n !== 1)
    attrs[sc.ATTR_GEN_AI_REQUEST_CHOICE_COUNT] = body.n;
  const stop = body.stop;
  if (typeof stop === 'string') attrs[sc.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = [stop];
  else if (Array.isArray(stop) && stop.every((s) => typeof s === 'string')) attrs[sc.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = stop;
  const format = (body.response_format ?? (body.text as Body | undefined)?.format) as Body | undefined;
  if (format && typeof format.type === 'string') {
    attrs[sc.ATTR_GEN_AI_OUTPUT_TYPE] = format.type === 'text' ? 'text' : 'json';
  }
  return attrs;
}

/** Input messages in the semconv shape, for content capture (opt-in only). */
export function inputMessages(op: OpenAIOperation, body: Body): unknown {
  switch (op) {
    case 'chat':
      return Array.isArray(body.messages) ? body.messages.map((m: Body) => ({ role: m.role, parts: contentParts(m.content) })) : undefined;
    case 'responses': {
      const messages: unknown[] = [];
      if (typeof body.instructions === 'string') messages.push({ role: 'system', parts: contentParts(body.instructions) });
      if (typeof body.input === 'string') messages.push({ role: 'user', parts: contentParts(body.input) });
      else if (Array.isArray(body.input)) {
        for (const item of body.input as Body[]) messages.push({ role: item.role ?? 'user', parts: contentParts(item.content) });
      }
      return messages;
    }
    case 'completions':
      return [{ role: 'user', parts: contentParts(body.prompt) }];
    case 'embeddings':
      return [{ role: 'user', parts: contentParts(body.input) }];
  }
}

function contentParts(content: unknown): unknown[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  if (Array.isArray(content)) {
    return content.map((part: unknown) => {
      if (typeof part === 'string') return { type: 'text', content: part };
      const p = part as Body;
      if (typeof p.text === 'string') return { type: 'text', content: p.text };
      return { type: String(p.type ?? 'unknown') };
    });
  }
  return [];
}

/** A request parameter that cannot be negative (token limits, temperature, top_p, top_k, counts): finite and at least 0, or not recorded. */
function isNonNegative(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

/** A request parameter that may be negative (penalties, seeds): any finite number. */
function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
