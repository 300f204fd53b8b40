import { join } from 'node:path';
import type { PriceBookLike } from '@tokenomics/contract/price-book';
import {
  applyOverlay,
  cachedIds,
  checkGlobs,
  compiledModel,
  fillModels,
  modelsFor,
  providerGroup,
  stateFromData,
  unknownProvider,
  type BookModel,
  type BookProvider,
  type BookState,
} from './book-state';
import { amountWithoutCache, computeCost, unpriced, type PricingTarget } from './cost';
import { modelConflict } from './model-identity';
import { modelNameForms } from './model-names';
import { readOverlay, type Overlay, type OverlayDiscount } from './overlay';
import { isPriceData, readPriceData, type PriceData } from './price-data';
import { providerRef, reportedId } from './provider-ids';
import type { PriceFileError } from './price-file-error';
import type { Problems } from './rate-fields';
import { SERVICE_TIERS, TOKEN_UNITS, type Rate, type RawRates, type TokenUnit } from './rates';
import { serviceTierIndex } from './service-tiers';
import { fieldError, inlineDoc, readSourceDoc, type SourceDoc } from './source-doc';
import type { CacheSavings, Cost, ModelInfo, PriceOptions, RateCard, ResolvedModel, ServiceTier, UnpricedReason, Usage } from './types';

/** Options of `PriceBook.load()`. */
export interface PriceBookLoadOptions {
  /**
   * A price data file replacing the bundled snapshot (a genai-prices `data.json` provider list or a
   * snapshot in our format), or a user price file in the override format layered over it.
   */
  pricesFile?: string | undefined;
  /** A YAML or JSON override file: custom models, aliases, discounts, replacement rates. */
  overridesFile?: string | undefined;
  /** Overrides as an object, in the same format as an override file; applied last. */
  overrides?: object | undefined;
  /**
   * Called with each warning about the files (an entry that loads but may not do what was meant,
   * such as a new model named next to a listed one); errors throw instead.
   */
  onWarning?: ((warning: PriceFileError) => void) | undefined;
}

/** Directory of the bundled data files (next to `src/` and `dist/`). */
const DATA_DIR = join(__dirname, '..', 'data');

/** Most model strings remembered per book before the resolution cache starts over. */
const CACHE_LIMIT = 10_000;

interface Hit {
  hit: true;
  viaAlias: boolean;
  resolved: ResolvedModel;
  target: PricingTarget;
  entry: BookModel;
}

interface Miss {
  hit: false;
  reason: UnpricedReason;
  detail: string;
}

type Resolution = Hit | Miss;

let bundledData: PriceData | undefined;
let supplement: Overlay | undefined;
let bundledBook: PriceBook | undefined;

function throwFirst(p: Problems): void {
  if (p.errors.length > 0) throw p.errors[0];
}

function loadBundledData(): PriceData {
  if (!bundledData) {
    const p: Problems = { doc: readSourceDoc(join(DATA_DIR, 'genai-prices.json')), errors: [] };
    // Each provider's models are compiled on first use (the data is checked by the package's tests).
    const data = readPriceData(p, 'bundled', true);
    throwFirst(p);
    bundledData = data;
  }
  return bundledData;
}

function loadSupplement(): Overlay {
  if (!supplement) {
    const p: Problems = { doc: readSourceDoc(join(DATA_DIR, 'supplement.json')), errors: [] };
    const overlay = readOverlay(p, 'supplement');
    throwFirst(p);
    supplement = overlay;
  }
  return supplement;
}

/** A document layered over the data, with the problems found in it. */
export interface Layer {
  overlay: Overlay;
  problems: Problems;
}

/**
 * A versioned price book: model resolution and exact cost of usage records. Build one with
 * `PriceBook.bundled()` (the offline snapshot) or `PriceBook.load()` (with a newer data file and
 * user overrides). Instances are immutable; resolutions are cached per model string.
 *
 * ```ts
 * const book = PriceBook.bundled();
 * const cost = book.price({ inputTokens: 1200, outputTokens: 300 }, { provider: 'openai', model: 'gpt-4o' });
 * if (cost.priced) console.log(cost.amount, cost.breakdown);
 * ```
 */
