/** Limits of {@link toPlainData}. */
export interface PlainDataLimits {
  /** Deepest nesting copied; deeper values (and cycles) make the copy fail. */
  maxDepth: number;
  /** Most values (objects, arrays, primitives) copied. */
  maxValues: number;
  /** Most string characters copied, summed over every string. */
  maxChars: number;
}

/** Room for any real request: 64 levels, a million values, 32 million characters. */
export const DEFAULT_PLAIN_DATA_LIMITS: PlainDataLimits = { maxDepth: 64, maxValues: 1_000_000, maxChars: 32 * 1024 * 1024 };

class TooLarge extends Error {}

/**
 * A copy of `value` made only of plain data (strings, finite numbers, booleans, `null`, arrays and
 * objects of those), safe to post to a worker thread: functions, symbols, bigints, binary data and
 * anything whose reading throws (getters, proxies) are left out, as `JSON.stringify` leaves them
 * out; only own enumerable string keys are read, so `__proto__` or `constructor` keys are plain
 * keys of the copy. Returns `undefined` when `value` exceeds `limits` (or is cyclic).
 * Never throws.
 */
export function toPlainData(value: unknown, limits: PlainDataLimits = DEFAULT_PLAIN_DATA_LIMITS): unknown {
  const budget = { values: limits.maxValues, chars: limits.maxChars };
  try {
    return copy(value, 0, limits.maxDepth, budget);
  } catch {
    return undefined;
  }
}

function copy(value: unknown, depth: number, maxDepth: number, budget: { values: number; chars: number }): unknown {
  if (--budget.values < 0) throw new TooLarge();
  switch (typeof value) {
    case 'string':
      budget.chars -= value.length;
      if (budget.chars < 0) throw new TooLarge();
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return null;
  if (depth >= maxDepth) throw new TooLarge();
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return undefined;
  if (Array.isArray(value)) {
    const length = value.length;
    if (length > budget.values) throw new TooLarge();
    const out: unknown[] = new Array(length);
    for (let i = 0; i < length; i++) {
      const item = copy(value[i], depth + 1, maxDepth, budget);
      out[i] = item === undefined ? null : item;
    }
    return out;
  }
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value)) {
    let item: unknown;
    try {
      item = (value as Record<string, unknown>)[key];
    } catch {
      continue;
    }
    const plain = copy(item, depth + 1, maxDepth, budget);
    if (plain !== undefined) Object.defineProperty(out, key, { value: plain, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
