/**
 * The price book's contents: providers with their models, service-tier rules, aliases and
 * discounts, built from price data and layered overrides. Models compile their rates lazily.
 */
import { anyOf, compileGlob, globPrefixKeys, unionKeys, type Matcher } from './match-rules';
import type {
  OverlayAlias,
  OverlayDerivedRate,
  OverlayDiscount,
  Overlay,
  OverlayModel,
  OverlayTierRule,
  TierName,
  TierRule,
} from './overlay';
import { modelsPending, type DataModel, type DataProvider, type Period, type PriceData } from './price-data';
import { didYouMean, differOnlyInNumbering, nearest, nearestGlob } from './near-names';
import { knownSpellings, providerRef, searchRank } from './provider-ids';
import { compileLadder, mergeRates, scaleRate, type RateLadder, type RawRates } from './rates';
import { problem, warning, type Problems } from './rate-fields';
import { inlineDoc, type FieldPath } from './source-doc';
import type { PriceSource } from './types';

/** Rates of one period, compiled per service tier (`null`: tier not offered). */
export interface CompiledPeriod {
  from: number | undefined;
  timeOfDay: [number, number] | undefined;
  /** Dates bounding a time-of-day period (epoch ms; `undefined`: unbounded). */
  timeOfDayFrom?: number | undefined;
  timeOfDayUntil?: number | undefined;
  /** Indexed like `SERVICE_TIERS`: standard, batch, flex, priority. */
  ladders: (RateLadder | null)[];
}

/** A model's compiled periods for calls addressed to one provider. */
export interface CompiledModel {
  periods: CompiledPeriod[];
  /** No price before this instant (-Infinity when always priced). */
  strictFrom: number;
}

export interface BookProvider {
  id: string;
  name: string;
  modelMatch: Matcher | undefined;
  fallback: string[];
  models: BookModel[];
  byId: Map<string, BookModel>;
  /** Models that may match strings starting with a two-character prefix, in search order. */
  buckets: Map<string, BookModel[]>;
  /** Provider-wide tier rules, highest precedence first. */
  tierRules: OverlayTierRule[];
  /** Rates derived from other units for models lacking them, highest precedence first. */
  derivedRates: OverlayDerivedRate[];
  rank: number;
}

export interface BookModel extends DataModel {
  provider: BookProvider;
  /** Model-specific tier rules (override provider-wide ones). */
  tiers: Partial<Record<TierName, TierRule>>;
  /** Compiled rates by the id of the provider the call was addressed to. */
  compiled: Map<string, CompiledModel>;
}

export interface BookState {
  version: string;
  providers: Map<string, BookProvider>;
  /** Providers in provider-less search order. */
  ordered: BookProvider[];
  /** User-defined models, searched before the data when no provider is given. */
  custom: BookModel[];
  /** Aliases by lower-cased alias, highest precedence first. */
  aliases: Map<string, OverlayAlias[]>;
  /** Discounts, highest precedence first. */
  discounts: OverlayDiscount[];
}

const TIER_ORDER: TierName[] = ['batch', 'flex', 'priority'];

function newProvider(id: string, name: string, order: number): BookProvider {
  return {
    id,
    name,
    modelMatch: undefined,
    fallback: [],
    models: [],
    byId: new Map(),
    buckets: new Map(),
    tierRules: [],
    derivedRates: [],
    rank: searchRank(id, order),
  };
}

/**
 * Providers whose models are filled in on first use, with the overlay entries (of the bundled
 * supplement) to apply to them then. Reading `models` or `byId` fills them in.
 */
const pendingProviders = new WeakMap<BookProvider, PendingProvider>();

interface PendingProvider {
  fill: () => void;
  /** Overlay entries for this provider, applied when its models are filled in. */
  deferred: Overlay['models'];
  state: BookState | undefined;
}

/** Problems of deferred supplement entries: the supplement is ours and checked by its tests. */
const silent = (): Problems => ({ doc: inlineDoc(null, 'supplement.json'), errors: [] });

function copyModels(provider: BookProvider, dp: DataProvider): void {
  for (const dm of dp.models) {
    const model: BookModel = { ...dm, periods: dm.periods.map((p) => ({ ...p })), provider, tiers: {}, compiled: new Map() };
    provider.models.push(model);
    if (!provider.byId.has(dm.id.toLowerCase())) provider.byId.set(dm.id.toLowerCase(), model);
  }
}

