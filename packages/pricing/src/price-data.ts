/**
 * Price data files: the bundled snapshot (`{ format: 'tokenomics-prices/1', source, providers }`)
 * and the upstream genai-prices provider list (a JSON array, as in its `data.json`), read into
 * providers and models with compiled match rules and dated periods.
 */
import { createHash } from 'node:crypto';
import { compileMatch, prefixKeys, type MatchLogic, type Matcher } from './match-rules';
import type { RawRates } from './rates';
import { isPlainObject, problem, readUpstreamRates, readDate, type Problems } from './rate-fields';
import type { PriceSource } from './types';
import { inlineDoc, skipString, type FieldPath, type SourceDoc } from './source-doc';

/** One period of a model's prices: from a date on, or at a time of day (UTC). */
export interface Period {
  /** Epoch ms from which the period applies; `undefined` = always. */
  from?: number;
  /** Seconds after UTC midnight `[start, end)`; may wrap past midnight. */
  timeOfDay?: [number, number];
  /** A time-of-day period holds only on or after this instant (epoch ms)... */
  timeOfDayFrom?: number;
  /** ...and before this one (the discount or surcharge ended). */
  timeOfDayUntil?: number;
  rates: RawRates;
}

/** A model in the price data. */
export interface DataModel {
  id: string;
  name?: string | undefined;
  contextWindow?: number | undefined;
  match: Matcher;
  /** Two-character prefixes a matching string starts with; `null` = any (see `prefixKeys`). */
  keys: Set<string> | null;
  /**
   * Lower-cased strings the rules name exactly (`equals`, globs without wildcards): such a string is
   * this model by the data's word. Any other match must pass `versionConflict`.
   */
  literals?: Set<string> | undefined;
  /** Lower-cased `starts_with` prefixes of the rules: a family the data names (dated snapshots of it). */
  prefixes?: string[] | undefined;
  /** Unconstrained period first, then dated / time-of-day periods; the last that applies wins. */
  periods: Period[];
  /** No price at all before this instant (custom models with an effective date). */
  strictFrom?: number | undefined;
  source: PriceSource;
}

/** A provider in the price data. */
export interface DataProvider {
  id: string;
  name: string;
  /** Rule telling that a model name belongs to this provider (first-party providers). */
  modelMatch?: Matcher | undefined;
  /** Providers whose models this one also serves (Azure serves OpenAI's, ...). */
  fallback: string[];
  models: DataModel[];
}

/** Providers and the data version. */
export interface PriceData {
  version: string;
  providers: DataProvider[];
}

const ACCEPT_DATA = 'a genai-prices provider list (JSON array) or a snapshot { format: "tokenomics-prices/1", source, providers }';
const ACCEPT_MATCH = 'a match rule: { equals | starts_with | ends_with | contains | regex: string } or { and | or: [rules] }';

/** Whether a parsed document is a price data file (rather than an override file). */
export function isPriceData(value: unknown): boolean {
  return Array.isArray(value) || (isPlainObject(value) && Array.isArray(value.providers));
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/**
 * Providers whose models are read from their packed text (see `readPriceData`'s `lazyModels`):
 * reading `models` compiles them, each time, and nothing compiled is kept on the provider: a price
 * book reads a provider's models once, when it first needs them, and keeps its own copy of them.
 */
const pendingModels = new WeakMap<DataProvider, () => DataModel[]>();
/** Providers of {@link pendingModels} whose models have been read. */
const modelsRead = new WeakSet<DataProvider>();

/** Whether a provider's models have not been read yet (reading `models` compiles them). */
export function modelsPending(provider: DataProvider): boolean {
  return pendingModels.has(provider) && !modelsRead.has(provider);
}

/**
 * The `models` of a provider read from its packed text: one pair of functions for every provider,
 * so that V8 keeps the providers in its compact form (with an accessor of its own, each would
 * become a dictionary of its properties, 0.6 KB). Models assigned replace the text.
 */
const PENDING_MODELS: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: DataProvider): DataModel[] {
    const read = pendingModels.get(this);
    if (read === undefined) return [];
    modelsRead.add(this);
    return read();
  },
  set(this: DataProvider, models: DataModel[]): void {
    pendingModels.delete(this);
    Object.defineProperty(this, 'models', { value: models, writable: true, configurable: true, enumerable: true });
  },
};

/**
 * Reads a price data document; problems are collected in `p` (invalid parts are skipped).
 * With `lazyModels` (the bundled data, checked by its tests) each provider keeps its models as
 * packed JSON text and compiles them when `models` is read: an app that calls one or two providers
 * never holds the compiled models of the other forty. Problems found then are not reported.
 */
