/**
 * Rates of one model for one period, as read from the data (`RawRates`), and their compiled form
 * (`RateLadder`): one flat `RateSet` per context-length tier with every fallback already applied,
 * so pricing a call is a handful of multiplications.
 */
/** A rate that rises when the call's total input tokens exceed `start` (whole call at that rate). */
export interface TieredRate {
  base: number;
  tiers: { start: number; price: number }[];
}

/** USD per million tokens, flat or by context length. */
export type Rate = number | TieredRate;

/** Token units of a rate card, in the order the breakdown lists them: the contract's token units. */
export { TOKEN_UNITS, type TokenUnit } from '@tokenomics/contract/tokens';
import { BILLED_ITEM_SEARCH_UNIT } from '@tokenomics/contract/operations';
import { TOKEN_UNITS, type TokenUnit } from '@tokenomics/contract/tokens';

/** Rates for one period of one model, before compilation. */
export type RawRates = { [U in TokenUnit]?: Rate } & {
  /** USD charged once per call. */
  request?: number;
  /** USD per counted item (`web_search`, `file_search`, ...). */
  requests?: Record<string, number>;
};

/** Where a unit without its own rate takes its rate from. */
export const FALLBACK: Record<TokenUnit, TokenUnit | undefined> = {
  input: undefined,
  cache_read: 'input',
  cache_write: 'input',
  cache_write_1h: 'cache_write',
  input_audio: 'input',
  input_image: 'input',
  output: undefined,
  reasoning: 'output',
  output_audio: 'output',
  output_image: 'output',
};

/** Upstream (genai-prices) price keys and the unit each maps to. Per-million-token keys. */
export const UPSTREAM_TOKEN_KEYS: Record<string, TokenUnit> = {
  input_mtok: 'input',
  output_mtok: 'output',
  cache_read_mtok: 'cache_read',
  cache_write_mtok: 'cache_write',
  cache_write_5m_mtok: 'cache_write',
  cache_write_1h_mtok: 'cache_write_1h',
  output_reasoning_mtok: 'reasoning',
  input_audio_mtok: 'input_audio',
  output_audio_mtok: 'output_audio',
  input_image_mtok: 'input_image',
  output_image_mtok: 'output_image',
};

/** Upstream per-thousand keys and the `usage.requests` name each prices (`requests_kcount`: per call). */
export const UPSTREAM_COUNT_KEYS: Record<string, string> = {
  requests_kcount: '',
  web_searches_kcount: 'web_search',
  storage_searches_kcount: 'file_search',
  code_executions_kcount: 'code_execution',
  input_text_messages_kcount: 'text_message',
  input_document_kpages: 'document_page',
  input_annotated_document_kpages: 'annotated_document_page',
};

/** Spellings accepted in `usage.requests` for each request name. */
export const REQUEST_NAME_ALIASES: Record<string, string> = {
  web_search: 'web_search',
  web_searches: 'web_search',
  web_search_requests: 'web_search',
  file_search: 'file_search',
  file_searches: 'file_search',
  storage_search: 'file_search',
  storage_searches: 'file_search',
  code_execution: 'code_execution',
  code_executions: 'code_execution',
  text_message: 'text_message',
  text_messages: 'text_message',
  document_page: 'document_page',
  document_pages: 'document_page',
  annotated_document_page: 'annotated_document_page',
  annotated_document_pages: 'annotated_document_page',
  [BILLED_ITEM_SEARCH_UNIT]: BILLED_ITEM_SEARCH_UNIT,
  [`${BILLED_ITEM_SEARCH_UNIT}s`]: BILLED_ITEM_SEARCH_UNIT,
};

/** Service tiers, in the index order used by compiled models. */
export const SERVICE_TIERS = ['standard', 'batch', 'flex', 'priority'] as const;

/** Flat rates for one context-length tier, fallbacks applied; `NaN` = no rate. */
export interface RateSet {
  input: number;
  cache_read: number;
  cache_write: number;
  cache_write_1h: number;
  input_audio: number;
  input_image: number;
  output: number;
  reasoning: number;
  output_audio: number;
  output_image: number;
  /** USD per call (0 when none). */
  request: number;
  /** USD per counted item by request name, or `undefined` when the model has none. */
  requests: Map<string, number> | undefined;
}

/** Rate sets by context length: `sets[i]` applies when input tokens exceed `starts[i - 1]`. */
export interface RateLadder {
  starts: number[];
  sets: RateSet[];
}

/** Whether a rate card has no token rates and no fees at all (the data's way to say "free"). */
export function isEmptyRates(r: RawRates): boolean {
  for (const u of TOKEN_UNITS) if (r[u] !== undefined) return false;
  return r.request === undefined && (r.requests === undefined || Object.keys(r.requests).length === 0);
}

/** Rates of `over` replace those of `base` unit by unit; request fees merge by name. */
export function mergeRates(base: RawRates, over: RawRates): RawRates {
  const out: RawRates = { ...base, ...over };
  if (base.requests || over.requests) out.requests = { ...base.requests, ...over.requests };
  for (const k of Object.keys(out) as (keyof RawRates)[]) if (out[k] === undefined) delete out[k];
  return out;
}

function rateAt(rate: Rate | undefined, threshold: number): number {
  if (rate === undefined) return NaN;
  if (typeof rate === 'number') return rate;
  let value = rate.base;
  // `threshold` is the lower bound of the context tier being built: tiers starting at or below it apply.
  for (const t of rate.tiers) if (t.start <= threshold) value = t.price;
  return value;
}

/**
 * Compiles rates into a ladder. `multiplier` scales token rates (service-tier discounts), not fees.
 * A card with no rates at all is free: every unit costs 0.
 */
export function compileLadder(raw: RawRates, multiplier = 1): RateLadder {
  const free = isEmptyRates(raw);
  const startSet = new Set<number>();
  for (const u of TOKEN_UNITS) {
    const r = raw[u];
    if (r !== undefined && typeof r !== 'number') for (const t of r.tiers) startSet.add(t.start);
  }
  const starts = [...startSet].sort((a, b) => a - b);
  const thresholds = [-1, ...starts];
  const sets = thresholds.map((threshold) => {
    const own = {} as Record<TokenUnit, number>;
    for (const u of TOKEN_UNITS) own[u] = free ? 0 : rateAt(raw[u], threshold);
    const set = {} as Record<TokenUnit, number>;
    for (const u of TOKEN_UNITS) {
      let unit: TokenUnit | undefined = u;
      while (unit !== undefined && Number.isNaN(own[unit])) unit = FALLBACK[unit];
      set[u] = unit === undefined ? NaN : own[unit] * multiplier;
    }
    let requests: Map<string, number> | undefined;
    if (raw.requests && Object.keys(raw.requests).length > 0) requests = new Map(Object.entries(raw.requests));
    const rs: RateSet = {
      input: set.input,
      cache_read: set.cache_read,
      cache_write: set.cache_write,
      cache_write_1h: set.cache_write_1h,
      input_audio: set.input_audio,
      input_image: set.input_image,
      output: set.output,
      reasoning: set.reasoning,
      output_audio: set.output_audio,
      output_image: set.output_image,
      request: raw.request ?? 0,
      requests,
    };
    return rs;
  });
  return { starts, sets };
}

/** A rate times a factor (tiers scaled alike). */
export function scaleRate(rate: Rate, multiplier: number): Rate {
  return typeof rate === 'number'
    ? rate * multiplier
    : { base: rate.base * multiplier, tiers: rate.tiers.map((t) => ({ start: t.start, price: t.price * multiplier })) };
}
