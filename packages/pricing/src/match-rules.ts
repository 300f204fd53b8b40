/**
 * Match rules of the price data (`equals`, `starts_with`, `ends_with`, `contains`, `regex`, `and`,
 * `or`) and user globs, compiled once into plain functions. Text comparisons are case-insensitive;
 * `regex` is applied to the string as given, like the upstream data expects.
 */

/** A match rule as written in the price data. */
export type MatchLogic =
  | { and: MatchLogic[] }
  | { or: MatchLogic[] }
  | { equals: string }
  | { starts_with: string }
  | { ends_with: string }
  | { contains: string }
  | { regex: string };

/** A compiled rule: `raw` is the string as given, `lower` the same string lower-cased. */
export type Matcher = (raw: string, lower: string) => boolean;

const never: Matcher = () => false;

/** Compiles a match rule; throws `Error` with the offending part when the rule is malformed. */
export function compileMatch(logic: MatchLogic): Matcher {
  if (logic === null || typeof logic !== 'object' || Array.isArray(logic)) {
    throw new Error('a match rule must be an object');
  }
  const keys = Object.keys(logic);
  if (keys.length !== 1) throw new Error(`a match rule has exactly one of ${MATCH_KEYS.join(', ')}`);
  const key = keys[0];
  const arg = (logic as Record<string, unknown>)[key];
  switch (key) {
    case 'or':
    case 'and': {
      if (!Array.isArray(arg) || arg.length === 0) throw new Error(`"${key}" takes a non-empty list of rules`);
      if (key === 'or') return compileOr(arg as MatchLogic[]);
      const parts = (arg as MatchLogic[]).map(compileMatch);
      return (raw, lower) => {
        for (let i = 0; i < parts.length; i++) if (!parts[i](raw, lower)) return false;
        return true;
      };
    }
    case 'equals':
    case 'starts_with':
    case 'ends_with':
    case 'contains': {
      if (typeof arg !== 'string') throw new Error(`"${key}" takes a string`);
      const lit = arg.toLowerCase();
      if (key === 'equals') return (_raw, lower) => lower === lit;
      if (key === 'starts_with') return (_raw, lower) => lower.startsWith(lit);
      if (key === 'ends_with') return (_raw, lower) => lower.endsWith(lit);
      return (_raw, lower) => lower.includes(lit);
    }
    case 'regex': {
      if (typeof arg !== 'string') throw new Error('"regex" takes a string');
      const re = new RegExp(arg);
      return (raw) => re.test(raw);
    }
    default:
      throw new Error(`unknown match rule "${key}"`);
  }
}

/** Names a match rule may use. */
export const MATCH_KEYS = ['equals', 'starts_with', 'ends_with', 'contains', 'regex', 'and', 'or'];

/** `or` of rules; the `equals` among them become one Set lookup. */
function compileOr(rules: MatchLogic[]): Matcher {
  const equals = new Set<string>();
  const others: Matcher[] = [];
  for (const rule of rules) {
    if (
      rule !== null &&
      typeof rule === 'object' &&
      'equals' in rule &&
      typeof rule.equals === 'string' &&
      Object.keys(rule).length === 1
    ) {
      equals.add(rule.equals.toLowerCase());
    } else {
      others.push(compileMatch(rule));
    }
  }
  if (others.length === 0) return (_raw, lower) => equals.has(lower);
  return (raw, lower) => {
    if (equals.has(lower)) return true;
    for (let i = 0; i < others.length; i++) if (others[i](raw, lower)) return true;
    return false;
  };
}

/**
 * Compiles a glob (`*` any run of characters, `?` one character), matched case-insensitively
 * against the whole string.
 */
export function compileGlob(glob: string): Matcher {
  const lower = glob.toLowerCase();
  if (lower === '*') return () => true;
  if (!/[*?]/.test(lower)) return (_raw, s) => s === lower;
  const star = lower.indexOf('*');
  if (star === lower.length - 1 && !lower.includes('?')) {
    const prefix = lower.slice(0, -1);
    return (_raw, s) => s.startsWith(prefix);
  }
  const source = lower
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const re = new RegExp(`^${source}$`, 's');
  return (_raw, s) => re.test(s);
}

/** A matcher that accepts any of the given matchers. */
export function anyOf(matchers: Matcher[]): Matcher {
  if (matchers.length === 0) return never;
  if (matchers.length === 1) return matchers[0];
  return (raw, lower) => {
    for (let i = 0; i < matchers.length; i++) if (matchers[i](raw, lower)) return true;
    return false;
  };
}

/**
 * Two-character prefixes a string must start with (lower-cased) to possibly match the rule, or
 * `null` when it may start with anything (`contains`, `regex`, short literals). Used to index
 * models so a search only tries rules that can match.
 */
export function prefixKeys(logic: MatchLogic): Set<string> | null {
  if ('or' in logic) {
    const out = new Set<string>();
    for (const rule of logic.or) {
      const keys = prefixKeys(rule);
      if (keys === null) return null;
      for (const k of keys) out.add(k);
    }
    return out;
  }
  if ('and' in logic) {
    for (const rule of logic.and) {
      const keys = prefixKeys(rule);
      if (keys !== null) return keys;
    }
    return null;
  }
  const lit = 'equals' in logic ? logic.equals : 'starts_with' in logic ? logic.starts_with : undefined;
  return typeof lit === 'string' && lit.length >= 2 ? new Set([lit.slice(0, 2).toLowerCase()]) : null;
}

/** `prefixKeys` for a glob. */
export function globPrefixKeys(glob: string): Set<string> | null {
  const head = glob.slice(0, 2);
  return head.length === 2 && !/[*?]/.test(head) ? new Set([head.toLowerCase()]) : null;
}

/** Union of prefix keys (`null` absorbs). */
export function unionKeys(a: Set<string> | null, b: Set<string> | null): Set<string> | null {
  if (a === null || b === null) return null;
  return new Set([...a, ...b]);
}
