import { diag, type Attributes, type MeterProvider } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Cost, PriceOptions } from '@tokenomics/pricing/types';
import * as A from './attribute-names';
import { pricedAttributes, shadowAttributes, unpricedAttributes } from './cost-attributes';
import { EnrichedSpan } from './enriched-span';
import {
  isGenAiSpan,
  readGenAiCall,
  readOwnCallTotals,
  showsCacheCount,
  type CallTotals,
  type GenAiCall,
  type SpanReading,
} from './genai-call';
import { InvalidValueReporter } from './invalid-values';
import { defaultPriceBook, modelOptions, type PriceBookLike } from './price-book';
import { RecentCalls } from './recent-calls';
import { SelfMetrics, type SpanOutcome } from './self-metrics';

/** Options shared by the span exporter and the span processor wrappers. */
export interface CostEnrichmentOptions {
  /**
   * Price book to price calls with. Defaults to `getPriceBook()` from `@tokenomics/pricing` (the
   * bundled snapshot plus user overrides). Anything with `version` and `price(usage, opts)` works.
   */
  priceBook?: PriceBookLike;
  /**
   * How many recent GenAI spans to remember for spotting two spans of one call (a vendor SDK's span
   * around or inside another instrumentation's). Least recently used are forgotten first.
   * Default 10 000; 0 turns de-duplication off.
   */
  dedupeCapacity?: number;
  /**
   * What to do with spans another source already priced with its own attribute (OpenLIT's
   * `gen_ai.usage.cost`). `'annotate'` (default): keep theirs, add ours under `tokenomics.*`
   * (`tokenomics.price_book.cost` and the breakdown). `'keep'`: pass them through untouched.
   */
  foreignCost?: 'annotate' | 'keep';
  /** MeterProvider for the exporter's own counters. Defaults to the global one. */
  meterProvider?: MeterProvider;
}

/** What {@link SpanCostEnricher.enrichAttributes} adds to one span. */
export interface SpanEnrichment {
  /** Attributes to add (cost, unpriced verdict or duplicate mark); they replace keys of the same name. */
  readonly attributes: Attributes;
  /** The model call as read from the span, when it was read as one. */
  readonly call?: GenAiCall;
  /**
   * `true` when the call was priced but its span shows no cache count (see `showsCacheCount`) while
   * the model's cached input is priced differently: the input cost (priced uncached, an upper
   * bound) is an estimate, and the attributes flag the span `tokenomics.usage.estimated`.
   */
  readonly cacheShareUnknown?: boolean;
}

/** Default of {@link CostEnrichmentOptions.dedupeCapacity}. */
export const DEFAULT_DEDUPE_CAPACITY = 10_000;

/**
 * `untouched`: not GenAI, exported as is. `already_priced`: carries a cost or an unpriced verdict,
 * exported as is and remembered for de-duplication. `pending`: needs pricing (or annotating).
 */
type State = 'untouched' | 'already_priced' | 'pending';

/** What a call is priced with. */
interface PricingInputs {
  readonly book: PriceBookLike;
  readonly options: PriceOptions;
}

/** A call that cannot be priced before the book is asked. */
type Unpriceable = { priced: false; reason: string; priceBookVersion: string; invalidReason?: string };

interface Pending {
  readonly index: number;
  readonly span: ReadableSpan;
  readonly reading: SpanReading;
  readonly foreignPriced: boolean;
}

/**
 * Prices GenAI spans that lack cost and returns lightweight views with the cost attributes added;
 * the engine behind {@link CostEnrichingSpanExporter} and {@link createCostEnrichingSpanProcessor}.
 * Never throws: on any internal failure the spans are returned unchanged and the failure goes to
 * `diag`.
 */
export class SpanCostEnricher {
  private priceBook: PriceBookLike | undefined;
  private priceBookLoaded: boolean;
  private readonly recent: RecentCalls;
  private readonly foreignCost: 'annotate' | 'keep';
  private readonly selfMetrics: SelfMetrics;
  private readonly reporter: InvalidValueReporter;
  /** Set by {@link enrichOne}: the attributes it returned flag an unknown cache share. */
  private lastCacheShareUnknown = false;
  /** Filled by `readOwnCallTotals` for each already-priced span of the hook. */
  private readonly totals: CallTotals = { inputTokens: 0, outputTokens: 0, requestModel: undefined, responseModel: undefined };

