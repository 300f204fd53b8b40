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
