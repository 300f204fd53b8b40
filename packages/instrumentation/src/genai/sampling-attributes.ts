import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_TOP_P,
} from '@tokenomics/contract/attributes';

/** A request's sampling parameters as read from it, in whatever field names the client uses. */
export interface SamplingParameters {
  maxTokens?: unknown;
  temperature?: unknown;
  topP?: unknown;
  topK?: unknown;
  seed?: unknown;
  /** Stop sequences: recorded when a non-empty array of strings. */
  stop?: unknown;
}

/**
 * `gen_ai.request.*` attributes of the parameters that are valid: numbers finite and not
 * negative, an integer seed, a non-empty list of string stop sequences. Others are not recorded.
 */
export function samplingAttributes(p: SamplingParameters): Attributes {
  const attrs: Attributes = {};
  setNumber(attrs, ATTR_GEN_AI_REQUEST_MAX_TOKENS, p.maxTokens);
  setNumber(attrs, ATTR_GEN_AI_REQUEST_TEMPERATURE, p.temperature);
  setNumber(attrs, ATTR_GEN_AI_REQUEST_TOP_P, p.topP);
  setNumber(attrs, ATTR_GEN_AI_REQUEST_TOP_K, p.topK);
  if (typeof p.seed === 'number' && Number.isInteger(p.seed)) attrs[ATTR_GEN_AI_REQUEST_SEED] = p.seed;
  const stop = p.stop;
  if (Array.isArray(stop) && stop.length > 0 && stop.every((s) => typeof s === 'string')) attrs[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = stop;
  return attrs;
}

function setNumber(attrs: Attributes, key: string, v: unknown): void {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) attrs[key] = v;
}