  constructor(options: CostEnrichmentOptions = {}) {
    this.priceBook = options.priceBook;
    this.priceBookLoaded = options.priceBook !== undefined;
    this.recent = new RecentCalls(Math.max(0, Math.floor(options.dedupeCapacity ?? DEFAULT_DEDUPE_CAPACITY)));
    this.foreignCost = options.foreignCost ?? 'annotate';
    this.selfMetrics = new SelfMetrics(options.meterProvider);
    this.reporter = new InvalidValueReporter((attribute, problem) => this.selfMetrics.countInvalid(attribute, problem));
  }

  /**
   * Enrich one batch. Returns the input array itself when no span changed, otherwise a new array in
   * the same order where changed spans are {@link EnrichedSpan} views and the rest are the originals.
   */
  enrich(spans: ReadableSpan[]): ReadableSpan[] {
    try {
      const added = this.enrichBatch(spans);
      if (added === undefined) return spans;
      const out = spans.slice();
      for (const [index, { attributes }] of added) out[index] = new EnrichedSpan(spans[index], attributes);
      return out;
    } catch (err) {
      diag.error('@tokenomics/exporter: enrichment failed; exporting the batch unchanged', err);
      return spans;
    }
  }

  /**
   * The same enrichment as {@link enrich}, returning only what it adds: for each changed span (by
   * index in `spans`) the attributes to add and, when the span was read as a model call, the call.
   * `undefined` when nothing changes. For callers that write spans themselves (the collector stage
   * appends the attributes to the span's OTLP encoding). Never throws.
   */
  enrichAttributes(spans: ReadableSpan[]): Map<number, SpanEnrichment> | undefined {
    try {
      return this.enrichBatch(spans);
    } catch (err) {
      diag.error('@tokenomics/exporter: enrichment failed; exporting the batch unchanged', err);
      return undefined;
    }
  }

  private enrichBatch(spans: ReadableSpan[]): Map<number, SpanEnrichment> | undefined {
    const tally: Partial<Record<SpanOutcome, number>> = {};
    const bump = (outcome: SpanOutcome) => addOne(tally, outcome);
    let pending: Pending[] | undefined;

    // Pass 1: classify; remember spans that are already priced so that a duplicate of them later in
    // the batch (or in a later batch) is recognised whatever the order. One call per span: the
    // method is soon optimised, where this one, called once a batch, may long run unoptimised.
    for (let i = 0; i < spans.length; i++) {
      const p = this.firstPass(spans[i], i, tally);
      if (p !== undefined) (pending ??= []).push(p);
    }

    if (pending === undefined) {
      this.selfMetrics.countSpans(tally);
      return undefined;
    }

    // Pass 2: price, annotate or mark duplicates, in batch order.
    let out: Map<number, SpanEnrichment> | undefined;
    for (const p of pending) {
      this.lastCacheShareUnknown = false;
      const added = this.enrichOne(p, bump);
      if (added !== undefined) {
        const enrichment: SpanEnrichment =
          p.reading.kind !== 'call'
            ? { attributes: added }
            : this.lastCacheShareUnknown
              ? { attributes: added, call: p.reading.call, cacheShareUnknown: true }
              : { attributes: added, call: p.reading.call };
        (out ??= new Map()).set(p.index, enrichment);
      }
    }
    this.selfMetrics.countSpans(tally);
    return out;
  }

  /** Pass 1 of {@link enrichBatch} for one span: what is left to do in pass 2, if anything. */
  private firstPass(span: ReadableSpan, index: number, tally: Partial<Record<SpanOutcome, number>>): Pending | undefined {
    const attrs = span.attributes;
    const state = classify(attrs);
    if (state === 'untouched') return undefined;
    // Marked at the source as a second span of a call another span carries the cost of (the
    // AI SDK's own span of a model call the hook recorded): priced there, never here.
    if (state === 'pending' && attrs[A.ATTR_TOKENOMICS_DUPLICATE_OF] !== undefined) {
      addOne(tally, 'duplicate');
      return undefined;
    }
    const scopeName = span.instrumentationScope.name;
    if (state === 'already_priced' && readOwnCallTotals(attrs, scopeName, this.totals)) {
      // The hook's own span, read without the dialect walk (the same reading, see readOwnCallTotals).
      addOne(tally, 'already_priced');
      const t = this.totals;
      this.remember(span, t.inputTokens, t.outputTokens, t.requestModel, t.responseModel);
      return undefined;
    }
    const reading = readGenAiCall(attrs, scopeName, this.reporter.report);
    if (reading.kind === 'not_genai') return undefined;
    if (state === 'already_priced') {
      addOne(tally, 'already_priced');
      if (reading.kind === 'call') {
        const call = reading.call;
        this.remember(span, call.usage.inputTokens ?? NaN, call.usage.outputTokens ?? NaN, call.requestModel, call.responseModel);
      }
      return undefined;
    }
    if (reading.kind === 'skipped') {
      addOne(tally, 'skipped');
      return undefined;
    }
    return { index, span, reading, foreignPriced: typeof attrs[A.ATTR_OPENLIT_USAGE_COST] === 'number' };
  }

