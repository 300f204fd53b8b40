import type { Attributes, ObservableResult } from '@opentelemetry/api';
import { ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL } from '@tokenomics/contract/attributes';
import {
  ATTR_TOKENOMICS_QUOTA_LIMIT_TYPE,
  QUOTA_LIMIT_TYPES,
  QUOTA_LIMIT_TYPE_UNKNOWN,
  type QuotaLimitType,
} from '@tokenomics/contract/governance';

/**
 * Quota headroom: the rate-limit state providers send in response headers, kept per provider,
 * request model and limit type, and reported as the `tokenomics.quota.remaining` and
 * `tokenomics.quota.limit` gauges.
 *
 * Header families read (whatever the provider name, so OpenAI-compatible hosts that copy a family
 * are read too):
 * - OpenAI, Azure OpenAI, Groq, Together and other OpenAI-compatible hosts:
 *   `x-ratelimit-limit-{requests,tokens}` and `x-ratelimit-remaining-{requests,tokens}`;
 * - Anthropic: `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining}`.
 * The `*-reset` headers are not recorded: their formats differ (`6m0s`, `2ms`, RFC 3339 times) and
 * the remaining count already says how close the window is to its end.
 */

/** One limit type's state from one response: either number may be missing. */
export interface QuotaValue {
  limit?: number;
  remaining?: number;
}

/** What one response's headers said, by limit type. */
export type QuotaReading = Partial<Record<QuotaLimitType, QuotaValue>>;

/** Largest value accepted from a header (a daily token quota is far below this). */
const MAX_QUOTA_VALUE = 1e15;

const OPENAI_HEADERS: ReadonlyArray<[QuotaLimitType, string, string]> = [
  ['requests', 'x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests'],
  ['tokens', 'x-ratelimit-limit-tokens', 'x-ratelimit-remaining-tokens'],
];
const ANTHROPIC_HEADERS: ReadonlyArray<[QuotaLimitType, string, string]> = [
  ['requests', 'anthropic-ratelimit-requests-limit', 'anthropic-ratelimit-requests-remaining'],
  ['tokens', 'anthropic-ratelimit-tokens-limit', 'anthropic-ratelimit-tokens-remaining'],
  ['input_tokens', 'anthropic-ratelimit-input-tokens-limit', 'anthropic-ratelimit-input-tokens-remaining'],
  ['output_tokens', 'anthropic-ratelimit-output-tokens-limit', 'anthropic-ratelimit-output-tokens-remaining'],
];

/** Every header name read, in the order of the families above (limit, then remaining, per type). */
const QUOTA_HEADER_NAMES: readonly string[] = [...OPENAI_HEADERS, ...ANTHROPIC_HEADERS].flatMap(([, limit, remaining]) => [
  limit,
  remaining,
]);
/** Position of each name in {@link QUOTA_HEADER_NAMES}. */
const QUOTA_HEADER_INDEX = new Map(QUOTA_HEADER_NAMES.map((name, i) => [name, i]));

/**
 * The values of the rate-limit headers of a fetch `Headers` (or any object with `get`) or a plain
 * object of lower-case names (older clients on node-fetch), by position in
 * {@link QUOTA_HEADER_NAMES}; `undefined` when none is present or `headers` is neither. Plain objects
 * are read by own keys only.
 *
 * An iterable `Headers` is read in one pass over its entries (names come lower-case, values as
 * `get` returns them): each `get` validates and normalises its argument, and the twelve names
 * looked up one by one cost more than the rest of recording a call.
 */