export function readPriceData(p: Problems, source: PriceSource, lazyModels = false): PriceData {
  const doc: SourceDoc = p.doc;
  const value = doc.value;
  let list: unknown[];
  let base: FieldPath;
  let version: string;
  if (Array.isArray(value)) {
    list = value;
    base = [];
    version = `genai-prices-data+sha256.${shortHash(doc.text ?? JSON.stringify(value))}`;
  } else if (isPlainObject(value) && Array.isArray(value.providers)) {
    list = value.providers;
    base = ['providers'];
    const src = value.source;
    if (value.format !== undefined && value.format !== 'tokenomics-prices/1') {
      problem(p, ['format'], value.format, '"tokenomics-prices/1"');
    }
    if (typeof value.version === 'string' && value.version) version = value.version;
    else if (isPlainObject(src) && typeof src.name === 'string' && typeof src.version === 'string') {
      version = `${src.name.replace(/^@[^/]+\//, '')}@${src.version}`;
    } else version = `prices+sha256.${shortHash(doc.text ?? JSON.stringify(value))}`;
  } else {
    problem(p, [], value, ACCEPT_DATA);
    return { version: 'invalid', providers: [] };
  }
  const providers: DataProvider[] = [];
  const seen = new Set<string>();
  list.forEach((raw, i) => {
    const path = [...base, i];
    const provider = readProvider(p, path, raw, source, lazyModels);
    if (!provider) return;
    if (seen.has(provider.id)) {
      problem(p, [...path, 'id'], provider.id, 'a provider id not used before in the file', 'is a duplicate provider id');
      return;
    }
    seen.add(provider.id);
    providers.push(provider);
  });
  return { version, providers };
}

function readMatch(p: Problems, path: FieldPath, v: unknown): Matcher | undefined {
  try {
    return compileMatch(v as MatchLogic);
  } catch (err) {
    problem(p, path, v, ACCEPT_MATCH, `is not a valid match rule (${(err as Error).message})`);
    return undefined;
  }
}

function readProvider(p: Problems, path: FieldPath, raw: unknown, source: PriceSource, lazyModels: boolean): DataProvider | undefined {
  if (!isPlainObject(raw)) {
    problem(p, path, raw, 'a provider object { id, name, models: [...] }');
    return undefined;
  }
  if (typeof raw.id !== 'string' || raw.id.trim() === '') {
    problem(p, [...path, 'id'], raw.id, 'a non-empty string');
    return undefined;
  }
  if (!Array.isArray(raw.models)) {
    problem(p, [...path, 'models'], raw.models, 'a list of models');
    return undefined;
  }
  const modelMatch = raw.model_match === undefined ? undefined : readMatch(p, [...path, 'model_match'], raw.model_match);
  let fallback: string[] = [];
  if (raw.fallback_model_providers !== undefined) {
    if (Array.isArray(raw.fallback_model_providers) && raw.fallback_model_providers.every((x) => typeof x === 'string')) {
      fallback = raw.fallback_model_providers as string[];
    } else problem(p, [...path, 'fallback_model_providers'], raw.fallback_model_providers, 'a list of provider ids');
  }
  const fields = {
    id: raw.id.toLowerCase(),
    name: typeof raw.name === 'string' ? raw.name : raw.id,
    modelMatch,
    fallback: fallback.map((f) => f.toLowerCase()),
  };
  if (!lazyModels) return { ...fields, models: readModels(p, path, raw.models, source) };
  // `models` is added as an accessor (PENDING_MODELS), not turned into one: V8 keeps the object in
  // its compact form (changing a property's kind moves an object to a dictionary of its properties).
  const provider = fields as DataProvider;
  // One string per provider, packed: far smaller than the parsed entries, and nothing else is kept.
  const text = packJson(JSON.stringify(raw.models));
  const file = p.doc.file;
  pendingModels.set(provider, () =>
    readModels({ doc: inlineDoc(null, file), errors: [] }, path, JSON.parse(unpackJson(text)) as unknown[], source),
  );
  Object.defineProperty(provider, 'models', PENDING_MODELS);
  return provider;
}

/**
 * Spellings that recur throughout a provider's model list (field names with their punctuation),
 * each written as one control character while the list waits to be read: about half the text.
 * `JSON.stringify` writes every control character escaped (`\u0001`...), so none occurs in its
 * output and the substitution reverses exactly, whatever the text. The last two control
 * characters refer to a model's id (see {@link referToIds}).
 */
