/** A budget window: the last hour, the last day or the last 30 days. */
export type BudgetWindow = 'hour' | 'day' | '30d';

/** The windows a budget can have, in the order they are documented. */
export const BUDGET_WINDOWS: readonly BudgetWindow[] = ['hour', 'day', '30d'];

/** Length of each window in milliseconds. */
export const WINDOW_MS: Readonly<Record<BudgetWindow, number>> = {
  hour: 3_600_000,
  day: 86_400_000,
  '30d': 30 * 86_400_000,
};

/** Length of each window in hours (a 30-day window is 720 hours). */
export const WINDOW_HOURS: Readonly<Record<BudgetWindow, number>> = { hour: 1, day: 24, '30d': 720 };

/** Buckets per window: spend leaves a window at most 1/60 of the window after it is fully past. */
export const BUCKETS_PER_WINDOW = 60;

/**
 * Spend over a sliding window, kept in a fixed ring of buckets (memory O(1) whatever the traffic).
 * A window of length W is cut into 60 buckets of W/60; the spend in the window at time `t` is the
 * sum of the bucket holding `t` and the 60 before it. So an amount counts for at least the full
 * window and at most one bucket (W/60) longer: the guard never forgets spend early.
 */
export class SpendWindow {
  private readonly bucketMs: number;
  private readonly amounts = new Float64Array(BUCKETS_PER_WINDOW + 1);
  /** Bucket number (time / bucketMs) each slot holds; -1 for an empty slot. */
  private readonly slots = new Float64Array(BUCKETS_PER_WINDOW + 1).fill(-1);

  constructor(
    readonly window: BudgetWindow,
    private readonly now: () => number = Date.now,
  ) {
    this.bucketMs = WINDOW_MS[window] / BUCKETS_PER_WINDOW;
  }

  /** Adds `usd` spent now. Amounts that are not finite and non-negative are ignored. */
  add(usd: number): void {
    if (!(usd >= 0 && usd < Infinity)) return;
    const bucket = Math.floor(this.now() / this.bucketMs);
    const i = bucket % this.amounts.length;
    if (this.slots[i] !== bucket) {
      this.slots[i] = bucket;
      this.amounts[i] = 0;
    }
    this.amounts[i] += usd;
  }

  /** USD spent in the window ending now. */
  spent(): number {
    const current = Math.floor(this.now() / this.bucketMs);
    let sum = 0;
    for (let i = 0; i < this.amounts.length; i++) {
      const bucket = this.slots[i];
      if (bucket > current - this.amounts.length && bucket <= current) sum += this.amounts[i];
    }
    return sum;
  }
}
