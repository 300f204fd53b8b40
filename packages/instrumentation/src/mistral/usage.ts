import { CountReader, type Usage } from '@tokenomics/pricing';

type Obj = Record<string, unknown>;

/**
 * Usage of a Mistral answer (chat, FIM, embeddings) in semconv terms, from the SDK's parsed
 * `usage` (`promptTokens`, `completionTokens`; fields it does not know keep their wire names) or the
 * wire object (`prompt_tokens`, `completion_tokens`). Cached prompt tokens
 * (`prompt_tokens_details.cached_tokens`) are a subset of the input. Returns undefined when the
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
  const details = own(u, 'promptTokensDetails') ?? own(u, 'prompt_tokens_details');
  if (details !== undefined && details !== null) {
    if (typeof details !== 'object' || Array.isArray(details)) r.fail('prompt_tokens_details', 'wrong_type');
    else {
      const d = details as Obj;
      const cached = r.optional(own(d, 'cachedTokens') ?? own(d, 'cached_tokens'), 'prompt_tokens_details.cached_tokens');
      if (cached !== undefined && cached > 0) usage.cacheReadTokens = cached;
    }
  }
  return r.finish(usage);
}

/** An own property of a value from the wire (never an inherited one). */
export function own(o: Obj, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}
