/**
 * Reading rate cards from documents, with validation: upstream keys (`input_mtok`,
 * `web_searches_kcount`, ...) in data files, and both those and our own keys (`input`,
 * `cache_read`, `requests`, ...) in override files.
 */
import type { PriceFileError } from './price-file-error';
import {
  type RawRates,
  type Rate,
  type TokenUnit,
  TOKEN_UNITS,
  UPSTREAM_COUNT_KEYS,
  UPSTREAM_TOKEN_KEYS,
  REQUEST_NAME_ALIASES,
} from './rates';
import { fieldError, type FieldPath, type SourceDoc } from './source-doc';

/** Highest rate accepted, in USD per million tokens (the dearest listed rate is a few hundred). */
export const MAX_RATE = 10_000;
/** Highest fee accepted, in USD per call or per counted item. */
export const MAX_FEE = 1_000;
/** Highest multiplier accepted (service tiers, derived rates, discounts). */
export const MAX_MULTIPLIER = 100;

const ACCEPT_MTOK = `a number from 0 to ${MAX_RATE} (USD per million tokens)`;
export const ACCEPT_RATE = `${ACCEPT_MTOK} or { base: number, tiers: [{ start: tokens, price: number }] }`;
export const ACCEPT_FEE = `a number from 0 to ${MAX_FEE} (USD)`;

/** Collects errors (and warnings) while reading a document. */
export interface Problems {
  doc: SourceDoc;
  errors: PriceFileError[];
  /** Entries that load but may not do what was meant; absent when nobody collects them. */
  warnings?: PriceFileError[];
}

export function problem(p: Problems, path: FieldPath, value: unknown, accepted: string, message?: string): void {
  p.errors.push(fieldError(p.doc, path, value, accepted, message));
}