/**
 * Builds a book state from price data (no overlays yet). A provider whose data models are not read
 * yet (the bundled data) gets its models when they are first used: a lookup addressed to one
 * provider fills in that provider and the ones it serves models of, nothing else.
 */
export function stateFromData(data: PriceData): BookState {
  const providers = new Map<string, BookProvider>();
  data.providers.forEach((dp, order) => {
    const provider = modelsPending(dp) ? providerFilledLater(dp, order) : newProvider(dp.id, dp.name, order);
    provider.modelMatch = dp.modelMatch;
    provider.fallback = dp.fallback;
    if (!modelsPending(dp)) copyModels(provider, dp);
    providers.set(dp.id, provider);
  });
  const state: BookState = { version: data.version, providers, ordered: [], custom: [], aliases: new Map(), discounts: [] };
  reorder(state);
  return state;
}

/** Fills in a provider's models now if they are not yet (see {@link stateFromData}). */
export function fillModels(provider: BookProvider): void {
  pendingProviders.get(provider)?.fill();
}

/**
 * A provider whose `models` and `byId` fill it in when first read. They are added as accessors to
 * an object without them, not turned into accessors: V8 keeps the object in its compact form
 * (changing a property's kind moves an object to a dictionary of its properties).
 */
function providerFilledLater(dp: DataProvider, order: number): BookProvider {
  const { models, byId, ...rest } = newProvider(dp.id, dp.name, order);
  const provider = rest as BookProvider;
  const fill = () => {
    const pending = pendingProviders.get(provider);
    if (pending === undefined) return;
    pendingProviders.delete(provider);
    for (const key of ['models', 'byId'] as const) {
      Object.defineProperty(provider, key, {
        value: key === 'models' ? models : byId,
        writable: true,
        configurable: true,
        enumerable: true,
      });
    }
    copyModels(provider, dp);
    if (pending.state !== undefined) applyModelEntries(pending.state, pending.deferred, 'supplement', undefined, silent());
  };
  pendingProviders.set(provider, { fill, deferred: [], state: undefined });
  Object.defineProperty(provider, 'models', MODELS_FILLED_LATER);
  Object.defineProperty(provider, 'byId', BY_ID_FILLED_LATER);
  return provider;
}

/**
 * `models` or `byId` of a provider not filled in yet: filling it in makes them plain values. One
 * pair of functions for every provider, so that V8 keeps the providers in its compact form (with
 * accessors of their own, each would become a dictionary of its properties, 0.6 KB).
 */
function filledLater(key: 'models' | 'byId'): PropertyDescriptor {
  const filledValue = (provider: BookProvider): unknown => {
    fillModels(provider);
    const own = Object.getOwnPropertyDescriptor(provider, key);
    return own !== undefined && 'value' in own ? own.value : undefined;
  };
  return {
    configurable: true,
    enumerable: true,
    get(this: BookProvider): unknown {
      return filledValue(this);
    },
    set(this: BookProvider, value: unknown): void {
      fillModels(this);
      Object.defineProperty(this, key, { value, writable: true, configurable: true, enumerable: true });
    },
  };
}
const MODELS_FILLED_LATER = filledLater('models');
const BY_ID_FILLED_LATER = filledLater('byId');

function reorder(state: BookState): void {
  state.ordered = [...state.providers.values()].sort((a, b) => a.rank - b.rank);
}

/** Rates in force at `t` by the period rules (time of day ignored). */
function ratesAt(periods: Period[], t: number): RawRates {
  for (let i = periods.length - 1; i >= 0; i--) {
    const p = periods[i];
    if (p.timeOfDay) continue;
    if (p.from === undefined || t >= p.from) return p.rates;
  }
  return periods[0].rates;
}

/**
 * Applies replacement rates to the periods in `[from, until)`: periods starting inside the range
 * get the listed units replaced, a period is inserted at `from` (rates in force then, replaced),
 * and one at `until` restores the rates in force then. Time-of-day periods are left alone.
 */
