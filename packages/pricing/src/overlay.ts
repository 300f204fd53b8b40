/**
 * Override documents (YAML or JSON): custom models, replacement rates, match rules, service-tier
 * rules, aliases and negotiated discounts, layered over the price data. The bundled supplement
 * (`data/supplement.json`) uses the same format.
 */
import { createHash } from 'node:crypto';
import { anyOf, compileGlob, globPrefixKeys, unionKeys, type Matcher } from './match-rules';
import { SERVICE_TIERS, TOKEN_UNITS, type RawRates, type TokenUnit } from './rates';
import { inRange, isPlainObject, MAX_MULTIPLIER, problem, readDate, readOverrideRates, warning, type Problems } from './rate-fields';
import { readTimeOfDay } from './price-data';
import type { FieldPath } from './source-doc';
import type { PriceSource } from './types';

export type TierName = 'batch' | 'flex' | 'priority';
const TIER_NAMES: TierName[] = ['batch', 'flex', 'priority'];

/** How a service tier is priced: a multiplier on token rates, and/or replacement rates. */
export interface TierRule {
  multiplier: number;
  rates?: RawRates | undefined;
}

/** A custom model, or a patch of an existing one. */
export interface OverlayModel {
  provider: string;
  model: string;
  name?: string | undefined;
  match?: Matcher | undefined;
  /** Prefix keys of `match` (see `prefixKeys`). */
  matchKeys?: Set<string> | null;
  /** `match` globs without wildcards, lower-cased: strings this entry names exactly. */
  matchLiterals?: Set<string> | undefined;
  /** `exclude`: strings a listed model must no longer match (a rule of the data caught another model). */
  exclude?: Matcher | undefined;
  /** `time_of_day`: prices at hours of the day (UTC), e.g. a provider's peak hours. */
  timeOfDay?: { window: [number, number]; rates: RawRates }[] | undefined;
  /** `time_of_day_from` / `time_of_day_until`: the dates between which the model's time-of-day prices hold. */
  timeOfDayFrom?: number | undefined;
  timeOfDayUntil?: number | undefined;
  contextWindow?: number | undefined;
  /** Replacement rates apply from this instant (epoch ms)... */
  from?: number | undefined;
  /** ...until this one (exclusive). */
  until?: number | undefined;
  rates?: RawRates | undefined;
  tiers: Partial<Record<TierName, TierRule>>;
  path: FieldPath;
  /** `new: true`: a new model on purpose, even though its name is close to a listed one. */
  isNew: boolean;
  /** The entry had problems of its own: only its names are checked against the book, nothing is applied. */
  flawed: boolean;
}

/** A provider-wide service-tier rule for the models whose id matches `models`. */
export interface OverlayTierRule extends TierRule {
  provider: string;
  tier: TierName;
  models: Matcher;
  /** The globs of `models` as written. */
  globs: string | string[];
  /** Where the rule is written. */
  path: FieldPath;
}

/** A rate derived from another unit where a model has none (`cache_write_1h` = 2 x `input`). */
export interface OverlayDerivedRate {
  provider: string;
  models: Matcher;
  /** The globs of `models` as written. */
  globs: string | string[];
  /** Where the rule is written. */
  path: FieldPath;
  unit: TokenUnit;
  from: TokenUnit;
  multiplier: number;
}

/** A user alias: `alias` (optionally only under `provider`) prices as `model`. */
export interface OverlayAlias {
  alias: string;
  model: string;
  /** Where the alias is written, for errors found once the book is built. */
  path: FieldPath;
  provider?: string;
  targetProvider?: string;
}

/** A negotiated discount: a multiplier on the whole cost of matching calls in a date range. */
export interface OverlayDiscount {
  provider?: string;
  model: Matcher;
  multiplier: number;
  from?: number;
  until?: number;
  /** Service-tier indexes it applies to; `undefined` = all. */
  tiers?: number[];
  /** Where the discount is written, for checks against the book. */
  path: FieldPath;
  /** The globs of `model` as written (`*` when absent). */
  globs: string | string[];
}

