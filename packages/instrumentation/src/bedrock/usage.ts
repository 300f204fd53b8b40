import type { Usage } from '@tokenomics/pricing/types';
import { countProblem, CountReader } from '@tokenomics/pricing/usage-validation';

type Obj = Record<string, unknown>;

/**
 * Usage of a Converse `usage` (also the `metadata` event of ConverseStream) in semconv terms.
 *
 * Bedrock's `inputTokens` leaves out the tokens read from and written to the prompt cache, which
 * it reports as `cacheReadInputTokens` and `cacheWriteInputTokens` (`totalTokens` is the sum of
 * all four). Semconv input includes them: input = inputTokens + cache read + cache write. Cache
 * writes are split by lifetime when `cacheDetails` gives the split (`1h` writes are their own
 * billing unit). Returns undefined when the value holds no counts. A count that is not a valid
 * token count (a string, null, a fraction, a negative or absurd number) makes the usage invalid
 * (`usage.invalid` names the field and the problem), never dropped; so in the functions below.
 */
export function converseUsage(raw: unknown): Usage | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) return { invalid: 'usage:wrong_type' };
  const u = raw as Obj;
  const r = new CountReader();
  return cacheAwareUsage(
    r,
    r.count(u.inputTokens, 'inputTokens'),
    r.count(u.outputTokens, 'outputTokens'),
    r.count(u.cacheReadInputTokens, 'cacheReadInputTokens'),
    r.count(u.cacheWriteInputTokens, 'cacheWriteInputTokens'),
    u.cacheDetails,
  );
}

/**
 * Usage of the `amazon-bedrock-invocationMetrics` that the last chunk of an
 * InvokeModelWithResponseStream carries (`inputTokenCount`, `outputTokenCount`, and for cached
 * prompts `cacheReadInputTokenCount` / `cacheWriteInputTokenCount`, which `inputTokenCount`
 * leaves out as Converse's `inputTokens` does).
 */
export function invocationMetricsUsage(raw: unknown): Usage | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) return { invalid: 'amazon-bedrock-invocationMetrics:wrong_type' };
  const m = raw as Obj;
  const r = new CountReader();
  return cacheAwareUsage(
    r,
    r.count(m.inputTokenCount, 'inputTokenCount'),
    r.count(m.outputTokenCount, 'outputTokenCount'),
    r.count(m.cacheReadInputTokenCount, 'cacheReadInputTokenCount'),
    r.count(m.cacheWriteInputTokenCount, 'cacheWriteInputTokenCount'),
  );
}

/** The lower-case names of the InvokeModel response headers that carry its token counts. */
const INPUT_COUNT = 'x-amzn-bedrock-input-token-count';
const OUTPUT_COUNT = 'x-amzn-bedrock-output-token-count';

/**
 * Usage from the InvokeModel response headers `x-amzn-bedrock-input-token-count`,
 * `x-amzn-bedrock-output-token-count` and, for cached prompts,
 * `x-amzn-bedrock-cache-read-input-token-count` / `x-amzn-bedrock-cache-write-input-token-count`.
 * Header names are matched whatever their case: read as they are when the counts are there under
 * lower-case names (Node.js lower-cases every name it receives), else from a lower-cased copy. A
 * value repeated in a list is read joined with commas, and so is not a count.
 */
export function headerUsage(headers: Readonly<Record<string, unknown>> | undefined): Usage | undefined {
  if (!headers) return undefined;
  const h = Object.hasOwn(headers, INPUT_COUNT) || Object.hasOwn(headers, OUTPUT_COUNT) ? headers : lowerCased(headers);
  const r = new CountReader();
  const n = (name: string) => {
    const raw = Object.hasOwn(h, name) ? h[name] : undefined;
    const v = typeof raw === 'string' ? raw : Array.isArray(raw) ? raw.join(',') : undefined;
    if (v === undefined) return undefined;
    const count = decimalCount(v);
    if (count === undefined) {
      r.fail(name, 'wrong_type');
      return undefined;
    }
    return r.count(count, name);
  };
  return cacheAwareUsage(
    r,
    n(INPUT_COUNT),
    n(OUTPUT_COUNT),
    n('x-amzn-bedrock-cache-read-input-token-count'),
    n('x-amzn-bedrock-cache-write-input-token-count'),
  );
}

/** `headers` with every name lower-cased (a later duplicate name wins). */
function lowerCased(headers: Readonly<Record<string, unknown>>): Record<string, unknown> {
  // No prototype: a name such as `__proto__` is a name like any other.
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(headers)) out[k.toLowerCase()] = headers[k];
  return out;
}

/**
 * The number a header value spells in ASCII decimal digits, whitespace around it allowed (what
 * `/^\d+$/` accepts after `trim()`), or undefined. A loop over the characters: no regular
 * expression to enter on every call.
 */
export function decimalCount(value: string): number | undefined {
  const t = value.trim();
  if (t.length === 0) return undefined;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return Number(t);
}

/** Meta Llama InvokeModel counts: `prompt_token_count` and `generation_token_count`. */
export function llamaUsage(raw: unknown): Usage | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const b = raw as Obj;
  const r = new CountReader();
  const input = r.count(b.prompt_token_count, 'prompt_token_count');
  const output = r.count(b.generation_token_count, 'generation_token_count');
  if (input === undefined && output === undefined && r.problem === undefined) return undefined;
  const usage: Usage = {};
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  return r.finish(usage);
}

function cacheAwareUsage(
  r: CountReader,
  input: number | undefined,
  output: number | undefined,
  read: number | undefined,
  write: number | undefined,
  details?: unknown,
): Usage | undefined {
  if (input === undefined && output === undefined && r.problem === undefined) return undefined;
  const usage: Usage = {};
  if (input !== undefined) usage.inputTokens = input + (read ?? 0) + (write ?? 0);
  if (output !== undefined) usage.outputTokens = output;
  if (read !== undefined) usage.cacheReadTokens = read;
  if (write !== undefined) {
    const oneHour = Math.min(write, cacheWritesWithTtl(r, details, '1h'));
    usage.cacheWriteTokens = write - oneHour;
    if (oneHour > 0) usage.cacheWrite1hTokens = oneHour;
  }
  return r.finish(usage);
}

function cacheWritesWithTtl(r: CountReader, details: unknown, ttl: string): number {
  if (details === undefined || details === null) return 0;
  if (!Array.isArray(details)) {
    r.fail('cacheDetails', 'wrong_type');
    return 0;
  }
  let n = 0;
  for (const d of details as unknown[]) {
    if (d && typeof d === 'object' && (d as Obj).ttl === ttl) n += r.count((d as Obj).inputTokens, 'cacheDetails.inputTokens') ?? 0;
  }
  return n;
}

/** A valid token count (a non-negative integer of at most `MAX_TOKENS_PER_CALL`), or undefined. */
export function count(v: unknown): number | undefined {
  return countProblem(v) === undefined ? (v as number) : undefined;
}