function patchPeriods(periods: Period[], rates: RawRates, from: number | undefined, until: number | undefined): Period[] {
  const lo = from ?? -Infinity;
  const hi = until ?? Infinity;
  const inRange = (p: Period) => p.timeOfDay === undefined && (p.from ?? -Infinity) >= lo && (p.from ?? -Infinity) < hi;
  const out = periods.map((p) => (inRange(p) ? { ...p, rates: mergeRates(p.rates, rates) } : p));
  const insert = (period: Period) => {
    if (out.some((p) => p.from === period.from && p.timeOfDay === undefined)) return;
    // After the last dated (or default) period that starts before it, so later dates keep precedence.
    let at = 0;
    out.forEach((p, i) => {
      if (p.timeOfDay === undefined && (p.from ?? -Infinity) <= (period.from as number)) at = i + 1;
    });
    out.splice(at, 0, period);
  };
  if (from !== undefined) insert({ from, rates: mergeRates(ratesAt(periods, from), rates) });
  if (until !== undefined) insert({ from: until, rates: ratesAt(periods, until) });
  return out;
}

/** Time-of-day periods of an entry: its rates at those hours over the rates in force then. */
function timeOfDayPeriods(m: OverlayModel, periods: Period[]): Period[] {
  return (m.timeOfDay ?? []).map(({ window, rates }) => {
    const period: Period = { timeOfDay: window, rates: mergeRates(ratesAt(periods, m.from ?? -Infinity), rates) };
    // The hours hold while the entry's prices do, unless the entry bounds them itself.
    const from = m.timeOfDayFrom ?? m.from;
    const until = m.timeOfDayUntil ?? m.until;
    if (from !== undefined) period.timeOfDayFrom = from;
    if (until !== undefined) period.timeOfDayUntil = until;
    return period;
  });
}

/**
 * Layers an override document over the state. Problems that need the book to detect (a patch of
 * a model that does not exist and has no prices, a tier rule for an unknown provider) go to `p`.
 */
export function applyOverlay(state: BookState, overlay: Overlay, p: Problems): void {
  const source: PriceSource = overlay.source;
  // The bundled supplement is ours: its names are not checked against the book.
  const checked = source !== 'supplement';
  // New models are compared with the models listed before this document, not with each other.
  const listed = checked && overlay.models.length > 0 ? listedModels(state) : undefined;
  let entries = overlay.models;
  if (!checked) {
    // Entries for a provider whose models are not filled in yet wait for them (see stateFromData).
    entries = [];
    for (const m of overlay.models) {
      const provider = state.providers.get(providerRef(m.provider).dataId);
      const pending = provider === undefined ? undefined : pendingProviders.get(provider);
      if (pending === undefined) entries.push(m);
      else {
        pending.deferred.push(m);
        pending.state = state;
      }
    }
  }
  applyModelEntries(state, entries, source, listed, p);

  // Rules may name the custom models just added: their ids are taken from here on.
  const ruleIds = new Map<string, string[]>();
  const rulesByProvider = new Map<string, OverlayTierRule[]>();
  overlay.tierRules.forEach((rule, i) => {
    const id = providerRef(rule.provider).dataId;
    if (!state.providers.has(id)) {
      unknownProvider(state, p, ['service_tiers', i, 'provider'], rule.provider);
      return;
    }
    if (checked)
      checkGlobs(
        p,
        [...rule.path, 'models'],
        rule.globs,
        cachedIds(ruleIds, `group:${id}`, () => providerGroup(state, id)),
        rule.provider,
      );
    const list = rulesByProvider.get(id) ?? [];
    list.push(rule);
    rulesByProvider.set(id, list);
  });
  for (const [id, rules] of rulesByProvider) {
    const provider = state.providers.get(id) as BookProvider;
    provider.tierRules = [...rules, ...provider.tierRules];
  }
  [...overlay.derivedRates].reverse().forEach((rule, j) => {
    const i = overlay.derivedRates.length - 1 - j;
    const provider = state.providers.get(providerRef(rule.provider).dataId);
    if (!provider) {
      unknownProvider(state, p, ['derived_rates', i, 'provider'], rule.provider);
      return;
    }
    if (checked)
      checkGlobs(
        p,
        [...rule.path, 'models'],
        rule.globs,
        cachedIds(ruleIds, `own:${provider.id}`, () => [provider]),
        rule.provider,
      );
    provider.derivedRates = [rule, ...provider.derivedRates];
  });
  // Tier rules of one provider reach models of others (Azure serves OpenAI's models).
  if (rulesByProvider.size > 0 || overlay.derivedRates.length > 0)
    for (const provider of state.providers.values()) {
      // Models not filled in yet have nothing compiled.
      if (!pendingProviders.has(provider)) for (const m of provider.models) m.compiled.clear();
    }

  for (const alias of [...overlay.aliases].reverse()) {
    const key = alias.alias.toLowerCase();
    state.aliases.set(key, [alias, ...(state.aliases.get(key) ?? [])]);
  }
  state.discounts = [...overlay.discounts, ...state.discounts];
  state.version = `${state.version}+${overlay.source === 'supplement' ? 'supplement' : overlay.source === 'prices_file' ? 'prices' : 'overrides'}.${overlay.versionLabel}`;
  reorder(state);
}