/** A parsed override document. */
export interface Overlay {
  source: PriceSource;
  /** Label for the price-book version: the document's `version`, else a content hash. */
  versionLabel: string;
  models: OverlayModel[];
  tierRules: OverlayTierRule[];
  derivedRates: OverlayDerivedRate[];
  aliases: OverlayAlias[];
  discounts: OverlayDiscount[];
}

const TOP_KEYS = ['version', 'models', 'aliases', 'service_tiers', 'derived_rates', 'discounts', 'description'];
const DERIVED_KEYS = ['provider', 'models', 'unit', 'from', 'multiplier', 'source', 'notes'];
const MODEL_KEYS = [
  'provider',
  'model',
  'new',
  'name',
  'match',
  'context_window',
  'from',
  'until',
  'exclude',
  'time_of_day',
  'time_of_day_from',
  'time_of_day_until',
  'prices',
  'service_tiers',
  'source',
  'notes',
];
const ALIAS_KEYS = ['alias', 'model', 'provider', 'target_provider', 'notes'];
const TIER_RULE_KEYS = ['provider', 'tier', 'models', 'multiplier', 'prices', 'source', 'notes'];
const MODEL_TIER_KEYS = ['multiplier', 'prices', 'source', 'notes'];
const DISCOUNT_KEYS = ['provider', 'model', 'multiplier', 'from', 'until', 'tiers', 'name', 'notes'];

function checkKeys(p: Problems, path: FieldPath, obj: Record<string, unknown>, allowed: string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) problem(p, [...path, key], obj[key], `the fields ${allowed.join(', ')}`, `unknown field "${key}"`);
  }
}

function readString(p: Problems, path: FieldPath, v: unknown, required: boolean): string | undefined {
  if (v === undefined && !required) return undefined;
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  problem(p, path, v, 'a non-empty string');
  return undefined;
}

function readGlobs(p: Problems, path: FieldPath, v: unknown): Matcher | undefined {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || !list.every((g) => typeof g === 'string' && g !== '')) {
    problem(p, path, v, 'a model name or glob (* and ?), or a list of them');
    return undefined;
  }
  return anyOf((list as string[]).map(compileGlob));
}

/** The globs of a models / model field as written (`*` when absent or invalid). */
function globsOf(v: unknown): string | string[] {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((g) => typeof g === 'string')) return v as string[];
  return '*';
}

function readList(p: Problems, path: FieldPath, v: unknown, what: string): unknown[] {
  if (v === undefined) return [];
  if (Array.isArray(v)) return v;
  problem(p, path, v, `a list of ${what}`);
  return [];
}

function readMultiplier(p: Problems, path: FieldPath, v: unknown, required: boolean): number | undefined {
  if (v === undefined && !required) return undefined;
  if (inRange(v, MAX_MULTIPLIER) && v > 0) return v;
  problem(p, path, v, `a number above 0, at most ${MAX_MULTIPLIER} (1 = list price, 0.8 = 20% off)`);
  return undefined;
}

function readTierRule(p: Problems, path: FieldPath, v: unknown): TierRule | undefined {
  if (!isPlainObject(v)) {
    problem(p, path, v, '{ multiplier?: number, prices?: {...} }');
    return undefined;
  }
  checkKeys(p, path, v, MODEL_TIER_KEYS);
  const multiplier = readMultiplier(p, [...path, 'multiplier'], v.multiplier, false);
  const rates = v.prices === undefined ? undefined : readOverrideRates(p, [...path, 'prices'], v.prices);
  if (multiplier === undefined && rates === undefined) {
    if (v.multiplier === undefined && v.prices === undefined)
      problem(p, path, v, 'a multiplier and/or prices', 'sets neither multiplier nor prices');
    return undefined;
  }
  return { multiplier: multiplier ?? 1, rates };
}

const TIME_OF_DAY_KEYS = ['start', 'end', 'prices'];

