import type { Usage } from '@tokenomics/pricing/types';
import { CountReader } from '@tokenomics/pricing/usage-validation';

type Obj = Record<string, unknown>;

/**
 * Usage of a Mistral answer (chat, FIM, embeddings) in semconv terms, from the SDK's parsed
 * `usage` (`promptTokens`, `completionTokens`; fields it does not know keep their wire names) or the
 * wire object (`prompt_tokens`, `completion_tokens`). Cached prompt tokens
 * (`prompt_tokens_details.cached_tokens`) are a subset of the input, reasoning tokens
 * (`completion_tokens_details.reasoning_tokens`, Magistral) a subset of the output. Returns undefined when the
 * value holds no counts; a malformed count makes the usage invalid, naming the field.
 */
export function mistralUsage(raw: unknown): Usage | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) return { invalid: 'usage:wrong_type' };
  const u = raw as Obj;
  const r = new CountReader();
  const input = r.count(own(u, 'promptTokens') ?? own(u, 'prompt_tokens'), 'prompt_tokens');
  const output = r.count(own(u, 'completionTokens') ?? own(u, 'completion_tokens'), 'completion_tokens');
  if (input === undefined && output === undefined && r.problem === undefined) return undefined;
  const usage: Usage = {};
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  // The API's schema has both spellings of the details object.
  const prompt = details(r, u, 'prompt_tokens_details', [
    'promptTokensDetails',
    'prompt_tokens_details',
    'promptTokenDetails',
    'prompt_token_details',
  ]);
  const cached = prompt && r.optional(own(prompt, 'cachedTokens') ?? own(prompt, 'cached_tokens'), 'prompt_tokens_details.cached_tokens');
  if (cached) usage.cacheReadTokens = cached;
  const completion = details(r, u, 'completion_tokens_details', ['completionTokensDetails', 'completion_tokens_details']);
  const reasoning =
    completion &&
    r.optional(own(completion, 'reasoningTokens') ?? own(completion, 'reasoning_tokens'), 'completion_tokens_details.reasoning_tokens');
  if (reasoning) usage.reasoningTokens = reasoning;
  return r.finish(usage);
}

/** The first details object present under one of `keys`; null reads as absent, a non-object is a problem. */
function details(r: CountReader, u: Obj, field: string, keys: readonly string[]): Obj | undefined {
  for (const key of keys) {
    const value = own(u, key);
    if (value === undefined || value === null) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      r.fail(field, 'wrong_type');
      return undefined;
    }
    return value as Obj;
  }
  return undefined;
}

/** An own property of a value from the wire (never an inherited one). */
export function own(o: Obj, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}
