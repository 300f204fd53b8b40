// Small statistics for per-call times and for combining rounds.

/** Mean, p50 and p99 (µs) of per-call times given in milliseconds. */
export function summarise(timesMs) {
  const sorted = Float64Array.from(timesMs).sort();
  let sum = 0;
  for (const t of sorted) sum += t;
  return {
    meanUs: (sum / sorted.length) * 1000,
    p50Us: quantile(sorted, 0.5) * 1000,
    p99Us: quantile(sorted, 0.99) * 1000,
  };
}

/** Quantile of sorted values (nearest rank). */
export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/** Median of numbers (NaN for none). */
export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/**
 * A distribution-free confidence interval of the median: the order statistics [x(k), x(n+1-k)]
 * with the largest k whose coverage, 1 - 2·P(Binomial(n, ½) < k), is at least `level`. Undefined
 * below 6 values (no such k at 95 %).
 */
export function medianInterval(values, level = 0.95) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const n = v.length;
  let below = 0; // P(B < k), for k = 1, 2, ...
  let term = 0.5 ** n; // P(B = k - 1)
  let k = 0;
  for (let j = 1; j <= n >> 1; j++) {
    below += term;
    if (1 - 2 * below < level) break;
    k = j;
    term = (term * (n - (j - 1))) / j;
  }
  return k === 0 ? undefined : { low: v[k - 1], high: v[n - k], coverage: coverageOf(n, k) };
}

function coverageOf(n, k) {
  let below = 0;
  let term = 0.5 ** n;
  for (let j = 0; j < k; j++) {
    below += term;
    term = (term * (n - j)) / (j + 1);
  }
  return 1 - 2 * below;
}