const PACKED_SPELLINGS: readonly string[] = [
  '},"context_window":',
  '{"id":"',
  '","name":"',
  '","match":{"equals":"',
  '"},"prices":{"input_mtok":',
  ',"output_mtok":',
  ',"cache_read_mtok":',
  ',"cache_write_mtok":',
  '"match":{"or":[{"equals":"',
  '"},{"equals":"',
  '"}]},"prices":{"input_mtok":',
  '"},{"starts_with":"',
  '{"starts_with":"',
  '"},{"contains":"',
  '{"contains":"',
  '"}]},"context_window":',
  ',"prices":{"input_mtok":',
  '}},',
  '"input_mtok":',
  '{"base":',
  ',"tiers":[{"start":',
  ',"price":',
  '"regex":"',
  ',"web_searches_kcount":',
  ',"storage_searches_kcount":',
  ',"deprecated":true',
  ',"input_audio_mtok":',
  '"prices":[{"prices":{',
  '"constraint":{"start_date":"',
];
const PACK = new RegExp(
  [...PACKED_SPELLINGS]
    .sort((a, b) => b.length - a.length)
    .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('|'),
  'g',
);
const PACK_CODES: ReadonlyMap<string, string> = new Map(PACKED_SPELLINGS.map((s, i) => [s, String.fromCharCode(i + 1)]));
// The codes are control characters on purpose (see above).
// oxlint-disable-next-line no-control-regex
const UNPACK = /[\u0001-\u001d]/g;

/** Where a model's entry starts: `{"id":"<its id>"...`. */
const ID_MARK = '{"id":"';
/** The content of a JSON string equal to the model's id, and to the id lower-cased. */
const SAME_ID = '\u001e';
const SAME_ID_LOWER = '\u001f';

/** A character outside Latin-1: one of them makes V8 keep the whole string at two bytes a character. */
const WIDE = /[\u0100-\uffff]/;

/** `text` with what follows each model's id in its entry (up to the next entry) given by `edit`. */
function editEntries(text: string, edit: (id: string, rest: string) => string): string {
  const parts = text.split(ID_MARK);
  for (let k = 1; k < parts.length; k++) {
    // The id's opening quote ends the mark, just before the part: its closing one ends the id.
    const end = skipString(parts[k], -1) - 1;
    if (end <= 0) continue;
    const id = parts[k].slice(0, end);
    parts[k] = id + edit(id, parts[k].slice(end));
  }
  return parts.join(ID_MARK);
}

/**
 * Each JSON string of a model's entry (from one `{"id":"` to the next) that spells the model's id,
 * or its id lower-cased, written as one control character between its quotes: the ids of a
 * provider's models recur in their match rules and names (a quarter of the bundled text). Only the
 * content between two quotes is replaced, and none of the entry's id, so {@link expandIds} finds
 * each entry and its id where they were.
 */
function referToIds(json: string): string {
  return editEntries(json, (id, rest) => {
    const same = rest.replaceAll(`"${id}"`, `"${SAME_ID}"`);
    const lower = id.toLowerCase();
    return lower === id ? same : same.replaceAll(`"${lower}"`, `"${SAME_ID_LOWER}"`);
  });
}

/** The text {@link referToIds} was given. */
function expandIds(text: string): string {
  if (!text.includes(SAME_ID) && !text.includes(SAME_ID_LOWER)) return text;
  return editEntries(text, (id, rest) => rest.split(SAME_ID).join(id).split(SAME_ID_LOWER).join(id.toLowerCase()));
}

/**
 * `JSON.stringify` output with each character outside Latin-1 (only ever inside a JSON string) as
 * its `\uXXXX` escape, each string of a model's entry equal to its id as a reference to it, and
 * each of {@link PACKED_SPELLINGS} as one control character, in a string V8 keeps at one byte a
 * character.
 */