/** `time_of_day: [{ start: "01:00:00Z", end: "04:00:00Z", prices: {...} }]`. */
function readTimeOfDayPrices(p: Problems, path: FieldPath, v: unknown): { window: [number, number]; rates: RawRates }[] | undefined {
  if (!Array.isArray(v) || v.length === 0) {
    problem(p, path, v, 'a list of { start: HH:MM:SSZ, end: HH:MM:SSZ, prices: {...} }');
    return undefined;
  }
  const out: { window: [number, number]; rates: RawRates }[] = [];
  v.forEach((item, i) => {
    const ip: FieldPath = [...path, i];
    if (!isPlainObject(item)) {
      problem(p, ip, item, '{ start: HH:MM:SSZ, end: HH:MM:SSZ, prices: {...} }');
      return;
    }
    checkKeys(p, ip, item, TIME_OF_DAY_KEYS);
    const start = readTimeOfDay(p, [...ip, 'start'], item.start);
    const end = readTimeOfDay(p, [...ip, 'end'], item.end);
    const rates = readOverrideRates(p, [...ip, 'prices'], item.prices);
    if (start !== undefined && end !== undefined && rates !== undefined) out.push({ window: [start, end], rates });
  });
  return out;
}

/** Reads an override document; problems are collected in `p`. */
export function readOverlay(p: Problems, source: PriceSource): Overlay {
  const value = p.doc.value;
  const overlay: Overlay = { source, versionLabel: '', models: [], tierRules: [], derivedRates: [], aliases: [], discounts: [] };
  if (value === null || value === undefined) return withVersion(overlay, p, undefined);
  if (!isPlainObject(value)) {
    problem(p, [], value, 'an object with any of: models, aliases, service_tiers, discounts');
    return overlay;
  }
  checkKeys(p, [], value, TOP_KEYS);
  const version = value.version === undefined ? undefined : readString(p, ['version'], value.version, true);

  readList(p, ['models'], value.models, 'models').forEach((raw, i) => {
    const path: FieldPath = ['models', i];
    if (!isPlainObject(raw)) {
      problem(p, path, raw, '{ provider, model, prices?, match?, service_tiers?, from? }');
      return;
    }
    const errorsBefore = p.errors.length;
    checkKeys(p, path, raw, MODEL_KEYS);
    const provider = readString(p, [...path, 'provider'], raw.provider, true);
    const model = readString(p, [...path, 'model'], raw.model, true);
    const entry: OverlayModel = { provider: provider ?? '', model: model ?? '', tiers: {}, path, isNew: raw.new === true, flawed: false };
    if (raw.new !== undefined && typeof raw.new !== 'boolean')
      problem(p, [...path, 'new'], raw.new, 'true (a new model whose name is close to a listed one) or false');
    if (raw.name !== undefined) entry.name = readString(p, [...path, 'name'], raw.name, true);
    if (raw.match !== undefined) {
      entry.match = readGlobs(p, [...path, 'match'], raw.match);
      const globs = typeof raw.match === 'string' ? [raw.match] : Array.isArray(raw.match) ? (raw.match as unknown[]) : [];
      entry.matchKeys = globs.reduce<Set<string> | null>((acc, g) => unionKeys(acc, globPrefixKeys(String(g))), new Set());
      entry.matchLiterals = new Set(globs.filter((g): g is string => typeof g === 'string' && !/[*?]/.test(g)).map((g) => g.toLowerCase()));
    }
    if (raw.exclude !== undefined) entry.exclude = readGlobs(p, [...path, 'exclude'], raw.exclude);
    if (raw.time_of_day !== undefined) entry.timeOfDay = readTimeOfDayPrices(p, [...path, 'time_of_day'], raw.time_of_day);
    if (raw.time_of_day_from !== undefined) entry.timeOfDayFrom = readDate(p, [...path, 'time_of_day_from'], raw.time_of_day_from);
    if (raw.time_of_day_until !== undefined) entry.timeOfDayUntil = readDate(p, [...path, 'time_of_day_until'], raw.time_of_day_until);
    if (raw.context_window !== undefined) {
      if (typeof raw.context_window === 'number' && Number.isSafeInteger(raw.context_window) && raw.context_window > 0) {
        entry.contextWindow = raw.context_window;
      } else problem(p, [...path, 'context_window'], raw.context_window, 'a positive whole number of tokens');
    }
    if (raw.from !== undefined) entry.from = readDate(p, [...path, 'from'], raw.from);
    if (raw.until !== undefined) {
      entry.until = readDate(p, [...path, 'until'], raw.until);
      if (raw.prices === undefined) problem(p, [...path, 'until'], raw.until, 'until together with prices', 'has no prices to limit');
      else if (entry.until !== undefined && entry.from !== undefined && entry.until <= entry.from) {
        problem(p, [...path, 'until'], raw.until, `a date after from (${String(raw.from)})`);
      }
    }
    if (raw.prices !== undefined) entry.rates = readOverrideRates(p, [...path, 'prices'], raw.prices);
    if (raw.service_tiers !== undefined) {
      if (!isPlainObject(raw.service_tiers)) {
        problem(p, [...path, 'service_tiers'], raw.service_tiers, '{ batch?, flex?, priority? }');
      } else {
        for (const [tier, rule] of Object.entries(raw.service_tiers)) {
          if (!TIER_NAMES.includes(tier as TierName)) {
            problem(p, [...path, 'service_tiers', tier], rule, 'the tiers batch, flex, priority', `unknown service tier "${tier}"`);
            continue;
          }
          const r = readTierRule(p, [...path, 'service_tiers', tier], rule);
          if (r) entry.tiers[tier as TierName] = r;
        }
      }
    }
    if (
      raw.prices === undefined &&
      raw.match === undefined &&
      raw.service_tiers === undefined &&
      raw.name === undefined &&
      raw.context_window === undefined &&
      raw.exclude === undefined &&
      raw.time_of_day === undefined &&
      raw.time_of_day_from === undefined &&
      raw.time_of_day_until === undefined
    ) {
      problem(p, path, raw, 'prices, match, exclude, service_tiers, name, context_window or time_of_day_from/until', 'changes nothing');
      return;
    }
    entry.flawed = p.errors.length > errorsBefore;
    if (provider && model) overlay.models.push(entry);
  });

  readList(p, ['aliases'], value.aliases, 'aliases').forEach((raw, i) => {
    const path: FieldPath = ['aliases', i];
    if (!isPlainObject(raw)) {
      problem(p, path, raw, '{ alias, model, provider?, target_provider? }');
      return;
    }
    checkKeys(p, path, raw, ALIAS_KEYS);
    const alias = readString(p, [...path, 'alias'], raw.alias, true);
    const model = readString(p, [...path, 'model'], raw.model, true);
    const provider = readString(p, [...path, 'provider'], raw.provider, false);
    const targetProvider = readString(p, [...path, 'target_provider'], raw.target_provider, false);
    if (alias && model) {
      const a: OverlayAlias = { alias, model, path };
      if (provider) a.provider = provider;
      if (targetProvider) a.targetProvider = targetProvider;
      overlay.aliases.push(a);
    }
  });

  readList(p, ['service_tiers'], value.service_tiers, 'service-tier rules').forEach((raw, i) => {
    const path: FieldPath = ['service_tiers', i];
    if (!isPlainObject(raw)) {
      problem(p, path, raw, '{ provider, tier, models?, multiplier?, prices? }');
      return;
    }
    checkKeys(p, path, raw, TIER_RULE_KEYS);
    const provider = readString(p, [...path, 'provider'], raw.provider, true);
    const tier = raw.tier;
    if (!TIER_NAMES.includes(tier as TierName)) problem(p, [...path, 'tier'], tier, 'batch, flex or priority');
    const models = raw.models === undefined ? anyOf([compileGlob('*')]) : readGlobs(p, [...path, 'models'], raw.models);
    const rule = readTierRule(p, path, { multiplier: raw.multiplier, prices: raw.prices });
    if (provider && TIER_NAMES.includes(tier as TierName) && models && rule) {
      overlay.tierRules.push({ provider, tier: tier as TierName, models, ...rule, globs: globsOf(raw.models ?? '*'), path });
    }
  });

  readList(p, ['derived_rates'], value.derived_rates, 'derived rates').forEach((raw, i) => {
    const path: FieldPath = ['derived_rates', i];
    if (!isPlainObject(raw)) {
      problem(p, path, raw, '{ provider, models?, unit, from, multiplier }');
      return;
    }
    checkKeys(p, path, raw, DERIVED_KEYS);
    const provider = readString(p, [...path, 'provider'], raw.provider, true);
    const models = raw.models === undefined ? compileGlob('*') : readGlobs(p, [...path, 'models'], raw.models);
    const units = TOKEN_UNITS as readonly unknown[];
    if (!units.includes(raw.unit)) problem(p, [...path, 'unit'], raw.unit, `a token unit: ${TOKEN_UNITS.join(', ')}`);
    if (!units.includes(raw.from)) problem(p, [...path, 'from'], raw.from, `a token unit: ${TOKEN_UNITS.join(', ')}`);
    const multiplier = readMultiplier(p, [...path, 'multiplier'], raw.multiplier, true);
    if (provider && models && units.includes(raw.unit) && units.includes(raw.from) && multiplier !== undefined) {
      overlay.derivedRates.push({
        provider,
        models,
        globs: globsOf(raw.models ?? '*'),
        path,
        unit: raw.unit as TokenUnit,
        from: raw.from as TokenUnit,
        multiplier,
      });
    }
  });

  readList(p, ['discounts'], value.discounts, 'discounts').forEach((raw, i) => {
    const path: FieldPath = ['discounts', i];
    if (!isPlainObject(raw)) {
      problem(p, path, raw, '{ multiplier, provider?, model?, from?, until?, tiers? }');
      return;
    }
    checkKeys(p, path, raw, DISCOUNT_KEYS);
    const multiplier = readMultiplier(p, [...path, 'multiplier'], raw.multiplier, true);
    const provider = readString(p, [...path, 'provider'], raw.provider, false);
    const model = raw.model === undefined ? compileGlob('*') : readGlobs(p, [...path, 'model'], raw.model);
    const from = raw.from === undefined ? undefined : readDate(p, [...path, 'from'], raw.from);
    const until = raw.until === undefined ? undefined : readDate(p, [...path, 'until'], raw.until);
    if (from !== undefined && until !== undefined && until <= from) {
      problem(p, [...path, 'until'], raw.until, `a date after from (${String(raw.from)})`);
    }
    let tiers: number[] | undefined;
    if (raw.tiers !== undefined) {
      const list = typeof raw.tiers === 'string' ? [raw.tiers] : raw.tiers;
      if (Array.isArray(list) && list.length > 0 && list.every((t) => (SERVICE_TIERS as readonly unknown[]).includes(t))) {
        tiers = list.map((t) => (SERVICE_TIERS as readonly unknown[]).indexOf(t));
      } else problem(p, [...path, 'tiers'], raw.tiers, 'a list of standard, batch, flex, priority');
    }
    if (multiplier !== undefined && model) {
      const d: OverlayDiscount = { model, multiplier, path, globs: globsOf(raw.model ?? '*') };
      if (provider && provider !== '*') d.provider = provider;
      if (from !== undefined) d.from = from;
      if (until !== undefined) d.until = until;
      if (tiers) d.tiers = tiers;
      overlay.discounts.push(d);
    }
  });
  const entries = ['models', 'aliases', 'service_tiers', 'derived_rates', 'discounts'];
  // A file with nothing to apply is most likely a mistake (or a placeholder): say so, but load it.
  if (
    p.doc.text !== undefined &&
    p.errors.length === 0 &&
    entries.every((k) => value[k] === undefined || (Array.isArray(value[k]) && value[k].length === 0))
  ) {
    warning(p, [], value, `an override document with entries under any of: ${entries.join(', ')}`, 'has no entries and changes nothing');
  }
  return withVersion(overlay, p, version);
}

function withVersion(overlay: Overlay, p: Problems, version: string | undefined): Overlay {
  overlay.versionLabel =
    version ??
    createHash('sha256')
      .update(p.doc.text ?? JSON.stringify(p.doc.value ?? null))
      .digest('hex')
      .slice(0, 12);
  return overlay;
}
