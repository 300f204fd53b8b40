import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_TOP_P,
} from '@tokenomics/contract';
import { field } from './usage';

type Obj = Record<string, unknown>;

/** `gen_ai.request.*` attributes of a Cohere v2 chat request (the SDK's camelCase fields, or wire names). */
export function requestAttributes(request: Obj): Attributes {
  const attrs: Attributes = {};
  setNumber(attrs, ATTR_GEN_AI_REQUEST_MAX_TOKENS, field(request, 'maxTokens', 'max_tokens'));
  setNumber(attrs, ATTR_GEN_AI_REQUEST_TEMPERATURE, field(request, 'temperature'));
  setNumber(attrs, ATTR_GEN_AI_REQUEST_TOP_P, field(request, 'p'));
  setNumber(attrs, ATTR_GEN_AI_REQUEST_TOP_K, field(request, 'k'));
  const seed = field(request, 'seed');
  if (typeof seed === 'number' && Number.isInteger(seed)) attrs[ATTR_GEN_AI_REQUEST_SEED] = seed;
  const stop = field(request, 'stopSequences', 'stop_sequences');
  if (Array.isArray(stop) && stop.length > 0 && stop.every((s) => typeof s === 'string')) attrs[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = stop;
  return attrs;
}

function setNumber(attrs: Attributes, key: string, v: unknown): void {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) attrs[key] = v;
}

/** Text of a Cohere message `content`: a string, or content blocks with `text`. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const block of content as Array<Obj | null>) {
    if (block && typeof block === 'object' && typeof block.text === 'string') text += block.text;
  }
  return text;
}

/** A chat request's messages as plain `{ role, content }` text, for the token estimator. */
export function estimationMessages(messages: unknown): Array<{ role: string; content: string }> | undefined {
  if (!Array.isArray(messages)) return undefined;
  return (messages as Array<Obj | null>)
    .filter((m): m is Obj => !!m && typeof m === 'object')
    .map((m) => ({ role: typeof m.role === 'string' ? m.role : 'user', content: contentText(m.content) }));
}
