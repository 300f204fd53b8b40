/**
 * A second-source check: the price book and another published price table each price the same
 * standard workloads, model by model, and every disagreement is listed. The other table is priced
 * by this package's own engine (its rates loaded as a price book of their own), so the comparison
 * is of rates, never of two ways of doing the arithmetic.
 */
import { stateFromData } from './book-state';
import { readPriceData } from './price-data';
import { PriceBook } from './price-book';
import { providerRef } from './provider-ids';
import type { ReferenceEntry, ReferenceTable } from './reference-table';
import { inlineDoc } from './source-doc';
import type { Usage } from './types';

/** A call shape both books price. */
export interface Workload {
  /** Short name printed in the diff (`chat-1k`). */
  name: string;
  /** What it stands for, for the documentation and `--help`. */
  description: string;
  usage: Usage;
  /** `chat`: models with an output price; `embeddings`: embedding models. */
  kind: 'chat' | 'embeddings';
  /** Only for models whose context window holds this many input tokens. */
  minContext?: number;
  /** Only when the other table states a cached-input rate. */
  needsCacheRate?: boolean;
}

/** The standard workloads of `tokenomics prices diff`. */
export const STANDARD_WORKLOADS: readonly Workload[] = [
  { name: 'chat-1k', description: '1,000 input and 1,000 output tokens', usage: { inputTokens: 1_000, outputTokens: 1_000 }, kind: 'chat' },
  {
    name: 'cached-100k',
    description: '100,000 input tokens of which 50% cache reads, 1,000 output tokens',
    usage: { inputTokens: 100_000, cacheReadTokens: 50_000, outputTokens: 1_000 },
    kind: 'chat',
    needsCacheRate: true,
  },
  {
    name: 'long-250k',
    description: '250,000 input and 1,000 output tokens (tiers above 128K and 200K), for models with a window that large',
    usage: { inputTokens: 250_000, outputTokens: 1_000 },
    kind: 'chat',
    minContext: 250_000,
  },
  {
    name: 'long-300k',
    description: '300,000 input and 1,000 output tokens (tiers above 272K), for models with a window that large',
    usage: { inputTokens: 300_000, outputTokens: 1_000 },
    kind: 'chat',
    minContext: 300_000,
  },
  { name: 'embed-1m', description: '1,000,000 input tokens of an embedding model', usage: { inputTokens: 1_000_000 }, kind: 'embeddings' },
];

/** One model and workload on which the two sources disagree. */
export interface PriceDisagreement {
  /** Provider and model as the other table names them. */
  provider: string;
  model: string;
  /** The price-book model the id resolved to. */
  matchedModel: string;
  workload: string;
  /** USD by the price book, or `undefined` when the book could not price it (see `reason`). */
  ours: number | undefined;
  /** USD by the other table. */
  theirs: number;
  /** `(ours - theirs) / theirs`; `Infinity` when theirs is 0, `NaN` when ours is unpriced. */
  relative: number;
  /** Why the book has no price for this workload (`no_price_for_unit`, ...). */
  reason?: string | undefined;
}

/** The result of `diffPriceBook`. */
export interface PriceDiff {
  /** Models of the other table the book resolved and compared. */
  compared: number;
  /** Model-and-workload pairs priced by both. */
  comparisons: number;
  disagreements: PriceDisagreement[];
  /** Models of the other table the book does not price at all. */
  missing: { provider: string; model: string }[];
}

/** Options of `diffPriceBook`. */
export interface DiffOptions {
  /** When the workloads are priced (dated prices); default now. */
  at?: Date | undefined;
  workloads?: readonly Workload[] | undefined;
  /** Only these providers (any accepted spelling). */
  provider?: string | undefined;
}

/** Differences smaller than this (USD) are rounding, not disagreement. */
const EPSILON_USD = 1e-9;

function upstreamRate(base: number | undefined, entry: ReferenceEntry, key: 'input' | 'output' | 'cacheRead'): unknown {
  if (base === undefined) return undefined;
  const tiers = (entry.tiers ?? []).filter((t) => t[key] !== undefined).map((t) => ({ start: t.above, price: t[key] as number }));
  return tiers.length === 0 ? base : { base, tiers };
}