function quotaHeaderValues(headers: unknown): Array<string | undefined> | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  let values: Array<string | undefined> | undefined;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') {
    const entries = (headers as { entries?: unknown }).entries;
    if (typeof entries === 'function') {
      for (const entry of entries.call(headers) as Iterable<unknown>) {
        if (!Array.isArray(entry)) continue;
        const name: unknown = entry[0];
        const i = typeof name === 'string' ? QUOTA_HEADER_INDEX.get(name) : undefined;
        if (i === undefined) continue;
        const v: unknown = entry[1];
        if (typeof v === 'string') (values ??= new Array<string | undefined>(QUOTA_HEADER_NAMES.length))[i] = v;
      }
      return values;
    }
    for (let i = 0; i < QUOTA_HEADER_NAMES.length; i++) {
      const v: unknown = get.call(headers, QUOTA_HEADER_NAMES[i]);
      if (typeof v === 'string') (values ??= new Array<string | undefined>(QUOTA_HEADER_NAMES.length))[i] = v;
    }
    return values;
  }
  for (let i = 0; i < QUOTA_HEADER_NAMES.length; i++) {
    const name = QUOTA_HEADER_NAMES[i];
    if (!Object.hasOwn(headers, name)) continue;
    const v: unknown = (headers as Record<string, unknown>)[name];
    const text = typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
    if (text !== undefined) (values ??= new Array<string | undefined>(QUOTA_HEADER_NAMES.length))[i] = text;
  }
  return values;
}