export class PriceBook implements PriceBookLike {
  /** Version of the price data: source snapshot plus each layer (`genai-prices@0.1.8+supplement.2026-12-06`). */
  readonly version: string;
  private readonly state: BookState;
  private readonly cache = new Map<string, Map<string, Resolution>>();
  private cacheSize = 0;
  // The last model strings priced and what they resolved to (a resolution never changes).
  private lastModel: string | undefined;
  private lastResponse: string | undefined;
  private lastProvider: string | undefined;
  private lastResolution: Resolution | undefined;

  /** @internal Use `PriceBook.bundled()` or `PriceBook.load()`. */
  constructor(state: BookState) {
    this.state = state;
    this.version = state.version;
  }

  /** The bundled offline snapshot with the bundled supplement. Built on first use, then shared. */
  static bundled(): PriceBook {
    bundledBook ??= buildBook(loadBundledData(), []);
    return bundledBook;
  }

  /**
   * Builds a book from the bundled data (or `pricesFile`) and overrides. Throws `PriceFileError`
   * naming file, line, field, value and what is accepted when a file is unreadable or invalid.
   */
  static load(opts: PriceBookLoadOptions = {}): PriceBook {
    let data = loadBundledData();
    const layers: Layer[] = [];
    if (opts.pricesFile !== undefined) {
      const doc = readSourceDoc(opts.pricesFile);
      const problems: Problems = { doc, errors: [] };
      if (isPriceData(doc.value)) {
        data = readPriceData(problems, 'prices_file');
        throwFirst(problems);
      } else {
        const overlay = readOverlay(problems, 'prices_file');
        throwFirst(problems);
        layers.push({ overlay, problems });
      }
    }
    if (opts.overridesFile !== undefined) layers.push(overlayLayer(readSourceDoc(opts.overridesFile)));
    if (opts.overrides !== undefined) layers.push(overlayLayer(inlineDoc(opts.overrides)));
    if (opts.pricesFile === undefined && layers.length === 0) return PriceBook.bundled();
    const book = buildBook(data, layers);
    if (opts.onWarning) for (const layer of layers) for (const w of layer.problems.warnings ?? []) opts.onWarning(w);
    return book;
  }

  /**
   * Cost of one call. Never throws: an unknown provider or model, a missing tier or unit price,
   * or invalid usage comes back as `{ priced: false, reason, detail }` (never as $0).
   */
  price(usage: Usage, opts: PriceOptions): Cost {
    if (opts === null || typeof opts !== 'object') return unpriced('unknown_model', 'no model given', this.version, false);
    const estimated = opts.estimated === true;
    const resolution = this.target(opts);
    if (!resolution.hit) return unpriced(resolution.reason, resolution.detail, this.version, estimated);
    const tier = serviceTierIndex(opts.serviceTier);
    if (tier < 0) {
      return unpriced(
        'no_price_for_tier',
        `unknown service tier "${String(opts.serviceTier)}"; accepted: standard, batch, flex, priority`,
        this.version,
        estimated,
        resolution.target,
      );
    }
    const t = instantOf(opts.at);
    const op = opts.operation;
    const window = op !== undefined && op !== 'embeddings' ? resolution.target.contextWindow : undefined;
    return computeCost(resolution.target, usage, tier, t, estimated, this.version, window);
  }

  /**
   * What the prompt cache of a call saved, and what its cache writes cost extra, given its cost
   * `actual` (`price(usage, opts)`); see {@link CacheSavings}. The same figures as pricing the call
   * again with the cache reads (or writes) left out of `usage` and taking the difference from
   * `actual.amount`, computed from the rates the call resolves to without building a second usage
   * or cost. `undefined` when `actual` is unpriced, the call read and wrote no cache, or a
   * counterfactual could not be priced. Never throws.
   */
  cacheSavings(usage: Usage, opts: PriceOptions, actual: Cost): CacheSavings | undefined {
    if (actual === null || typeof actual !== 'object' || actual.priced !== true) return undefined;
    if (usage === null || typeof usage !== 'object' || opts === null || typeof opts !== 'object') return undefined;
    const reads = usage.cacheReadTokens ?? 0;
    const writes = (usage.cacheWriteTokens ?? 0) + (usage.cacheWrite1hTokens ?? 0);
    if (!(reads > 0) && !(writes > 0)) return undefined;
    try {
      const resolution = this.target(opts);
      if (!resolution.hit) return undefined;
      const tier = serviceTierIndex(opts.serviceTier);
      if (tier < 0) return undefined;
      const t = instantOf(opts.at);
      const op = opts.operation;
      const target = resolution.target;
      const window = op !== undefined && op !== 'embeddings' ? target.contextWindow : undefined;
      let savings = 0;
      if (reads > 0) {
        const uncached = amountWithoutCache(target, usage, tier, t, window, true);
        if (uncached !== uncached) return undefined;
        savings = nonNegative(uncached - actual.amount);
      }
      let writePremium = 0;
      if (writes > 0) {
        const unwritten = amountWithoutCache(target, usage, tier, t, window, false);
        if (unwritten !== unwritten) return undefined;
        writePremium = nonNegative(actual.amount - unwritten);
      }
      return { savings, writePremium };
    } catch {
      return undefined;
    }
  }

