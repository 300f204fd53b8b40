import {
  BUDGET_WINDOWS,
  BudgetGuard,
  setBudgetGuard,
  type Budget,
  type BudgetMatch,
  type BudgetsConfig,
  type BudgetWindow,
} from '@tokenomics/instrumentation/hook';
import { describeValue, PriceFileError } from '@tokenomics/pricing/price-file-error';
import { fieldName, readSourceDoc, type FieldPath, type SourceDoc } from '@tokenomics/pricing/source-doc';
import { ConfigError } from './config-error';
import type { Env } from './env-reader';

/**
 * A problem in a budgets file. The message names the file, line, field and offending value, and
 * says what is accepted, on one line:
 *
 * ```text
 * budgets.yml:7: budgets[1].window: "week" is not accepted; accepted: one of hour, day, 30d
 * ```
 */
export class BudgetsFileError extends Error {
  constructor(
    /** Path of the file as given. */
    readonly file: string,
    /** 1-based line of the field; `undefined` when unknown. */
    readonly line: number | undefined,
    /** Dotted path of the field, e.g. `budgets[0].limit_usd`; empty for the whole document. */
    readonly field: string,
    /** The offending value (`undefined` when the field is missing). */
    readonly value: unknown,
    /** What the field accepts. */
    readonly accepted: string,
    problem?: string,
  ) {
    const where = line === undefined ? file : `${file}:${line}`;
    const what = problem ?? (value === undefined ? 'is missing' : `${describeValue(value)} is not accepted`);
    super(`${where}: ${field || '(document)'}: ${what}; accepted: ${accepted}`.replace(/[\r\n]+/g, ' '));
    this.name = 'BudgetsFileError';
  }
}

/** Most budgets one file may hold (each is a few numbers in memory and a few series in Prometheus). */
export const MAX_BUDGETS = 1_000;
/** Longest budget name and match value. */
export const MAX_BUDGET_TEXT = 256;

const BUDGET_NAME = /^[A-Za-z0-9_.:-]+$/;
const ACTIONS = ['warn', 'reject'] as const;
const MATCH_KEYS = ['service', 'tenant', 'feature', 'model'] as const;
const TOP_KEYS = ['budgets', 'default_output_tokens'];
const BUDGET_KEYS = ['name', 'limit_usd', 'window', 'action', 'match'];

/**
 * Reads and checks a budgets file (YAML or JSON):
 *
 * ```yaml
 * default_output_tokens: 1024   # assumed when a call sets no max_tokens (optional)
 * budgets:
 *   - name: checkout-daily      # letters, digits, _ . : -; unique
 *     limit_usd: 500            # USD per window
 *     window: day               # hour | day | 30d
 *     action: reject            # warn (default) | reject
 *     match: { service: checkout }   # any of service, tenant, feature, model; none: every service
 * ```
 *
 * Throws a {@link BudgetsFileError} naming the file, line, field and value of the first problem.
 */
export function loadBudgetsFile(file: string): BudgetsConfig {
  let doc: SourceDoc;
  try {
    doc = readSourceDoc(file);
  } catch (err) {
    if (err instanceof PriceFileError) {
      throw new BudgetsFileError(err.file, err.line, err.field, err.value, 'a YAML or JSON budgets file', problemOf(err.message));
    }
    throw err;
  }
  return readBudgets(doc);
}

function problemOf(message: string): string {
  const m = /^[^:]*(?::\d+)?: [^:]*: (.*); accepted: .*$/.exec(message);
  return m ? m[1] : message;
}