/** Records a warning: the entry loads, but may not do what was meant. */
export function warning(p: Problems, path: FieldPath, value: unknown, accepted: string, message: string): void {
  (p.warnings ??= []).push(fieldError(p.doc, path, value, accepted, message, 'warning'));
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function isNonNegative(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

/** A finite number in `[0, max]`. */
export function inRange(v: unknown, max: number): v is number {
  return isNonNegative(v) && v <= max;
}

/** Whether `obj` has `key` as its own property (never a built-in such as `constructor`). */
export function ownKey<T>(obj: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Reads a rate (flat or tiered); reports and returns `undefined` when invalid. */
export function readRate(p: Problems, path: FieldPath, v: unknown): Rate | undefined {
  if (inRange(v, MAX_RATE)) return v;
  if (!isPlainObject(v)) {
    problem(p, path, v, ACCEPT_RATE);
    return undefined;
  }
  const extra = Object.keys(v).filter((k) => k !== 'base' && k !== 'tiers');
  if (extra.length > 0) {
    problem(p, [...path, extra[0]], v[extra[0]], 'only the fields base and tiers', `unknown field "${extra[0]}"`);
    return undefined;
  }
  if (!inRange(v.base, MAX_RATE)) {
    problem(p, [...path, 'base'], v.base, ACCEPT_MTOK);
    return undefined;
  }
  if (!Array.isArray(v.tiers)) {
    problem(p, [...path, 'tiers'], v.tiers, 'a list of { start: tokens, price: number }');
    return undefined;
  }
  const tiers: { start: number; price: number }[] = [];
  let ok = true;
  v.tiers.forEach((t: unknown, i: number) => {
    const tp = [...path, 'tiers', i];
    if (!isPlainObject(t)) {
      problem(p, tp, t, '{ start: tokens, price: number }');
      ok = false;
      return;
    }
    if (!(typeof t.start === 'number' && Number.isSafeInteger(t.start) && t.start >= 0)) {
      problem(p, [...tp, 'start'], t.start, 'a non-negative whole number of input tokens');
      ok = false;
    }
    if (!inRange(t.price, MAX_RATE)) {
      problem(p, [...tp, 'price'], t.price, ACCEPT_MTOK);
      ok = false;
    }
    if (ok) tiers.push({ start: t.start as number, price: t.price as number });
  });
  if (!ok) return undefined;
  tiers.sort((a, b) => a.start - b.start);
  return { base: v.base, tiers };
}

/** Reads an upstream (genai-prices) price object; unknown keys are units we do not price and are skipped. */
export function readUpstreamRates(p: Problems, path: FieldPath, obj: unknown): RawRates | undefined {
  if (!isPlainObject(obj)) {
    problem(p, path, obj, 'an object of prices such as { input_mtok: 2.5, output_mtok: 10 }');
    return undefined;
  }
  const out: RawRates = {};
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined || value === null) continue;
    const unit = ownKey(UPSTREAM_TOKEN_KEYS, key);
    if (unit !== undefined) {
      const rate = readRate(p, [...path, key], value);
      // `cache_write_5m_mtok` only fills in when the generic cache-write key is absent.
      if (rate !== undefined && !(key === 'cache_write_5m_mtok' && out.cache_write !== undefined)) out[unit] = rate;
      continue;
    }
    const request = ownKey(UPSTREAM_COUNT_KEYS, key);
    if (request !== undefined) {
      if (!inRange(value, MAX_FEE * 1000)) {
        problem(p, [...path, key], value, `a number from 0 to ${MAX_FEE * 1000} (USD per thousand)`);
        continue;
      }
      if (request === '') out.request = value / 1000;
      else (out.requests ??= {})[request] = value / 1000;
      continue;
    }
    // Other units (durations, characters, video tokens, ...) are not in our usage record; a rate
    // value must still be well-formed.
    if (!(typeof value === 'number' && inRange(value, MAX_RATE * 1000)) && !isPlainObject(value))
      problem(p, [...path, key], value, ACCEPT_RATE);
  }
  return out;
}

/** Our own price keys in override files. */
const OWN_KEYS: Record<string, TokenUnit> = Object.fromEntries(TOKEN_UNITS.map((u) => [u, u])) as Record<string, TokenUnit>;

export const ACCEPTED_PRICE_KEYS = [
  ...TOKEN_UNITS,
  'request',
  'requests',
  'gpu_hour',
  ...Object.keys(UPSTREAM_TOKEN_KEYS),
  ...Object.keys(UPSTREAM_COUNT_KEYS),
];

/**
 * Reads an override price object: our keys (`input`, `cache_read`, ... in USD per million tokens,
 * `request` in USD per call, `requests` in USD per item) or upstream keys.
 */
export function readOverrideRates(p: Problems, path: FieldPath, obj: unknown): RawRates | undefined {
  if (!isPlainObject(obj)) {
    problem(p, path, obj, 'an object of prices such as { input: 2.5, output: 10 } (USD per million tokens)');
    return undefined;
  }
  const upstream: Record<string, unknown> = {};
  const out: RawRates = {};
  for (const [key, value] of Object.entries(obj)) {
    const kp = [...path, key];
    const unit = ownKey(OWN_KEYS, key);
    if (unit !== undefined) {
      const rate = readRate(p, kp, value);
      if (rate !== undefined) out[unit] = rate;
    } else if (key === 'request') {
      if (inRange(value, MAX_FEE)) out.request = value;
      else problem(p, kp, value, ACCEPT_FEE + ' per call');
    } else if (key === 'requests') {
      if (!isPlainObject(value)) {
        problem(p, kp, value, 'an object of USD per item, e.g. { web_search: 0.01 }');
        continue;
      }
      for (const [name, fee] of Object.entries(value)) {
        const canonical = ownKey(REQUEST_NAME_ALIASES, name) ?? name;
        if (inRange(fee, MAX_FEE)) (out.requests ??= {})[canonical] = fee;
        else problem(p, [...kp, name], fee, ACCEPT_FEE + ' per item');
      }
    } else if (key === 'gpu_hour') {
      const converted = readGpuHour(p, kp, value);
      if (converted) {
        for (const unit of ['input', 'output'] as const) {
          if (Object.hasOwn(obj, unit))
            problem(p, [...path, unit], obj[unit], `either ${unit} or gpu_hour`, `${unit} is also given by gpu_hour`);
          else out[unit] = converted[unit];
        }
      }
    } else if (Object.hasOwn(UPSTREAM_TOKEN_KEYS, key) || Object.hasOwn(UPSTREAM_COUNT_KEYS, key)) {
      upstream[key] = value;
    } else {
      problem(p, kp, value, `price keys: ${ACCEPTED_PRICE_KEYS.join(', ')}`, `unknown price key "${key}"`);
    }
  }
  if (Object.keys(upstream).length > 0) {
    const converted = readUpstreamRates(p, path, upstream);
    if (converted) {
      for (const [k, v] of Object.entries(converted)) {
        if (k === 'requests') out.requests = { ...(v as Record<string, number>), ...out.requests };
        else if ((out as Record<string, unknown>)[k] === undefined) (out as Record<string, unknown>)[k] = v;
      }
    }
  }
  return out;
}

/** Highest throughput accepted in a `gpu_hour` price, in tokens per second. */
export const MAX_TOKENS_PER_SECOND = 10_000_000;
const ACCEPT_GPU_HOUR =
  '{ usd_per_hour: number, input_tokens_per_second: number, output_tokens_per_second: number } (the cost of one GPU hour and the throughput measured on it)';

/**
 * Reads a `gpu_hour` price (a self-hosted model billed by GPU time) into token rates: a GPU hour
 * at `usd_per_hour` processes `input_tokens_per_second` prompt tokens or generates
 * `output_tokens_per_second` tokens per second, so a million tokens cost
 * `usd_per_hour * 1e6 / (3600 * tokens_per_second)`. Reports and returns `undefined` when invalid,
 * or when a rate comes out above {@link MAX_RATE}.
 */
export function readGpuHour(p: Problems, path: FieldPath, v: unknown): { input: number; output: number } | undefined {
  if (!isPlainObject(v)) {
    problem(p, path, v, ACCEPT_GPU_HOUR);
    return undefined;
  }
  const known = ['usd_per_hour', 'input_tokens_per_second', 'output_tokens_per_second', 'notes'];
  const extra = Object.keys(v).filter((k) => !known.includes(k));
  if (extra.length > 0) {
    problem(p, [...path, extra[0]], v[extra[0]], `only the fields ${known.join(', ')}`, `unknown field "${extra[0]}"`);
    return undefined;
  }
  let ok = true;
  if (!inRange(v.usd_per_hour, MAX_FEE)) {
    problem(p, [...path, 'usd_per_hour'], v.usd_per_hour, ACCEPT_FEE + ' per GPU hour');
    ok = false;
  }
  for (const field of ['input_tokens_per_second', 'output_tokens_per_second'] as const) {
    const tps = v[field];
    if (!(isNonNegative(tps) && tps > 0 && tps <= MAX_TOKENS_PER_SECOND)) {
      problem(p, [...path, field], tps, `a number above 0 and at most ${MAX_TOKENS_PER_SECOND} (tokens per second)`);
      ok = false;
    }
  }
  if (!ok) return undefined;
  const usd = v.usd_per_hour as number;
  const rate = (tps: number): number => (usd * 1e6) / (3600 * tps);
  const rates = { input: rate(v.input_tokens_per_second as number), output: rate(v.output_tokens_per_second as number) };
  for (const unit of ['input', 'output'] as const) {
    if (rates[unit] > MAX_RATE) {
      const field = `${unit}_tokens_per_second`;
      problem(
        p,
        [...path, field],
        v[field],
        `a throughput giving at most ${MAX_RATE} USD per million tokens`,
        `gives ${rates[unit]} USD per million ${unit} tokens`,
      );
      return undefined;
    }
  }
  return rates;
}

/** Reads a `YYYY-MM-DD` date or ISO timestamp into epoch milliseconds (dates are UTC midnight). */
export function readDate(p: Problems, path: FieldPath, v: unknown): number | undefined {
  const accepted = 'a date YYYY-MM-DD (UTC) or an ISO 8601 timestamp';
  if (v instanceof Date && !Number.isNaN(v.getTime())) return v.getTime();
  if (typeof v !== 'string') {
    problem(p, path, v, accepted);
    return undefined;
  }
  const date = /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T/.test(v) ? new Date(v) : undefined;
  if (!date || Number.isNaN(date.getTime()) || (v.length === 10 && date.toISOString().slice(0, 10) !== v)) {
    problem(p, path, v, accepted);
    return undefined;
  }
  return date.getTime();
}