  /**
   * The price-book entry a model string resolves to, or `undefined`. `provider` is a
   * `gen_ai.provider.name` value (other common spellings are accepted); without it every provider
   * is searched, first-party providers first. Results are cached.
   */
  resolve(model: string, provider?: string): ResolvedModel | undefined {
    const r = this.lookup(model, provider);
    return r.hit ? r.resolved : undefined;
  }

  /** Models of one provider (or all), with their current standard rates. */
  list(provider?: string): ModelInfo[] {
    let providers: BookProvider[];
    let reportAs: string | undefined;
    if (provider === undefined) providers = this.state.ordered;
    else {
      const ref = providerRef(provider);
      const p = this.state.providers.get(ref.dataId);
      providers = p ? [p] : [];
      reportAs = ref.reportAs;
    }
    const now = Date.now();
    const out: ModelInfo[] = [];
    for (const p of providers) {
      for (const m of p.models) out.push(modelInfo(m, reportAs ?? reportedId(p.id), p, now));
    }
    return out;
  }

  /**
   * Compiles now the models of `provider` (any accepted spelling) and of the providers it serves
   * models of, rather than on the first look-up that searches them: the bundled book compiles a
   * provider's models on first use. Prices and resolutions are the same either way. Does nothing
   * for a provider the book does not know.
   */
  warm(provider: string): void {
    const addressed = this.state.providers.get(providerRef(provider).dataId);
    if (addressed === undefined) return;
    for (const p of providerGroup(this.state, addressed.id)) fillModels(p);
  }

  /** Whether the book knows a provider (any accepted spelling). */
  hasProvider(provider: string): boolean {
    return this.state.providers.has(providerRef(provider).dataId);
  }

  private target(opts: PriceOptions): Resolution {
    const model = opts.model;
    const provider = opts.provider;
    const response = opts.responseModel;
    // Calls of an app name the same few models: the last answer is compared before any hashing.
    if (model === this.lastModel && response === this.lastResponse && provider === this.lastProvider && this.lastResolution !== undefined) {
      return this.lastResolution;
    }
    const primary = this.lookup(model, provider);
    let resolution = primary;
    if (!(response === undefined || response === model || (primary.hit && primary.viaAlias))) {
      const secondary = this.lookup(response, provider);
      if (secondary.hit) resolution = secondary;
    }
    if (
      typeof model === 'string' &&
      (response === undefined || typeof response === 'string') &&
      (provider === undefined || typeof provider === 'string')
    ) {
      this.lastModel = model;
      this.lastResponse = response;
      this.lastProvider = provider;
      this.lastResolution = resolution;
    }
    return resolution;
  }

  private lookup(model: string, provider: string | undefined): Resolution {
    if (typeof model !== 'string') return { hit: false, reason: 'unknown_model', detail: 'no model given' };
    const key = provider ?? '';
    let byModel = this.cache.get(key);
    if (byModel === undefined) {
      byModel = new Map();
      this.cache.set(key, byModel);
    }
    let r = byModel.get(model);
    if (r === undefined) {
      r = this.lookupUncached(model, provider, true);
      if (++this.cacheSize > CACHE_LIMIT) {
        this.cache.clear();
        this.cacheSize = 1;
        byModel = new Map();
        this.cache.set(key, byModel);
      }
      byModel.set(model, r);
    }
    return r;
  }

