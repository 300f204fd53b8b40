/**
 * GenAI span dialects of instrumentations that do not write the semantic conventions' names:
 * OpenInference (`llm.token_count.*`, `llm.model_name`, `openinference.span.kind`), older
 * OpenLLMetry releases (`llm.usage.*`) and the Vercel AI SDK's own telemetry (`ai.usage.*`,
 * `ai.model.*`, `ai.operationId`). The readers in `genai-call.ts` fall back to these names after the
 * semconv ones, so the exporter and the collector stage read them alike. The names are the
 * telemetry contract's (`@tokenomics/contract`).
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';

import * as attributes from '@tokenomics/contract/attributes';

// Plain constants (not re-export getters): the readers look them up on every span.
export const ATTR_OPENINFERENCE_SPAN_KIND = attributes.ATTR_OPENINFERENCE_SPAN_KIND;
export const ATTR_LLM_MODEL_NAME = attributes.ATTR_LLM_MODEL_NAME;
export const ATTR_LLM_PROVIDER = attributes.ATTR_LLM_PROVIDER;
export const ATTR_LLM_SYSTEM = attributes.ATTR_LLM_SYSTEM;
export const ATTR_LLM_TOKEN_COUNT_PROMPT = attributes.ATTR_LLM_TOKEN_COUNT_PROMPT;
export const ATTR_LLM_TOKEN_COUNT_COMPLETION = attributes.ATTR_LLM_TOKEN_COUNT_COMPLETION;
export const ATTR_LLM_TOKEN_COUNT_TOTAL = attributes.ATTR_LLM_TOKEN_COUNT_TOTAL;
export const ATTR_LLM_TOKEN_COUNT_CACHE_READ = attributes.ATTR_LLM_TOKEN_COUNT_CACHE_READ;
export const ATTR_LLM_TOKEN_COUNT_CACHE_WRITE = attributes.ATTR_LLM_TOKEN_COUNT_CACHE_WRITE;
export const ATTR_LLM_TOKEN_COUNT_REASONING = attributes.ATTR_LLM_TOKEN_COUNT_REASONING;
export const ATTR_LLM_USAGE_PROMPT_TOKENS = attributes.ATTR_LLM_USAGE_PROMPT_TOKENS;
export const ATTR_LLM_USAGE_COMPLETION_TOKENS = attributes.ATTR_LLM_USAGE_COMPLETION_TOKENS;
export const ATTR_AI_OPERATION_ID = attributes.ATTR_AI_OPERATION_ID;
export const ATTR_AI_MODEL_ID = attributes.ATTR_AI_MODEL_ID;
export const ATTR_AI_MODEL_PROVIDER = attributes.ATTR_AI_MODEL_PROVIDER;
export const ATTR_AI_RESPONSE_MODEL = attributes.ATTR_AI_RESPONSE_MODEL;
export const ATTR_AI_USAGE_INPUT_TOKENS = attributes.ATTR_AI_USAGE_INPUT_TOKENS;
export const ATTR_AI_USAGE_OUTPUT_TOKENS = attributes.ATTR_AI_USAGE_OUTPUT_TOKENS;
export const ATTR_AI_USAGE_TOTAL_TOKENS = attributes.ATTR_AI_USAGE_TOTAL_TOKENS;
export const ATTR_AI_USAGE_CACHED_INPUT_TOKENS = attributes.ATTR_AI_USAGE_CACHED_INPUT_TOKENS;
export const ATTR_AI_USAGE_REASONING_TOKENS = attributes.ATTR_AI_USAGE_REASONING_TOKENS;
export const ATTR_AI_USAGE_PROMPT_TOKENS = attributes.ATTR_AI_USAGE_PROMPT_TOKENS;
export const ATTR_AI_USAGE_COMPLETION_TOKENS = attributes.ATTR_AI_USAGE_COMPLETION_TOKENS;

/** Count attributes, per field, after the semconv names. */
export const FOREIGN_INPUT_KEYS = [
  ATTR_LLM_TOKEN_COUNT_PROMPT,
  ATTR_LLM_USAGE_PROMPT_TOKENS,
  ATTR_AI_USAGE_INPUT_TOKENS,
  ATTR_AI_USAGE_PROMPT_TOKENS,
];
export const FOREIGN_OUTPUT_KEYS = [
  ATTR_LLM_TOKEN_COUNT_COMPLETION,
  ATTR_LLM_USAGE_COMPLETION_TOKENS,
  ATTR_AI_USAGE_OUTPUT_TOKENS,
  ATTR_AI_USAGE_COMPLETION_TOKENS,
];
export const FOREIGN_TOTAL_KEYS = [ATTR_LLM_TOKEN_COUNT_TOTAL, ATTR_AI_USAGE_TOTAL_TOKENS];
export const FOREIGN_CACHE_READ_KEYS = [ATTR_LLM_TOKEN_COUNT_CACHE_READ, ATTR_AI_USAGE_CACHED_INPUT_TOKENS];
export const FOREIGN_CACHE_WRITE_KEYS = [ATTR_LLM_TOKEN_COUNT_CACHE_WRITE];
export const FOREIGN_REASONING_KEYS = [ATTR_LLM_TOKEN_COUNT_REASONING, ATTR_AI_USAGE_REASONING_TOKENS];
export const FOREIGN_PROVIDER_KEYS = [ATTR_LLM_PROVIDER, ATTR_LLM_SYSTEM, ATTR_AI_MODEL_PROVIDER];
export const FOREIGN_REQUEST_MODEL_KEYS = [ATTR_LLM_MODEL_NAME, ATTR_AI_MODEL_ID];
export const FOREIGN_RESPONSE_MODEL_KEYS = [ATTR_AI_RESPONSE_MODEL];

/** OpenInference span kinds that are one model call, to a semconv operation. */
const OPENINFERENCE_MODEL_CALLS: ReadonlyMap<string, string> = new Map([
  ['LLM', 'chat'],
  ['EMBEDDING', 'embeddings'],
]);

/** The AI SDK's provider-call spans (`ai.generateText.doGenerate`, ...), by suffix, to an operation. */
const AI_SDK_MODEL_CALLS: ReadonlyMap<string, string> = new Map([
  ['doGenerate', 'chat'],
  ['doStream', 'chat'],
  ['doEmbed', 'embeddings'],
]);

/** Whether the span is GenAI telemetry in one of these dialects. */
export function isForeignGenAiSpan(attrs: Attributes): boolean {
  return attrs[ATTR_OPENINFERENCE_SPAN_KIND] !== undefined || attrs[ATTR_AI_OPERATION_ID] !== undefined;
}

/**
 * The span's operation in these dialects: `chat`/`embeddings` for a model call, `null` for a span
 * that aggregates model calls or is not one (an OpenInference chain, agent or tool; the AI SDK's
 * `ai.generateText` around its `doGenerate` steps), `undefined` when the dialect says nothing.
 */
export function foreignOperation(attrs: Attributes): string | null | undefined {
  const kind = attrs[ATTR_OPENINFERENCE_SPAN_KIND];
  if (typeof kind === 'string') return OPENINFERENCE_MODEL_CALLS.get(kind.toUpperCase()) ?? null;
  const id = attrs[ATTR_AI_OPERATION_ID];
  if (typeof id === 'string') {
    const dot = id.lastIndexOf('.');
    return AI_SDK_MODEL_CALLS.get(dot < 0 ? '' : id.slice(dot + 1)) ?? null;
  }
  return undefined;
}

/** The first non-empty string of `keys`. */
export function firstStringOf(attrs: Attributes, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value: AttributeValue | undefined = attrs[key];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
}
