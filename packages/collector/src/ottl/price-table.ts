/**
 * The price table behind the generated OTTL: for each provider name and model string, the rates the
 * price book itself applies. Nothing here knows a price: every rate is read back from
 * `PriceBook.price()` on probe usages (so fallbacks such as "cache read at the input rate", per-call
 * fees, provider groups and overrides are the engine's own), and every model string is one the book
 * resolves to the same entry. What the table cannot express exactly (time-of-day prices) is left out.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { PriceBook } from '@tokenomics/pricing/price-book';
import { CONTEXT_WINDOW_MARGIN, MAX_TOKENS_PER_CALL } from '@tokenomics/pricing/usage-validation';
import type { PricedCost, Usage } from '@tokenomics/contract/price-book';
import { PROVIDER_ALIASES, PROVIDER_NAMES } from '@tokenomics/contract/providers';

/** Billing units the generated OTTL prices (the ones a span's semconv attributes can carry). */
export const OTTL_UNITS = ['input', 'cache_read', 'cache_write', 'output', 'reasoning'] as const;
/** One of {@link OTTL_UNITS}. */
export type OttlUnit = (typeof OTTL_UNITS)[number];

/** Rates of one (provider, entry) pair, as the engine applies them. */
export interface EntryRates {
  /** Key of the entry in the generated configuration: `<provider name>|<price-book model id>`. */
  key: string;
  /** `gen_ai.provider.name` value the rates were probed with. */
  provider: string;
  /** Price-book model id (`tokenomics.pricing.model`). */
  model: string;
  /** USD per token, for the units the model has a price for. */
  perToken: Partial<Record<OttlUnit, number>>;
  /** Per-call fee in USD (`tokenomics.cost.request`), when the model has one. */
  requestFee?: number;
  /** Input tokens above which a context-length tier applies (the OTTL leaves such calls unpriced). */
  tierAbove?: number;
  /** Input plus output tokens above which the usage is implausible (`exceeds_context_window`). */
  maxTokens?: number;
  /** Whether a cached token costs something other than an uncached one (the cache share matters). */
  cacheMatters: boolean;
  /** Start of the current dated price (epoch ms), when the entry has dated prices. */
  from?: number;
  /** End (exclusive) of the current dated price (epoch ms), when a later price is known. */
  until?: number;
  /** Exact model strings that resolve to this entry under this provider. */
  literals: string[];
  /** Prefixes `P` such that `P-YYYYMMDD` and `P-YYYY-MM-DD` resolve to this entry (dated snapshots). */
  datedPrefixes: string[];
}

/** The table: provider spellings and the entries, in the order the OTTL checks them. */
export interface PriceTable {
  /** Version of the price book the table was read from (`tokenomics.price_book.version`). */
  version: string;
  /** `gen_ai.provider.name` value -> spellings (lower-case) that normalise to it. */
  providers: Map<string, string[]>;
  /** One per provider name and price-book entry, with the model strings that resolve to it. */
  entries: EntryRates[];
  /** Entries left out because their price varies with the time of day. */
  skipped: { provider: string; model: string; why: string }[];
}

/** Options of {@link buildPriceTable}. */
export interface PriceTableOptions {
  /** Price-book model ids or model strings to include (default: all). */
  models?: readonly string[] | undefined;
  /** The instant whose prices are current (epoch ms; default now). */
  now?: number | undefined;
}

const PROBE = 1000;
const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** Dated prices are searched from here to three years past now. */
const SCAN_START = Date.UTC(2020, 0, 1);
const SCAN_AHEAD = 3 * 365 * DAY;
const SAMPLE_DATES = ['20250929', '20240101', '2025-09-29', '2024-01-01'];

/** Model strings named by the bundled data's match rules and ids, and the starts-with prefixes. */
function ruleStrings(): { literals: Set<string>; prefixes: Set<string> } {
  const literals = new Set<string>();
  const prefixes = new Set<string>();
  const require = createRequire(__filename);
  const dataDir = join(dirname(require.resolve('@tokenomics/pricing/package.json')), 'data');
  const walk = (node: unknown, key: string | undefined): void => {
    if (typeof node === 'string') {
      if (key === 'equals' || key === 'id' || key === 'model') literals.add(node);
      else if (key === 'starts_with') {
        literals.add(node);
        prefixes.add(node);
      }
      return;
    }
    if (Array.isArray(node)) {
      for (const item of node) walk(item, key === 'match' || key === 'or' || key === 'and' ? key : undefined);
      return;
    }
    if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'prices' || k === 'source' || k === 'notes' || k === 'name' || k === 'description') continue;
        walk(v, k);
      }
    }
  };
  for (const file of ['genai-prices.json', 'supplement.json']) {
    try {
      walk(JSON.parse(readFileSync(join(dataDir, file), 'utf8')), undefined);
    } catch {
      // A missing data file only means fewer candidate strings; the book's own ids remain.
    }
  }
  return { literals, prefixes };
}

