import type { Usage } from '@tokenomics/pricing/types';
import { CountReader } from '@tokenomics/pricing/usage-validation';
import { plainCopy } from '../genai/plain-copy';

type Obj = Record<string, unknown>;

/**
 * Usage of a Messages API answer in semconv terms. The API's `input_tokens` leaves out the cache:
 * semconv input is `input_tokens + cache_creation_input_tokens + cache_read_input_tokens`, with
 * cache reads and both kinds of cache writes as subsets. Cache writes are split into 5-minute and
 * 1-hour ones by `cache_creation` when the API sends it; a total without that split is all
 * 5-minute writes (the API's default lifetime). Web searches are billed per request.
 * Returns undefined when the value holds no counts. A count that is not a valid token count (a
 * string, a fraction, a negative or absurd number; null for the input and output counts) makes the
 * usage invalid (`usage.invalid` names the field and the problem), never dropped.
 */
export function anthropicUsage(raw: unknown): Usage | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) return { invalid: 'usage:wrong_type' };
  const u = raw as Obj;
  const r = new CountReader();
  const input = r.count(u.input_tokens, 'input_tokens');
  const output = r.count(u.output_tokens, 'output_tokens');
  if (input === undefined && output === undefined && r.problem === undefined) return undefined;
  const usage: Usage = {};
  const read = r.optional(u.cache_read_input_tokens, 'cache_read_input_tokens');
  const writes = cacheWrites(u, r);
  if (input !== undefined) {
    usage.inputTokens = input + (read ?? 0) + (writes ? writes.fiveMinutes + writes.oneHour : 0);
  }
  if (output !== undefined) usage.outputTokens = output;
  if (read !== undefined) usage.cacheReadTokens = read;
  if (writes) {
    usage.cacheWriteTokens = writes.fiveMinutes;
    if (writes.oneHour > 0) usage.cacheWrite1hTokens = writes.oneHour;
  }
  const tools = objectField(u.server_tool_use, 'server_tool_use', r);
  if (tools) {
    const searches = r.optional(tools.web_search_requests, 'server_tool_use.web_search_requests');
    if (searches) usage.requests = { web_search: searches };
  }
  return r.finish(usage);
}

/** The service tier that served the call (`standard`, `priority`, `batch`), when reported. */
export function anthropicServiceTier(raw: unknown): string | undefined {
  const tier = raw && typeof raw === 'object' ? (raw as Obj).service_tier : undefined;
  return typeof tier === 'string' && tier.length > 0 ? tier : undefined;
}

/**
 * Usage fields merged as stream events bring them: a field's latest non-null value wins, so the
 * cumulative counts of `message_delta` update those of `message_start` and fields only
 * `message_start` carries (the cache split, the service tier) are kept.
 */
export function mergeUsageFields(base: Obj | undefined, update: unknown): Obj | undefined {
  if (!update || typeof update !== 'object') return base;
  // A delta may bring fields the start had not (a plainCopy). `__proto__` is no usage field, and
  // writing it would set the copy's prototype, through which the counts are read.
  const merged: Obj = base === undefined ? {} : plainCopy(base);
  for (const key of Object.keys(update)) {
    if (key === '__proto__') continue;
    const value = (update as Obj)[key];
    if (value !== null && value !== undefined) merged[key] = value;
  }
  return merged;
}

function cacheWrites(u: Obj, r: CountReader): { fiveMinutes: number; oneHour: number } | undefined {
  const total = r.optional(u.cache_creation_input_tokens, 'cache_creation_input_tokens');
  const split = objectField(u.cache_creation, 'cache_creation', r);
  const fiveMinutes = split ? r.optional(split.ephemeral_5m_input_tokens, 'cache_creation.ephemeral_5m_input_tokens') : undefined;
  const oneHour = split ? r.optional(split.ephemeral_1h_input_tokens, 'cache_creation.ephemeral_1h_input_tokens') : undefined;
  if (fiveMinutes === undefined && oneHour === undefined) {
    return total === undefined ? undefined : { fiveMinutes: total, oneHour: 0 };
  }
  const splitSum = (fiveMinutes ?? 0) + (oneHour ?? 0);
  // A total above its split (an older split beside a newer total) leaves the rest at the default lifetime.
  const rest = total !== undefined && total > splitSum ? total - splitSum : 0;
  return { fiveMinutes: (fiveMinutes ?? 0) + rest, oneHour: oneHour ?? 0 };
}

/** An object field; null or absent reads as none, anything else that is not an object is a problem. */
function objectField(value: unknown, field: string, r: CountReader): Obj | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    r.fail(field, 'wrong_type');
    return undefined;
  }
  return value as Obj;
}