/** A header value as a finite non-negative number; `undefined` for anything else. */
function quotaNumber(value: string | undefined): number | undefined {
  if (value === undefined || value.length === 0 || value.length > 24) return undefined;
  if (!/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 && n <= MAX_QUOTA_VALUE ? n : undefined;
}

/**
 * The rate-limit state in a response's headers (a fetch `Headers` or a plain object), or
 * `undefined` when they carry none. Never throws; values that are not finite non-negative numbers
 * are ignored.
 */
export function readQuotaHeaders(headers: unknown): QuotaReading | undefined {
  try {
    const values = quotaHeaderValues(headers);
    if (!values) return undefined;
    let reading: QuotaReading | undefined;
    let i = 0;
    for (const family of [OPENAI_HEADERS, ANTHROPIC_HEADERS]) {
      for (const [type] of family) {
        const limit = quotaNumber(values[i++]);
        const remaining = quotaNumber(values[i++]);
        if (limit === undefined && remaining === undefined) continue;
        const value: QuotaValue = {};
        if (limit !== undefined) value.limit = limit;
        if (remaining !== undefined) value.remaining = remaining;
        (reading ??= {})[type] = value;
      }
    }
    return reading;
  } catch {
    return undefined;
  }
}

/**
 * The limit a 429 answer ran into: the limit type whose remaining count is 0 (requests first,
 * then tokens, input tokens, output tokens), else `unknown`.
 */
export function exhaustedLimitType(reading: QuotaReading | undefined): QuotaLimitType | typeof QUOTA_LIMIT_TYPE_UNKNOWN {
  if (reading) {
    for (const type of QUOTA_LIMIT_TYPES) if (reading[type]?.remaining === 0) return type;
  }
  return QUOTA_LIMIT_TYPE_UNKNOWN;
}

/**
 * The HTTP status and headers of an error thrown by a client library (Stainless-generated clients:
 * openai, @anthropic-ai/sdk, groq-sdk, together-ai; others with `status`/`statusCode` and
 * `headers`), read by own keys. `undefined` when the error carries no status.
 */
export function httpErrorOf(error: unknown): { status: number; headers: unknown } | undefined {
  try {
    if (typeof error !== 'object' || error === null) return undefined;
    const own = (key: string): unknown => (Object.hasOwn(error, key) ? (error as Record<string, unknown>)[key] : undefined);
    const status = own('status') ?? own('statusCode');
    if (typeof status !== 'number' || !Number.isInteger(status)) return undefined;
    return { status, headers: own('headers') };
  } catch {
    return undefined;
  }
}

/** Default cap on the (provider, model, limit type) entries of a {@link QuotaTable}. */
export const DEFAULT_MAX_QUOTA_ENTRIES = 256;
/** An entry not refreshed for this long is dropped (its gauges stop reporting): 10 minutes. */
export const DEFAULT_QUOTA_TTL_MILLIS = 10 * 60 * 1000;

interface QuotaEntry {
  readonly attributes: Attributes;
  limit: number | undefined;
  remaining: number | undefined;
  updatedAt: number;
}

/**
 * The latest rate-limit state per provider, request model and limit type. Bounded: at most
 * `maxEntries` entries (the least recently updated goes first) and entries older than `ttlMillis`
 * are dropped, so a service that stopped calling a model stops reporting a stale headroom. Models
 * reach it already capped by the recorder's bounded model values.
 */
export class QuotaTable {
  private readonly entries = new Map<string, QuotaEntry>();
  /**
   * The latest response headers per provider and model, read at the next collection: only the
   * state at collection time is reported, so a call pays for keeping a reference, not for parsing.
   */
  private readonly latest: Array<{ provider: string; model: string; headers: unknown }> = [];
  /** {@link latest} by provider, then model: the strings a call already holds are the keys, no key is built per call. */
  private readonly latestByProvider = new Map<string, Map<string, { provider: string; model: string; headers: unknown }>>();

  constructor(
    private readonly maxEntries = DEFAULT_MAX_QUOTA_ENTRIES,
    private readonly ttlMillis = DEFAULT_QUOTA_TTL_MILLIS,
  ) {}

  /**
   * Keeps a response's headers (immutable fetch `Headers`, or a plain object) to be read at the
   * next collection; a later response of the same provider and model replaces them. At most
   * `maxEntries` provider and model pairs wait; others are read at the next call after a collection.
   */
  offer(provider: string, model: string, headers: unknown): void {
    if (typeof headers !== 'object' || headers === null) return;
    let byModel = this.latestByProvider.get(provider);
    const waiting = byModel?.get(model);
    if (waiting !== undefined) waiting.headers = headers;
    else if (this.latest.length < this.maxEntries) {
      if (byModel === undefined) this.latestByProvider.set(provider, (byModel = new Map()));
      const entry = { provider, model, headers };
      byModel.set(model, entry);
      this.latest.push(entry);
    }
  }

  /** Reads the headers offered since the last collection into the table. */
  private drain(now: number): void {
    if (this.latest.length === 0) return;
    for (const { provider, model, headers } of this.latest) {
      const reading = readQuotaHeaders(headers);
      if (reading) this.update(provider, model, reading, now);
    }
    this.latest.length = 0;
    this.latestByProvider.clear();
  }

  /** Keeps what `reading` says for `provider` and `model`. */
  update(provider: string, model: string, reading: QuotaReading, now: number): void {
    for (const type of QUOTA_LIMIT_TYPES) {
      const value = reading[type];
      if (value === undefined) continue;
      const key = `${provider}\u0000${model}\u0000${type}`;
      let entry = this.entries.get(key);
      if (entry === undefined) {
        entry = {
          attributes: {
            [ATTR_GEN_AI_PROVIDER_NAME]: provider,
            [ATTR_GEN_AI_REQUEST_MODEL]: model,
            [ATTR_TOKENOMICS_QUOTA_LIMIT_TYPE]: type,
          },
          limit: undefined,
          remaining: undefined,
          updatedAt: now,
        };
      } else {
        this.entries.delete(key); // re-inserted last: the map's order is least recently updated first
      }
      if (value.limit !== undefined) entry.limit = value.limit;
      if (value.remaining !== undefined) entry.remaining = value.remaining;
      entry.updatedAt = now;
      this.entries.set(key, entry);
      if (this.entries.size > this.maxEntries) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
    }
  }

  /** Number of entries held. */
  get size(): number {
    return this.entries.size;
  }

  /** Reports every fresh entry's `which` value to a gauge callback; drops expired entries. */
  observe(result: ObservableResult, which: 'limit' | 'remaining', now: number): void {
    this.drain(now);
    for (const [key, entry] of this.entries) {
      if (now - entry.updatedAt > this.ttlMillis) {
        this.entries.delete(key);
        continue;
      }
      const value = entry[which];
      if (value !== undefined) result.observe(value, entry.attributes);
    }
  }
}
