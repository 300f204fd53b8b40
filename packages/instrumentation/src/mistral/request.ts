import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_P,
} from '@tokenomics/contract';
import { own } from './usage';

type Obj = Record<string, unknown>;

/** `gen_ai.request.*` attributes of a Mistral request (the SDK's camelCase fields, or wire names). */
export function requestAttributes(request: Obj): Attributes {
  const attrs: Attributes = {};
  setNumber(attrs, ATTR_GEN_AI_REQUEST_MAX_TOKENS, own(request, 'maxTokens') ?? own(request, 'max_tokens'));
  setNumber(attrs, ATTR_GEN_AI_REQUEST_TEMPERATURE, own(request, 'temperature'));
  setNumber(attrs, ATTR_GEN_AI_REQUEST_TOP_P, own(request, 'topP') ?? own(request, 'top_p'));
  const seed = own(request, 'randomSeed') ?? own(request, 'random_seed');
  if (typeof seed === 'number' && Number.isInteger(seed)) attrs[ATTR_GEN_AI_REQUEST_SEED] = seed;
  const stop = own(request, 'stop');
  if (typeof stop === 'string' && stop.length > 0) attrs[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = [stop];
  else if (Array.isArray(stop) && stop.length > 0 && stop.every((s) => typeof s === 'string'))
    attrs[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = stop;
  return attrs;
}

/** A request number that cannot be negative: finite and at least 0, or not recorded. */
function setNumber(attrs: Attributes, key: string, v: unknown): void {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) attrs[key] = v;
}

/** Text of a message `content` (a string, or chunks with `text`). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content as Array<Obj | null>) {
    if (part && typeof part === 'object' && typeof part.text === 'string') text += part.text;
  }
  return text;
}