/** Applies an overlay's model entries: patches of listed models and new models. */
function applyModelEntries(
  state: BookState,
  models: Overlay['models'],
  source: PriceSource,
  listed: ListedModels | undefined,
  p: Problems,
): void {
  const checked = source !== 'supplement';
  const addedCustom: BookModel[] = [];
  const addedBy = new Map<BookProvider, BookModel[]>();
  for (const m of models) {
    const ref = providerRef(m.provider);
    let provider = state.providers.get(ref.dataId);
    const existing = provider?.byId.get(m.model.toLowerCase());
    if (listed && !existing && !m.isNew && !checkModelName(state, listed, m, provider, p)) continue;
    if (m.flawed) continue;
    if (existing) {
      if (m.name !== undefined) existing.name = m.name;
      if (m.contextWindow !== undefined) existing.contextWindow = m.contextWindow;
      if (m.match) {
        existing.match = anyOf([m.match, existing.match]);
        existing.keys = unionKeys(existing.keys, m.matchKeys ?? null);
        existing.literals = new Set([...(existing.literals ?? []), ...(m.matchLiterals ?? [])]);
        provider?.buckets.clear();
      }
      if (m.exclude) {
        const excluded = m.exclude;
        const before = existing.match;
        existing.match = (raw, lower) => !excluded(raw, lower) && before(raw, lower);
        if (existing.literals) existing.literals = new Set([...existing.literals].filter((l) => !excluded(l, l)));
      }
      if (m.timeOfDay) existing.periods = [...existing.periods, ...timeOfDayPeriods(m, existing.periods)];
      if (m.timeOfDayFrom !== undefined || m.timeOfDayUntil !== undefined) {
        existing.periods = existing.periods.map((period) =>
          period.timeOfDay === undefined
            ? period
            : {
                ...period,
                ...(m.timeOfDayFrom !== undefined ? { timeOfDayFrom: m.timeOfDayFrom } : {}),
                ...(m.timeOfDayUntil !== undefined ? { timeOfDayUntil: m.timeOfDayUntil } : {}),
              },
        );
      }
      if (m.rates) {
        existing.periods = patchPeriods(existing.periods, m.rates, m.from, m.until);
        existing.source = source;
      }
      Object.assign(existing.tiers, m.tiers);
      existing.compiled.clear();
      continue;
    }
    if (!m.rates) {
      problem(
        p,
        [...m.path, 'model'],
        m.model,
        `a model of provider "${m.provider}" in the price book, or prices for a new model`,
        'is not in the price book and has no prices',
      );
      continue;
    }
    if (!provider) {
      provider = newProvider(ref.dataId, m.provider, state.providers.size);
      provider.rank = -1; // user providers are searched first
      state.providers.set(ref.dataId, provider);
    }
    const own = compileGlob(m.model);
    const model: BookModel = {
      id: m.model,
      name: m.name,
      contextWindow: m.contextWindow,
      match: m.match ? anyOf([own, m.match]) : own,
      keys: unionKeys(globPrefixKeys(m.model), m.match ? (m.matchKeys ?? null) : new Set()),
      literals: new Set([...(/[*?]/.test(m.model) ? [] : [m.model.toLowerCase()]), ...(m.matchLiterals ?? [])]),
      periods: [{ rates: m.rates }, ...timeOfDayPeriods(m, [{ rates: m.rates }])],
      strictFrom: m.from,
      source,
      provider,
      tiers: { ...m.tiers },
      compiled: new Map(),
    };
    // Later entries come first; the lists are joined once at the end (unshift per entry is quadratic).
    let added = addedBy.get(provider);
    if (added === undefined) {
      added = [];
      addedBy.set(provider, added);
    }
    added.push(model);
    provider.byId.set(m.model.toLowerCase(), model);
    // The user's own models are searched first when no provider is given; the supplement's are the
    // book's models, found in their provider's turn (a reseller's copy never shadows the original).
    if (checked) addedCustom.push(model);
  }
  for (const [provider, added] of addedBy) {
    provider.models = [...added.reverse(), ...provider.models];
    provider.buckets.clear();
  }
  state.custom = [...addedCustom, ...state.custom];
}