  private lookupUncached(input: string, providerSpelling: string | undefined, allowAlias: boolean): Resolution {
    const trimmed = input.trim();
    if (trimmed === '') return { hit: false, reason: 'unknown_model', detail: 'empty model string' };
    const given = providerSpelling !== undefined && providerSpelling.trim() !== '';
    const ref = given ? providerRef(providerSpelling as string) : undefined;
    const addressed = ref ? this.state.providers.get(ref.dataId) : undefined;

    if (allowAlias) {
      const aliases = this.state.aliases.get(trimmed.toLowerCase());
      if (aliases) {
        for (const a of aliases) {
          if (a.provider !== undefined && (ref === undefined || providerRef(a.provider).dataId !== ref.dataId)) continue;
          const r = this.lookupUncached(a.model, a.targetProvider ?? providerSpelling, false);
          if (!r.hit) return { hit: false, reason: r.reason, detail: `alias "${trimmed}" points to "${a.model}": ${r.detail}` };
          const resolved: ResolvedModel = { ...r.resolved, input: trimmed, matchedAs: a.model, matchedBy: 'alias' };
          const target: PricingTarget = {
            ...r.target,
            discounts: this.discountsFor(r.entry, r.target.provider, [r.resolved.model, trimmed, a.model]),
          };
          return { hit: true, viaAlias: true, resolved, target, entry: r.entry };
        }
      }
    }
    if (ref !== undefined && addressed === undefined) {
      return { hit: false, reason: 'unknown_provider', detail: `provider "${providerSpelling}" is not in the price book` };
    }
    const { forms, hints } = modelNameForms(trimmed);
    const lowers = forms.map((f) => f.toLowerCase());
    // A rule that matches loosely (not naming the string itself) must not price another version.
    let rejected: string | undefined;
    const find = (p: BookProvider, i: number): BookModel | undefined => {
      const raw = forms[i];
      const lower = lowers[i];
      const models = modelsFor(p, lower);
      for (let j = 0; j < models.length; j++) {
        const m = models[j];
        if (!m.match(raw, lower)) continue;
        if (lower === m.id.toLowerCase() || m.literals?.has(lower) === true) return m;
        const conflict = modelConflict(trimmed, m.id);
        if (conflict === undefined) return m;
        // A prefix rule names a family in its own words (`gemini-2.5-flash-native-audio-preview`
        // for gemini-live-2.5-flash): the string is checked against the prefix it matched.
        if (m.prefixes?.some((prefix) => lower.startsWith(prefix) && modelConflict(trimmed, prefix) === undefined) === true) return m;
        rejected ??= `"${trimmed}" matches the rules of "${m.id}" but names another model (${conflict})`;
      }
      return undefined;
    };
    const miss = (where: string): Miss => ({
      hit: false,
      reason: 'unknown_model',
      detail: `no price for model "${trimmed}" ${where}${rejected === undefined ? '' : `: ${rejected}`}`,
    });

    if (addressed !== undefined && ref !== undefined) {
      const group = [addressed];
      for (const id of addressed.fallback) {
        const f = this.state.providers.get(id);
        if (f) group.push(f);
      }
      for (let i = 0; i < forms.length; i++) {
        for (const p of group) {
          const m = find(p, i);
          if (m) return this.hit(m, addressed, ref.reportAs, trimmed, forms[i], i);
        }
      }
      return miss(`under provider "${providerSpelling}"`);
    }

    // No provider: user models, then hinted providers, then providers claiming the name, then all.
    for (let i = 0; i < forms.length; i++) {
      for (const m of this.state.custom)
        if (m.match(forms[i], lowers[i])) return this.hit(m, undefined, reportedId(m.provider.id), trimmed, forms[i], i);
    }
    const searched = new Set<BookProvider>();
    for (const h of hints) {
      const p = this.state.providers.get(providerRef(h).dataId);
      if (!p || searched.has(p)) continue;
      searched.add(p);
      for (let i = 0; i < forms.length; i++) {
        const m = find(p, i);
        if (m) return this.hit(m, undefined, reportedId(p.id), trimmed, forms[i], i);
      }
    }
    const claimed = this.state.ordered.filter(
      (p) =>
        !searched.has(p) &&
        p.modelMatch !== undefined &&
        forms.some((f, i) => (p.modelMatch as (a: string, b: string) => boolean)(f, lowers[i])),
    );
    const rest = this.state.ordered.filter((p) => !searched.has(p) && !claimed.includes(p));
    for (const group of [claimed, rest]) {
      for (let i = 0; i < forms.length; i++) {
        for (const p of group) {
          const m = find(p, i);
          if (m) return this.hit(m, undefined, reportedId(p.id), trimmed, forms[i], i);
        }
      }
    }
    return miss('under any provider');
  }