  private enrichOne({ span, reading, foreignPriced }: Pending, bump: (o: SpanOutcome) => void): Attributes | undefined {
    if (reading.kind === 'unusable') {
      if (foreignPriced && this.foreignCost === 'keep') {
        bump('foreign_priced');
        return undefined;
      }
      bump('unpriced');
      const attrs = unpricedAttributes(reading.reason, this.book()?.version);
      if (reading.invalidReason !== undefined) markInvalid(attrs, reading.invalidReason);
      return attrs;
    }
    if (reading.kind !== 'call') return undefined;

    const call = reading.call;
    const ctx = span.spanContext();
    const models = modelsOf(call.requestModel, call.responseModel);
    const input = call.usage.inputTokens ?? NaN;
    const output = call.usage.outputTokens ?? NaN;
    const same = this.recent.rememberUnlessSameCall(ctx.traceId, ctx.spanId, span.parentSpanContext?.spanId, input, output, models);
    if (same !== undefined) {
      bump('duplicate');
      return { [A.ATTR_TOKENOMICS_DUPLICATE_OF]: same };
    }

    if (foreignPriced && this.foreignCost === 'keep') {
      bump('foreign_priced');
      return undefined;
    }
    const inputs = this.pricingInputs(call, span);
    const cost = 'book' in inputs ? this.price(call, inputs) : inputs;
    if (!cost.priced) {
      bump('unpriced');
      const attrs = unpricedAttributes(cost.reason, cost.priceBookVersion || undefined);
      if (cost.reason === 'invalid_usage') markInvalid(attrs, ('invalidReason' in cost && cost.invalidReason) || 'invalid_usage');
      return attrs;
    }
    if (foreignPriced) {
      bump('annotated');
      return shadowAttributes(cost);
    }
    bump('enriched');
    const attrs = pricedAttributes(cost);
    if ('book' in inputs && this.cacheShareUnknown(call, span, inputs, cost.amount)) {
      attrs[A.ATTR_TOKENOMICS_USAGE_ESTIMATED] = true;
      this.lastCacheShareUnknown = true;
    }
    return attrs;
  }

  /**
   * Whether the priced call's input figure rests on a cache share its span does not show: no cache
   * count in any dialect, and the same call with its whole input read from cache is priced
   * differently. A price book fault counts as no.
   */
  private cacheShareUnknown(call: GenAiCall, span: ReadableSpan, inputs: PricingInputs, amount: number): boolean {
    const input = call.usage.inputTokens;
    if (input === undefined || !(input > 0) || showsCacheCount(span.attributes)) return false;
    try {
      // Not `{ ...usage, cacheReadTokens }`: adding a field to a spread copy gives every copy a hidden
      // class of its own, which then slows every later price look-up of the process.
      const allCached = Object.assign({}, call.usage);
      allCached.cacheReadTokens = input;
      const price = inputs.book.price(allCached, inputs.options);
      return !price.priced || price.amount !== amount;
    } catch {
      return false;
    }
  }

  /** The book and options a call is priced with (built once per span), or why it cannot be priced. */
  private pricingInputs(call: GenAiCall, span: ReadableSpan): PricingInputs | Unpriceable {
    const book = this.book();
    if (book === undefined) return { priced: false, reason: 'no_price_book', priceBookVersion: '' };
    const models = modelOptions(call.requestModel, call.responseModel);
    if (models === undefined) return { priced: false, reason: 'no_model', priceBookVersion: book.version };
    return { book, options: this.priceOptions(call, span, models) };
  }

