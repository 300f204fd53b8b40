import type { Usage } from '@tokenomics/pricing';

type Obj = Record<string, unknown>;

/**
 * Usage of a Converse `usage` (also the `metadata` event of ConverseStream) in semconv terms.
 *
 * Bedrock's `inputTokens` leaves out the tokens read from and written to the prompt cache, which
 * it reports as `cacheReadInputTokens` and `cacheWriteInputTokens` (`totalTokens` is the sum of
 * all four). Semconv input includes them: input = inputTokens + cache read + cache write. Cache
 * writes are split by lifetime when `cacheDetails` gives the split (`1h` writes are their own
 * billing unit). Returns undefined when the value holds no usable counts.
 */
export function converseUsage(raw: unknown): Usage | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const u = raw as Obj;
  return cacheAwareUsage(count(u.inputTokens), count(u.outputTokens), count(u.cacheReadInputTokens), count(u.cacheWriteInputTokens), u.cacheDetails);
}

/**
 * Usage of the `amazon-bedrock-invocationMetrics` that the last chunk of an
 * InvokeModelWithResponseStream carries (`inputTokenCount`, `outputTokenCount`, and for cached
 * prompts `cacheReadInputTokenCount` / `cacheWriteInputTokenCount`, which `inputTokenCount`
 * leaves out as Converse's `inputTokens` does).
 */
export function invocationMetricsUsage(raw: unknown): Usage | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const m = raw as Obj;
  return cacheAwareUsage(count(m.inputTokenCount), count(m.outputTokenCount), count(m.cacheReadInputTokenCount), count(m.cacheWriteInputTokenCount));
}

/**
 * Usage from the InvokeModel response headers `x-amzn-bedrock-input-token-count`,
 * `x-amzn-bedrock-output-token-count` and, for cached prompts,
 * `x-amzn-bedrock-cache-read-input-token-count` / `x-amzn-bedrock-cache-write-input-token-count`.
 * Header names are matched lower-cased.
 */
export function headerUsage(headers: Record<string, string | undefined> | undefined): Usage | undefined {
  if (!headers) return undefined;
  const n = (name: string) => {
    const v = headers[name];
    return typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v.trim()) : undefined;
  };
  return cacheAwareUsage(
    n('x-amzn-bedrock-input-token-count'),
    n('x-amzn-bedrock-output-token-count'),
    n('x-amzn-bedrock-cache-read-input-token-count'),
    n('x-amzn-bedrock-cache-write-input-token-count'),
  );
}

/** Meta Llama InvokeModel counts: `prompt_token_count` and `generation_token_count`. */
export function llamaUsage(raw: unknown): Usage | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const b = raw as Obj;
  const input = count(b.prompt_token_count);
  const output = count(b.generation_token_count);
  if (input === undefined && output === undefined) return undefined;
  const usage: Usage = {};
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  return usage;
}

function cacheAwareUsage(
  input: number | undefined,
  output: number | undefined,
  read: number | undefined,
  write: number | undefined,
  details?: unknown,
): Usage | undefined {
  if (input === undefined && output === undefined) return undefined;
  const usage: Usage = {};
  if (input !== undefined) usage.inputTokens = input + (read ?? 0) + (write ?? 0);
  if (output !== undefined) usage.outputTokens = output;
  if (read !== undefined) usage.cacheReadTokens = read;
  if (write !== undefined) {
    const oneHour = Math.min(write, cacheWritesWithTtl(details, '1h'));
    usage.cacheWriteTokens = write - oneHour;
    if (oneHour > 0) usage.cacheWrite1hTokens = oneHour;
  }
  return usage;
}

function cacheWritesWithTtl(details: unknown, ttl: string): number {
  if (!Array.isArray(details)) return 0;
  let n = 0;
  for (const d of details as Obj[]) {
    if (d && d.ttl === ttl) n += count(d.inputTokens) ?? 0;
  }
  return n;
}

/** A non-negative integer count, or undefined. */
export function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}