  private hit(
    model: BookModel,
    addressed: BookProvider | undefined,
    reportAs: string,
    input: string,
    matchedAs: string,
    formIndex: number,
  ): Hit {
    const resolved: ResolvedModel = {
      provider: reportAs,
      model: model.id,
      input,
      matchedAs,
      matchedBy: formIndex === 0 ? 'exact' : 'normalized',
      source: model.source,
    };
    if (model.name !== undefined) resolved.name = model.name;
    if (model.contextWindow !== undefined) resolved.contextWindow = model.contextWindow;
    const target: PricingTarget = {
      provider: reportAs,
      model: model.id,
      compiled: compiledModel(model, addressed),
      discounts: this.discountsFor(model, reportAs, [model.id, input, matchedAs]),
    };
    if (model.contextWindow !== undefined) target.contextWindow = model.contextWindow;
    return { hit: true, viaAlias: false, resolved, target, entry: model };
  }

  private discountsFor(model: BookModel | undefined, reportAs: string, names: string[]): OverlayDiscount[] | null {
    if (this.state.discounts.length === 0 || model === undefined) return null;
    const providerIds = new Set([model.provider.id, providerRef(reportAs).dataId]);
    const lowers = names.map((n) => n.toLowerCase());
    const found = this.state.discounts.filter(
      (d) => (d.provider === undefined || providerIds.has(providerRef(d.provider).dataId)) && names.some((n, i) => d.model(n, lowers[i])),
    );
    return found.length > 0 ? found : null;
  }
}

/** The instant `at` names, in ms since the epoch; now when it is absent or not a valid date. */
function instantOf(at: PriceOptions['at']): number {
  const t =
    at === undefined
      ? Date.now()
      : at instanceof Date
        ? at.getTime()
        : typeof at === 'number'
          ? at
          : typeof at === 'string'
            ? Date.parse(at)
            : NaN;
  return t === t ? t : Date.now();
}