  private price(call: GenAiCall, { book, options: opts }: PricingInputs): Cost | Unpriceable {
    const model = opts.responseModel ?? opts.model;
    try {
      const cost = book.price(call.usage, opts);
      if (cost.priced && !(Number.isFinite(cost.amount) && cost.amount >= 0)) {
        diag.warn(`@tokenomics/exporter: price book returned amount ${cost.amount} for ${model}; marking unpriced`);
        return { priced: false, reason: 'pricing_error', priceBookVersion: book.version };
      }
      return cost;
    } catch (err) {
      diag.warn(`@tokenomics/exporter: price book threw for model ${model}; marking unpriced`, err);
      return { priced: false, reason: 'pricing_error', priceBookVersion: book.version };
    }
  }

  private priceOptions(call: GenAiCall, span: ReadableSpan, models: PriceOptions): PriceOptions {
    // Built field by field, not by spreading `models`: this runs once per priced span.
    const opts: PriceOptions = { model: models.model, at: new Date(hrTimeToMilliseconds(span.startTime)) };
    if (models.responseModel !== undefined) opts.responseModel = models.responseModel;
    if (call.provider !== undefined) opts.provider = call.provider;
    if (call.operation !== undefined) opts.operation = call.operation;
    if (call.serviceTier !== undefined) opts.serviceTier = call.serviceTier;
    if (call.estimated) opts.estimated = true;
    return opts;
  }

  /** Remembers a span of a call for de-duplication. */
  private remember(
    span: ReadableSpan,
    input: number,
    output: number,
    requestModel: string | undefined,
    responseModel: string | undefined,
  ): void {
    if (this.recent.capacity === 0) return;
    const ctx = span.spanContext();
    this.recent.remember(ctx.traceId, ctx.spanId, span.parentSpanContext?.spanId, input, output, modelsOf(requestModel, responseModel));
  }

  private book(): PriceBookLike | undefined {
    if (!this.priceBookLoaded) {
      this.priceBookLoaded = true;
      this.priceBook = defaultPriceBook();
    }
    return this.priceBook;
  }
}

/** Counts one span of `outcome` in a batch's tally. */
function addOne(tally: Partial<Record<SpanOutcome, number>>, outcome: SpanOutcome): void {
  tally[outcome] = (tally[outcome] ?? 0) + 1;
}

/** Flags a call whose usage the exporter would not price, with the bounded reason. */
function markInvalid(attrs: Attributes, reason: string): void {
  attrs[A.ATTR_TOKENOMICS_USAGE_INVALID] = true;
  attrs[A.ATTR_TOKENOMICS_USAGE_INVALID_REASON] = reason;
}

function classify(attrs: Attributes): State {
  if (!isGenAiSpan(attrs)) return 'untouched';
  if (attrs[A.ATTR_GEN_AI_USAGE_COST_AMOUNT] !== undefined || attrs[A.ATTR_TOKENOMICS_UNPRICED] === true) {
    return 'already_priced';
  }
  return 'pending';
}

const NO_MODELS: readonly string[] = Object.freeze([]);
const MODEL_LISTS_LIMIT = 1024;
/**
 * The model list of a remembered call, one frozen array per request model (and response model
 * when it differs), up to a bound: the recent calls hold up to `dedupeCapacity` of them, and most
 * name the same few models.
 */
const modelLists = new Map<string, Map<string | undefined, readonly string[]>>();

/** The last model pair asked for and its list: consecutive spans mostly name the same models. */
let lastRequestModel: string | undefined;
let lastResponseModel: string | undefined;
let lastModels: readonly string[] = NO_MODELS;

function modelsOf(requestModel: string | undefined, response: string | undefined): readonly string[] {
  if (requestModel === lastRequestModel && response === lastResponseModel && requestModel !== undefined) return lastModels;
  const models = listOfModels(requestModel, response);
  lastRequestModel = requestModel;
  lastResponseModel = response;
  lastModels = models;
  return models;
}

function listOfModels(requestModel: string | undefined, response: string | undefined): readonly string[] {
  const responseModel = response === requestModel ? undefined : response;
  if (requestModel === undefined) return responseModel === undefined ? NO_MODELS : [responseModel];
  let byResponse = modelLists.get(requestModel);
  const hit = byResponse?.get(responseModel);
  if (hit !== undefined) return hit;
  const models = Object.freeze(responseModel === undefined ? [requestModel] : [requestModel, responseModel]);
  if (byResponse === undefined && modelLists.size < MODEL_LISTS_LIMIT) modelLists.set(requestModel, (byResponse = new Map()));
  if (byResponse !== undefined && byResponse.size < 16) byResponse.set(responseModel, models);
  return models;
}