export function packJson(json: string): string {
  const wide = WIDE.test(json);
  const text = wide ? json.replace(new RegExp(WIDE.source, 'g'), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
  const packed = referToIds(text).replace(PACK, (s) => PACK_CODES.get(s) as string);
  // A string made from a two-byte one stays two-byte: copied through Latin-1 bytes, it is one-byte.
  return wide ? Buffer.from(packed, 'latin1').toString('latin1') : packed;
}

/** JSON text of the value {@link packJson} was given the text of. */
export function unpackJson(packed: string): string {
  return expandIds(packed.replace(UNPACK, (c) => PACKED_SPELLINGS[c.charCodeAt(0) - 1]));
}

function readModels(p: Problems, path: FieldPath, raw: unknown[], source: PriceSource): DataModel[] {
  const models: DataModel[] = [];
  raw.forEach((m: unknown, j: number) => {
    const model = readModel(p, [...path, 'models', j], m, source);
    if (model) models.push(model);
  });
  return models;
}

/**
 * Prefix-key sets already made, by their keys in order: models share one Set per distinct set (most
 * of a provider's models have the same one or two), never changed once read. Bounded: past the
 * limit a model keeps its own Set.
 */
const keySets = new Map<string, Set<string>>();
const KEY_SETS_LIMIT = 4096;

function sharedKeys(keys: Set<string> | null): Set<string> | null {
  if (keys === null) return null;
  const id = [...keys].join('\n');
  const shared = keySets.get(id);
  if (shared !== undefined) return shared;
  if (keySets.size < KEY_SETS_LIMIT) keySets.set(id, keys);
  return keys;
}

function readModel(p: Problems, path: FieldPath, raw: unknown, source: PriceSource): DataModel | undefined {
  if (!isPlainObject(raw)) {
    problem(p, path, raw, 'a model object { id, match, prices }');
    return undefined;
  }
  if (typeof raw.id !== 'string' || raw.id === '') {
    problem(p, [...path, 'id'], raw.id, 'a non-empty string');
    return undefined;
  }
  const match = readMatch(p, [...path, 'match'], raw.match);
  const periods = readPeriods(p, [...path, 'prices'], raw.prices);
  if (!match || !periods) return undefined;
  const model: DataModel = {
    id: raw.id,
    match,
    keys: sharedKeys(prefixKeys(raw.match as MatchLogic)),
    literals: equalsLiterals(raw.match as MatchLogic),
    prefixes: startsWithPrefixes(raw.match as MatchLogic),
    periods,
    source,
  };
  if (typeof raw.name === 'string') model.name = raw.name;
  if (typeof raw.context_window === 'number') model.contextWindow = raw.context_window;
  return model;
}

/** The `starts_with` strings of a rule (at the top or in a top-level `or`), lower-cased. */
function startsWithPrefixes(logic: MatchLogic): string[] {
  const rules: unknown[] = [logic];
  const or = (logic as { or?: unknown }).or;
  if (Array.isArray(or)) rules.push(...or);
  const out: string[] = [];
  for (const rule of rules) if (isPlainObject(rule) && typeof rule.starts_with === 'string') out.push(rule.starts_with.toLowerCase());
  return out;
}

/** The `equals` strings of a rule (at the top or in a top-level `or`), lower-cased. */
function equalsLiterals(logic: MatchLogic): Set<string> {
  const out = new Set<string>();
  const add = (rule: unknown) => {
    if (isPlainObject(rule) && typeof rule.equals === 'string') out.add(rule.equals.toLowerCase());
  };
  add(logic);
  const or = (logic as { or?: unknown }).or;
  if (Array.isArray(or)) for (const rule of or) add(rule);
  return out;
}

function readPeriods(p: Problems, path: FieldPath, raw: unknown): Period[] | undefined {
  if (!Array.isArray(raw)) {
    const rates = readUpstreamRates(p, path, raw);
    return rates ? [{ rates }] : undefined;
  }
  if (raw.length === 0) {
    problem(p, path, raw, 'a price object or a non-empty list of { constraint?, prices }');
    return undefined;
  }
  const periods: Period[] = [];
  let ok = true;
  raw.forEach((entry: unknown, i: number) => {
    const ep = [...path, i];
    if (!isPlainObject(entry)) {
      problem(p, ep, entry, '{ constraint?: { start_date } | { start_time, end_time }, prices: {...} }');
      ok = false;
      return;
    }
    const rates = readUpstreamRates(p, [...ep, 'prices'], entry.prices);
    if (!rates) {
      ok = false;
      return;
    }
    const period: Period = { rates };
    const c = entry.constraint;
    if (c !== undefined) {
      if (!isPlainObject(c)) {
        problem(p, [...ep, 'constraint'], c, '{ start_date: YYYY-MM-DD } or { start_time, end_time }');
        ok = false;
        return;
      }
      if (c.start_date !== undefined) {
        const from = readDate(p, [...ep, 'constraint', 'start_date'], c.start_date);
        if (from === undefined) ok = false;
        else period.from = from;
      } else if (c.start_time !== undefined || c.end_time !== undefined) {
        const start = readTimeOfDay(p, [...ep, 'constraint', 'start_time'], c.start_time);
        const end = readTimeOfDay(p, [...ep, 'constraint', 'end_time'], c.end_time);
        if (start === undefined || end === undefined) ok = false;
        else period.timeOfDay = [start, end];
      } else {
        problem(p, [...ep, 'constraint'], c, '{ start_date: YYYY-MM-DD } or { start_time, end_time }');
        ok = false;
      }
    }
    periods.push(period);
  });
  return ok ? periods : undefined;
}

/** `HH:MM:SS[.fff](Z|±HH:MM)` -> seconds after UTC midnight. */
export function readTimeOfDay(p: Problems, path: FieldPath, v: unknown): number | undefined {
  const m = typeof v === 'string' ? /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/.exec(v) : null;
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3]) > 59) {
    problem(p, path, v, 'a time of day HH:MM:SS with Z or ±HH:MM');
    return undefined;
  }
  const seconds = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(`0.${m[4] ?? '0'}`);
  const offset = m[5] === 'Z' ? 0 : (m[6] === '+' ? 1 : -1) * (Number(m[7]) * 3600 + Number(m[8]) * 60);
  return (((seconds - offset) % 86400) + 86400) % 86400;
}