/** Checks a parsed budgets document; `doc.lineOf` gives the line of each field for errors. */
export function readBudgets(doc: SourceDoc): BudgetsConfig {
  const fail = (path: FieldPath, value: unknown, accepted: string, problem?: string): never => {
    throw new BudgetsFileError(doc.file, doc.lineOf(path), fieldName(path), value, accepted, problem);
  };
  const root = doc.value;
  if (!isObject(root)) return fail([], root, 'an object with a "budgets" list');
  checkKeys(root, [], TOP_KEYS, fail);
  const config: BudgetsConfig = { budgets: [] };
  if (Object.hasOwn(root, 'default_output_tokens')) {
    const v = root.default_output_tokens;
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 10_000_000)) {
      fail(['default_output_tokens'], v, 'a whole number of tokens from 0 to 10000000');
    }
    config.defaultOutputTokens = v as number;
  }
  const list = Object.hasOwn(root, 'budgets') ? root.budgets : undefined;
  if (!Array.isArray(list)) return fail(['budgets'], list, 'a list of budgets');
  if (list.length > MAX_BUDGETS) fail(['budgets'], `${list.length} budgets`, `at most ${MAX_BUDGETS} budgets`, 'has too many entries');
  const names = new Set<string>();
  list.forEach((raw: unknown, i) => {
    const at: FieldPath = ['budgets', i];
    if (!isObject(raw)) fail(at, raw, 'a budget: { name, limit_usd, window, action, match }');
    const entry = raw as Record<string, unknown>;
    checkKeys(entry, at, BUDGET_KEYS, fail);
    const name = own(entry, 'name');
    if (typeof name !== 'string' || !BUDGET_NAME.test(name) || name.length > MAX_BUDGET_TEXT) {
      fail([...at, 'name'], name, `a name of letters, digits, "_", ".", ":" and "-" (at most ${MAX_BUDGET_TEXT} characters)`);
    }
    if (names.has(name as string)) fail([...at, 'name'], name, 'a name no other budget has', 'is the name of an earlier budget');
    names.add(name as string);
    const limit = own(entry, 'limit_usd');
    if (!(typeof limit === 'number' && limit >= 0 && limit < Infinity))
      fail([...at, 'limit_usd'], limit, 'a non-negative number (USD per window)');
    const window = own(entry, 'window');
    if (!BUDGET_WINDOWS.includes(window as BudgetWindow)) fail([...at, 'window'], window, `one of ${BUDGET_WINDOWS.join(', ')}`);
    const action = own(entry, 'action') ?? 'warn';
    if (!ACTIONS.includes(action as 'warn')) fail([...at, 'action'], action, 'warn or reject');
    const match: BudgetMatch = {};
    const rawMatch = own(entry, 'match');
    if (rawMatch !== undefined) {
      if (!isObject(rawMatch)) fail([...at, 'match'], rawMatch, 'an object with any of service, tenant, feature, model');
      const m = rawMatch as Record<string, unknown>;
      checkKeys(m, [...at, 'match'], MATCH_KEYS, fail);
      for (const key of MATCH_KEYS) {
        if (!Object.hasOwn(m, key)) continue;
        const v = m[key];
        if (typeof v !== 'string' || v === '' || v.length > MAX_BUDGET_TEXT) {
          fail([...at, 'match', key], v, `a non-empty string of at most ${MAX_BUDGET_TEXT} characters`);
        }
        match[key] = v as string;
      }
    }
    const budget: Budget = {
      name: name as string,
      limitUsd: limit as number,
      window: window as BudgetWindow,
      action: action as Budget['action'],
      match,
    };
    config.budgets.push(budget);
  });
  return config;
}

function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function checkKeys(
  obj: Record<string, unknown>,
  at: FieldPath,
  allowed: readonly string[],
  fail: (path: FieldPath, value: unknown, accepted: string, problem?: string) => never,
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail([...at, key], obj[key], `only the fields ${allowed.join(', ')}`, 'is not a known field');
  }
}

/**
 * Turns the budget guard on when `budgets` (a file path or budgets already read) or
 * `TOKENOMICS_BUDGETS_FILE` gives budgets, and off otherwise. Reads the file now, so a bad one
 * fails start-up: throws {@link ConfigError} naming the variable (or option), file, line, field and value.
 */
export function applyBudgets(env: Env, budgets: string | BudgetsConfig | undefined, serviceName: string | undefined): void {
  const file = typeof budgets === 'string' ? budgets : budgets === undefined ? env.TOKENOMICS_BUDGETS_FILE?.trim() || undefined : undefined;
  let config: BudgetsConfig | undefined = typeof budgets === 'object' ? budgets : undefined;
  if (file !== undefined) {
    try {
      config = loadBudgetsFile(file);
    } catch (err) {
      const source = typeof budgets === 'string' ? 'budgets option' : 'TOKENOMICS_BUDGETS_FILE';
      if (err instanceof BudgetsFileError) throw new ConfigError([`${source}: ${err.message}`]);
      const reason = (err instanceof Error ? err.message : String(err)).split(/\r?\n/)[0];
      throw new ConfigError([`${source}: ${file} cannot be loaded (${reason}); accepted: a budgets file as the README describes`]);
    }
  }
  setBudgetGuard(config === undefined || config.budgets.length === 0 ? undefined : new BudgetGuard(config, { serviceName }));
}