const ACCEPT_PROVIDER = 'a provider in the price book (see `tokenomics prices list`) or defined under models';

/** Reports a provider the book does not know, with the nearest known spelling. */
export function unknownProvider(state: BookState, p: Problems, path: FieldPath, provider: string): void {
  const near = nearest(provider, [...knownSpellings(), ...state.providers.keys()]);
  problem(p, path, provider, ACCEPT_PROVIDER, `is not a known provider${didYouMean(near)}`);
}

/** A provider and the providers whose models it also serves. */
export function providerGroup(state: BookState, id: string): BookProvider[] {
  const provider = state.providers.get(id);
  if (!provider) return [];
  const group = [provider];
  for (const f of provider.fallback) {
    const fp = state.providers.get(f);
    if (fp) group.push(fp);
  }
  return group;
}

/** Model ids of some providers. */
export function modelIds(providers: Iterable<BookProvider>): string[] {
  const ids: string[] = [];
  for (const provider of providers) for (const m of provider.models) ids.push(m.id);
  return ids;
}

/** Model ids of a provider group, computed once per key and check. */
export function cachedIds(cache: Map<string, string[]>, key: string, providers: () => BookProvider[]): string[] {
  let ids = cache.get(key);
  if (ids === undefined) {
    ids = modelIds(providers());
    cache.set(key, ids);
  }
  return ids;
}

/**
 * Reports a rule's globs that match no model id in `ids` (a typo such as `cluade-*` would
 * otherwise never apply), with the nearest glob that would. `extra` names also count as matches.
 * Returns whether every glob matched.
 */
export function checkGlobs(
  p: Problems,
  path: FieldPath,
  written: string | string[],
  ids: string[],
  providerLabel: string | undefined,
  extra: (glob: string) => boolean = () => false,
): boolean {
  const globs = typeof written === 'string' ? [written] : written;
  let ok = true;
  globs.forEach((glob, i) => {
    const one = compileGlob(glob);
    if (ids.some((id) => one(id, id.toLowerCase())) || extra(glob)) return;
    ok = false;
    const where = providerLabel === undefined ? 'in the price book' : `of provider "${providerLabel}"`;
    problem(
      p,
      typeof written === 'string' ? path : [...path, i],
      glob,
      `a model id or glob matching a model ${where} (see \`tokenomics prices list\`)`,
      `matches no model ${where}${didYouMean(nearestGlob(glob, ids))}`,
    );
  });
  return ok;
}

/**
 * Checks the names of a model entry that is not in the book and not marked `new: true`: a provider
 * one typo away from a known one is an error; a model name one or two edits from a model of the
 * same provider (or of a provider it serves models of) is an error, or a warning when only numbering
 * differ (`gpt-5.2` next to `gpt-5.1` may well be a new model). Returns whether the entry may still
 * be applied.
 */
/** The models listed now, by provider group (a provider and those it serves models of), filled in lazily. */
interface ListedModels {
  byProvider: Map<string, BookModel[]>;
  groups: Map<string, ListedGroup>;
}

interface ListedGroup {
  models: BookModel[];
  ids: string[];
  lowerIds: string[];
}

function listedModels(state: BookState): ListedModels {
  const byProvider = new Map<string, BookModel[]>();
  for (const provider of state.providers.values()) byProvider.set(provider.id, provider.models.slice());
  return { byProvider, groups: new Map() };
}

function listedGroup(state: BookState, listed: ListedModels, id: string): ListedGroup {
  let group = listed.groups.get(id);
  if (group === undefined) {
    const models = providerGroup(state, id).flatMap((p) => listed.byProvider.get(p.id) ?? []);
    const ids = models.map((m) => m.id);
    group = { models, ids, lowerIds: ids.map((i) => i.toLowerCase()) };
    listed.groups.set(id, group);
  }
  return group;
}