/** A fingerprint of what the book charges for a fixed usage at instant `at` (or why it cannot). */
function fingerprint(book: PriceBook, provider: string, model: string, at: number): string {
  const usage: Usage = { inputTokens: PROBE, cacheReadTokens: 100, cacheWriteTokens: 100, outputTokens: PROBE, reasoningTokens: 100 };
  const cost = book.price(usage, { provider, model, at });
  if (cost.priced) return JSON.stringify(cost.breakdown);
  const parts: string[] = [cost.reason];
  for (const unit of OTTL_UNITS) parts.push(String(unitRate(book, provider, model, unit, at)));
  return parts.join('|');
}

/** Usage of {@link PROBE} tokens of one unit (totals include their subsets). */
function unitUsage(unit: OttlUnit): Usage {
  switch (unit) {
    case 'input':
      return { inputTokens: PROBE, outputTokens: 0 };
    case 'cache_read':
      return { inputTokens: PROBE, cacheReadTokens: PROBE, outputTokens: 0 };
    case 'cache_write':
      return { inputTokens: PROBE, cacheWriteTokens: PROBE, outputTokens: 0 };
    case 'output':
      return { inputTokens: 0, outputTokens: PROBE };
    case 'reasoning':
      return { inputTokens: 0, outputTokens: PROBE, reasoningTokens: PROBE };
  }
}

/** USD per token of one unit as the engine charges it, or `undefined` when the model has no price for it. */
function unitRate(book: PriceBook, provider: string, model: string, unit: OttlUnit, at: number): number | undefined {
  const cost = book.price(unitUsage(unit), { provider, model, at });
  if (!cost.priced) return undefined;
  const amount = cost.breakdown[unit];
  if (amount === undefined) return undefined;
  // Rates are published decimals: 12 significant digits undo the division's last-bit noise.
  return Number((amount / PROBE).toPrecision(12));
}

function probeRates(
  book: PriceBook,
  provider: string,
  model: string,
  at: number,
): Omit<EntryRates, 'key' | 'literals' | 'datedPrefixes'> | undefined {
  const resolved = book.resolve(model, provider);
  if (resolved === undefined) return undefined;
  const perToken: Partial<Record<OttlUnit, number>> = {};
  for (const unit of OTTL_UNITS) {
    const rate = unitRate(book, provider, model, unit, at);
    if (rate !== undefined) perToken[unit] = rate;
  }
  let requestFee: number | undefined;
  const withFee = book.price(unitUsage(perToken.input === undefined ? 'output' : 'input'), { provider, model, at });
  if (withFee.priced) requestFee = (withFee as PricedCost).breakdown.request;
  else if (perToken.input === undefined && perToken.output === undefined) return undefined;
  const rates: Omit<EntryRates, 'key' | 'literals' | 'datedPrefixes'> = {
    provider,
    model: resolved.model,
    perToken,
    cacheMatters:
      (perToken.cache_read !== undefined && perToken.cache_read !== perToken.input) ||
      (perToken.cache_write !== undefined && perToken.cache_write !== perToken.input),
  };
  if (requestFee !== undefined && requestFee > 0) rates.requestFee = requestFee;
  const above = tierStart(book, provider, model, at, perToken);
  if (above !== undefined) rates.tierAbove = above;
  const window = resolved.contextWindow;
  if (window !== undefined && window > 0) rates.maxTokens = window * CONTEXT_WINDOW_MARGIN;
  return rates;
}

/**
 * The input size above which the book charges other rates than the first tier's (a context-length
 * tier), found by bisection on what the engine charges; `undefined` when no size up to the largest
 * count the book accepts changes the rates.
 */
function tierStart(
  book: PriceBook,
  provider: string,
  model: string,
  at: number,
  perToken: Partial<Record<OttlUnit, number>>,
): number | undefined {
  const unit: OttlUnit | undefined = perToken.input !== undefined ? 'input' : perToken.cache_read !== undefined ? 'cache_read' : undefined;
  if (unit === undefined) return undefined;
  const base = perToken[unit] as number;
  const differs = (n: number) => {
    const usage: Usage = unit === 'input' ? { inputTokens: n, outputTokens: 0 } : { inputTokens: n, cacheReadTokens: n, outputTokens: 0 };
    const cost = book.price(usage, { provider, model, at });
    if (!cost.priced) return true;
    const amount = cost.breakdown[unit] ?? 0;
    return Math.abs(amount - n * base) > 1e-9 * Math.max(amount, n * base);
  };
  let lo = PROBE;
  let hi = MAX_TOKENS_PER_CALL;
  if (differs(lo) || !differs(hi)) return undefined;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (differs(mid)) hi = mid;
    else lo = mid;
  }
  return lo;
}

/**
 * The current price period of a dated entry: the instants around `now` where the fingerprint
 * changes (weekly scan, then bisection to the millisecond). `'time_of_day'` when the price changes
 * within a day.
 */