function nonNegative(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/**
 * Builds a book: data, the bundled supplement, then each layer. Problems go to each layer's list;
 * with `throwOnProblem` the first one is thrown. Aliases must resolve once all layers are applied.
 */
export function buildBook(data: PriceData, layers: Layer[], throwOnProblem = true): PriceBook {
  const state = stateFromData(data);
  applyOverlay(state, loadSupplement(), { doc: inlineDoc(null, 'supplement.json'), errors: [] });
  for (const layer of layers) {
    applyOverlay(state, layer.overlay, layer.problems);
    if (throwOnProblem) throwFirst(layer.problems);
  }
  const book = new PriceBook(state);
  for (const layer of layers) checkAgainstBook(book, state, layer, throwOnProblem);
  return book;
}

/**
 * Checks a layer's aliases and discounts against the finished book: an alias must resolve, and a
 * discount's provider and model globs must match something, else it would silently never apply.
 */
function checkAgainstBook(book: PriceBook, state: BookState, layer: Layer, throwOnProblem: boolean): void {
  const p = layer.problems;
  if (throwOnProblem) throwFirst(p);
  for (const alias of layer.overlay.aliases) {
    if (throwOnProblem) throwFirst(p);
    let providerOk = true;
    for (const [key, provider] of [
      ['provider', alias.provider],
      ['target_provider', alias.targetProvider],
    ] as const) {
      if (provider !== undefined && !state.providers.has(providerRef(provider).dataId)) {
        unknownProvider(state, p, [...alias.path, key], provider);
        providerOk = false;
      }
    }
    if (!providerOk) continue;
    if (book.resolve(alias.model, alias.targetProvider ?? alias.provider) === undefined) {
      p.errors.push(
        fieldError(
          p.doc,
          [...alias.path, 'model'],
          alias.model,
          'a model the price book resolves (see `tokenomics prices list`) or a custom model defined under models',
          `does not resolve to a model${(alias.targetProvider ?? alias.provider) ? ` of provider "${alias.targetProvider ?? alias.provider}"` : ''} in the price book`,
        ),
      );
    }
  }
  const ids = new Map<string, string[]>();
  for (const d of layer.overlay.discounts) {
    if (throwOnProblem) throwFirst(p);
    let providerIds: string[];
    if (d.provider === undefined) providerIds = cachedIds(ids, '*', () => state.ordered);
    else {
      const id = providerRef(d.provider).dataId;
      if (!state.providers.has(id)) {
        unknownProvider(state, p, [...d.path, 'provider'], d.provider);
        continue;
      }
      providerIds = cachedIds(ids, id, () => providerGroup(state, id));
    }
    // A literal name may be a model string the book resolves, or an alias, rather than an id.
    const resolves = (glob: string) =>
      state.aliases.has(glob.toLowerCase()) || (!/[*?]/.test(glob) && book.resolve(glob, d.provider) !== undefined);
    checkGlobs(p, [...d.path, 'model'], d.globs, providerIds, d.provider, resolves);
  }
  if (throwOnProblem) throwFirst(p);
}

function overlayLayer(doc: SourceDoc): Layer {
  const problems: Problems = { doc, errors: [] };
  const overlay = readOverlay(problems, 'overrides');
  throwFirst(problems);
  return { overlay, problems };
}

/** Builds the layer for an override document without throwing (for validation). */
export function checkLayer(doc: SourceDoc): Layer {
  const problems: Problems = { doc, errors: [] };
  return { overlay: readOverlay(problems, 'overrides'), problems };
}

/** The bundled price data (parsed once). */
export function bundledPriceData(): PriceData {
  return loadBundledData();
}

const CARD_KEYS: Record<TokenUnit, keyof RateCard> = {
  input: 'input',
  cache_read: 'cacheRead',
  cache_write: 'cacheWrite',
  cache_write_1h: 'cacheWrite1h',
  input_audio: 'inputAudio',
  input_image: 'inputImage',
  output: 'output',
  reasoning: 'reasoning',
  output_audio: 'outputAudio',
  output_image: 'outputImage',
};

function rateValue(rate: Rate, threshold: number): number {
  if (typeof rate === 'number') return rate;
  let v = rate.base;
  for (const t of rate.tiers) if (t.start <= threshold) v = t.price;
  return v;
}

function rateCard(raw: RawRates, threshold: number): RateCard {
  const card: RateCard = {};
  for (const u of TOKEN_UNITS) {
    const r = raw[u];
    if (r !== undefined) (card as Record<string, number>)[CARD_KEYS[u]] = rateValue(r, threshold);
  }
  if (raw.request !== undefined) card.request = raw.request;
  if (raw.requests !== undefined && Object.keys(raw.requests).length > 0) card.requests = { ...raw.requests };
  return card;
}

function modelInfo(m: BookModel, reportAs: string, addressed: BookProvider, now: number): ModelInfo {
  let period = m.periods[0];
  for (let i = m.periods.length - 1; i >= 0; i--) {
    const p = m.periods[i];
    if (p.timeOfDay) continue;
    if (p.from === undefined || now >= p.from) {
      period = p;
      break;
    }
  }
  const raw = period.rates;
  const starts = new Set<number>();
  for (const u of TOKEN_UNITS) {
    const r = raw[u];
    if (r !== undefined && typeof r !== 'number') for (const t of r.tiers) starts.add(t.start);
  }
  const compiled = compiledModel(m, addressed);
  const ladders = compiled.periods[m.periods.indexOf(period)]?.ladders ?? compiled.periods[0].ladders;
  const serviceTiers = SERVICE_TIERS.filter((_, i) => ladders[i] !== null) as ServiceTier[];
  const info: ModelInfo = {
    provider: reportAs,
    model: m.id,
    rates: rateCard(raw, -1),
    serviceTiers,
    dated: m.periods.length > 1 || m.strictFrom !== undefined,
    source: m.source,
  };
  if (m.name !== undefined) info.name = m.name;
  if (m.contextWindow !== undefined) info.contextWindow = m.contextWindow;
  if (starts.size > 0) info.longContext = [...starts].sort((a, b) => a - b).map((above) => ({ above, rates: rateCard(raw, above) }));
  return info;
}