function checkModelName(
  state: BookState,
  listed: ListedModels,
  m: Overlay['models'][number],
  provider: BookProvider | undefined,
  p: Problems,
): boolean {
  if (!provider) {
    const near = nearest(m.provider, [...knownSpellings(), ...state.providers.keys()]);
    if (near === undefined) return true;
    problem(
      p,
      [...m.path, 'provider'],
      m.provider,
      `${ACCEPT_PROVIDER}, or new: true for a provider of your own`,
      `is not a known provider${didYouMean(near)}`,
    );
    return false;
  }
  // A model the provider serves from another (Azure serves OpenAI's), or a string a listed model
  // matches (a dated snapshot), is a known name, not a typo: the entry prices it on its own.
  const group = listedGroup(state, listed, provider.id);
  const near = nearest(m.model, group.ids, group.lowerIds);
  if (near === undefined) return true;
  const lower = m.model.toLowerCase();
  if (group.models.some((model) => model.id.toLowerCase() === lower || model.match(m.model, lower))) return true;
  const accepted = `the id of a listed model to change it, or new: true for a new model`;
  if (differOnlyInNumbering(near, m.model)) {
    warning(
      p,
      [...m.path, 'model'],
      m.model,
      accepted,
      `is not in the price book and adds a new model next to "${near}" of provider "${m.provider}"`,
    );
    return true;
  }
  problem(p, [...m.path, 'model'], m.model, accepted, `is not a model of provider "${m.provider}" in the price book${didYouMean(near)}`);
  return false;
}

/** The tier rule for a model and tier: model-specific, then the addressed provider's, then the model's provider's. */
function tierRule(model: BookModel, tier: TierName, addressed: BookProvider | undefined): TierRule | undefined {
  const own = model.tiers[tier];
  if (own) return own;
  const id = model.id;
  const lower = id.toLowerCase();
  const providers = addressed && addressed !== model.provider ? [addressed, model.provider] : [model.provider];
  for (const provider of providers) {
    for (const rule of provider.tierRules) if (rule.tier === tier && rule.models(id, lower)) return rule;
  }
  return undefined;
}

/** Compiles (once per addressed provider) a model's periods and tiers. */
export function compiledModel(model: BookModel, addressed: BookProvider | undefined): CompiledModel {
  const key = addressed?.id ?? model.provider.id;
  let compiled = model.compiled.get(key);
  if (compiled) return compiled;
  const rules = TIER_ORDER.map((t) => tierRule(model, t, addressed));
  const derived = derivedRules(model);
  const complete = (rates: RawRates) => withDerived(rates, derived);
  compiled = {
    strictFrom: model.strictFrom ?? -Infinity,
    periods: model.periods.map((period) => ({
      from: period.from,
      timeOfDay: period.timeOfDay,
      timeOfDayFrom: period.timeOfDayFrom,
      timeOfDayUntil: period.timeOfDayUntil,
      ladders: [
        compileLadder(complete(period.rates)),
        ...rules.map((rule) =>
          rule ? compileLadder(complete(rule.rates ? mergeRates(period.rates, rule.rates) : period.rates), rule.multiplier) : null,
        ),
      ],
    })),
  };
  model.compiled.set(key, compiled);
  return compiled;
}

/** Models of a provider that may match a string whose lower-cased form starts with `key`. */
export function modelsFor(provider: BookProvider, lower: string): BookModel[] {
  if (lower.length < 2) return provider.models;
  const key = lower.slice(0, 2);
  let bucket = provider.buckets.get(key);
  if (bucket === undefined) {
    bucket = provider.models.filter((m) => m.keys === null || m.keys.has(key));
    provider.buckets.set(key, bucket);
  }
  return bucket;
}

function derivedRules(model: BookModel): OverlayDerivedRate[] {
  const lower = model.id.toLowerCase();
  return model.provider.derivedRates.filter((r) => r.models(model.id, lower));
}

/** Fills units a card lacks from the derived-rate rules (first rule per unit wins). */
export function withDerived(rates: RawRates, rules: OverlayDerivedRate[]): RawRates {
  if (rules.length === 0) return rates;
  let out = rates;
  for (const rule of rules) {
    const base = rates[rule.from];
    if (out[rule.unit] !== undefined || base === undefined) continue;
    if (out === rates) out = { ...rates };
    out[rule.unit] = scaleRate(base, rule.multiplier);
  }
  return out;
}