function currentPeriod(book: PriceBook, provider: string, model: string, now: number): { from?: number; until?: number } | 'time_of_day' {
  const here = fingerprint(book, provider, model, now);
  let changes = 0;
  let last = here;
  for (let t = now; t < now + 2 * DAY; t += 30 * 60_000) {
    const f = fingerprint(book, provider, model, t);
    if (f !== last) changes++;
    last = f;
  }
  // A price that changes and changes back within two days follows the clock, not the calendar.
  if (changes > 1) return 'time_of_day';
  const same = (t: number) => fingerprint(book, provider, model, t) === here;
  const edge = (inside: number, outside: number) => {
    let a = inside;
    let b = outside;
    while (Math.abs(b - a) > 1) {
      const mid = Math.floor((a + b) / 2);
      if (same(mid)) a = mid;
      else b = mid;
    }
    return Math.max(a, b);
  };
  const period: { from?: number; until?: number } = {};
  for (let t = now - WEEK; t >= SCAN_START; t -= WEEK) {
    if (!same(t)) {
      period.from = edge(Math.min(t + WEEK, now), t);
      break;
    }
  }
  for (let t = now + WEEK; t <= now + SCAN_AHEAD; t += WEEK) {
    if (!same(t)) {
      period.until = edge(Math.max(t - WEEK, now), t);
      break;
    }
  }
  return period;
}

/** Spellings (lower-case) of each provider name, from the contract's alias table. */
function providerSpellings(book: PriceBook): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const name of PROVIDER_NAMES) if (book.hasProvider(name)) out.set(name, [name]);
  for (const [alias, name] of PROVIDER_ALIASES) out.get(name)?.push(alias);
  // Providers only the book names (hosts without a provider name, models of the user's own files).
  const aliased = new Set(PROVIDER_ALIASES.keys());
  for (const info of book.list()) {
    const id = info.provider.toLowerCase();
    if (!out.has(id) && !aliased.has(id) && book.hasProvider(id)) out.set(id, [id]);
  }
  return out;
}

/**
 * Builds the table for the generated OTTL from a price book: every provider name the book knows,
 * every model string from the data's match rules and the book's ids that the book resolves under
 * that provider, grouped by the entry and rates they resolve to.
 */
export function buildPriceTable(book: PriceBook, options: PriceTableOptions = {}): PriceTable {
  const now = options.now ?? Date.now();
  const wanted = options.models === undefined ? undefined : new Set(options.models.map((m) => m.toLowerCase()));
  const { literals, prefixes } = ruleStrings();
  for (const info of book.list()) literals.add(info.model);
  const candidates = [...literals].filter((s) => s.trim() === s && s.length > 0 && !/[*?]/.test(s)).sort();
  const providers = providerSpellings(book);
  const entries: EntryRates[] = [];
  const skipped: PriceTable['skipped'] = [];
  const skippedKeys = new Set<string>();
  const dated = new Set(
    book
      .list()
      .filter((m) => m.dated)
      .map((m) => m.model),
  );
  for (const provider of providers.keys()) {
    const byKey = new Map<string, EntryRates>();
    const entryFor = (modelString: string): EntryRates | undefined => {
      const resolved = book.resolve(modelString, provider);
      if (resolved === undefined || resolved.matchedBy === 'alias') return undefined;
      if (wanted !== undefined && !wanted.has(resolved.model.toLowerCase()) && !wanted.has(modelString.toLowerCase())) return undefined;
      const key = `${provider}|${resolved.model}`;
      let entry = byKey.get(key);
      if (entry === undefined && skippedKeys.has(key)) return undefined;
      if (entry === undefined) {
        const rates = probeRates(book, provider, resolved.model, now);
        if (rates === undefined) return undefined;
        let period: { from?: number; until?: number } | 'time_of_day' = {};
        if (dated.has(resolved.model)) period = currentPeriod(book, provider, resolved.model, now);
        if (period === 'time_of_day') {
          if (!skippedKeys.has(key)) skipped.push({ provider, model: resolved.model, why: 'time-of-day prices' });
          skippedKeys.add(key);
          return undefined;
        }
        entry = { key, ...rates, literals: [], datedPrefixes: [] };
        if (period.from !== undefined) entry.from = period.from;
        if (period.until !== undefined) entry.until = period.until;
        byKey.set(key, entry);
      }
      // The string must price like the entry's own id (a rule may map it to the entry under a
      // provider group whose rates differ).
      return fingerprint(book, provider, modelString, now) === fingerprint(book, provider, resolved.model, now) ? entry : undefined;
    };
    for (const s of candidates) {
      const entry = entryFor(s);
      if (entry !== undefined) entry.literals.push(s);
    }
    for (const p of [...prefixes].sort()) {
      const entry = entryFor(p);
      if (entry === undefined) continue;
      if (SAMPLE_DATES.every((d) => entryFor(`${p}-${d}`) === entry)) entry.datedPrefixes.push(p);
    }
    for (const entry of byKey.values()) if (entry.literals.length > 0 || entry.datedPrefixes.length > 0) entries.push(entry);
  }
  return { version: book.version, providers, entries, skipped };
}

/** Largest count the price book accepts for one call. */
export const MAX_COUNT = MAX_TOKENS_PER_CALL;