/** The other table as a price book of its own (no supplement, no overrides). */
export function referenceBook(table: ReferenceTable): PriceBook {
  const providers = new Map<string, { id: string; name: string; models: unknown[]; seen: Set<string> }>();
  for (const entry of table.entries) {
    const id = providerRef(entry.provider).dataId;
    let provider = providers.get(id);
    if (provider === undefined) {
      provider = { id, name: entry.provider, models: [], seen: new Set() };
      providers.set(id, provider);
    }
    if (provider.seen.has(entry.model.toLowerCase())) continue; // first row wins, as in the book
    provider.seen.add(entry.model.toLowerCase());
    const prices: Record<string, unknown> = { input_mtok: upstreamRate(entry.input, entry, 'input') };
    if (entry.output !== undefined) prices.output_mtok = upstreamRate(entry.output, entry, 'output');
    if (entry.cacheRead !== undefined) prices.cache_read_mtok = upstreamRate(entry.cacheRead, entry, 'cacheRead');
    if (entry.cacheWrite !== undefined) prices.cache_write_mtok = entry.cacheWrite;
    const model: Record<string, unknown> = { id: entry.model, match: { equals: entry.model }, prices };
    if (entry.contextWindow !== undefined) model.context_window = entry.contextWindow;
    provider.models.push(model);
  }
  const list = [...providers.values()].map(({ id, name, models }) => ({ id, name, models }));
  const problems = { doc: inlineDoc(list, table.file), errors: [] };
  const data = readPriceData(problems, 'prices_file');
  return new PriceBook(stateFromData({ ...data, version: `reference:${table.format}` }));
}

/**
 * Prices each model of `table` in `book` and in the table itself on the standard workloads, and
 * lists every disagreement (sorted by provider, model, workload). Never throws for a model the book
 * lacks: it is listed under `missing`.
 */
export function diffPriceBook(book: PriceBook, table: ReferenceTable, opts: DiffOptions = {}): PriceDiff {
  const theirsBook = referenceBook(table);
  const workloads = opts.workloads ?? STANDARD_WORKLOADS;
  const at = opts.at ?? new Date();
  const only = opts.provider === undefined ? undefined : providerRef(opts.provider).dataId;
  const result: PriceDiff = { compared: 0, comparisons: 0, disagreements: [], missing: [] };
  const done = new Set<string>();
  for (const entry of table.entries) {
    const dataId = providerRef(entry.provider).dataId;
    if (only !== undefined && dataId !== only) continue;
    const key = `${dataId}\u0000${entry.model.toLowerCase()}`;
    if (done.has(key)) continue;
    done.add(key);
    const ours = book.resolve(entry.model, entry.provider);
    if (ours === undefined) {
      result.missing.push({ provider: entry.provider, model: entry.model });
      continue;
    }
    result.compared++;
    const windows = [entry.contextWindow, ours.contextWindow].filter((w): w is number => w !== undefined);
    for (const w of workloads) {
      if ((w.kind === 'embeddings') !== entry.embedding) continue;
      if (w.needsCacheRate === true && entry.cacheRead === undefined) continue;
      if (w.minContext !== undefined && (windows.length === 0 || windows.some((x) => x < (w.minContext as number)))) continue;
      const theirs = theirsBook.price(w.usage, { provider: dataId, model: entry.model, at });
      if (!theirs.priced) continue;
      result.comparisons++;
      const mine = book.price(w.usage, { provider: entry.provider, model: entry.model, at });
      const base = { provider: entry.provider, model: entry.model, matchedModel: ours.model, workload: w.name, theirs: theirs.amount };
      if (!mine.priced) {
        result.disagreements.push({ ...base, ours: undefined, relative: NaN, reason: mine.reason });
        continue;
      }
      if (Math.abs(mine.amount - theirs.amount) <= EPSILON_USD) continue;
      const relative = theirs.amount === 0 ? Infinity : (mine.amount - theirs.amount) / theirs.amount;
      result.disagreements.push({ ...base, ours: mine.amount, relative });
    }
  }
  const order = (w: string) => workloads.findIndex((x) => x.name === w);
  result.disagreements.sort(
    (a, b) => a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model) || order(a.workload) - order(b.workload),
  );
  return result;
}
