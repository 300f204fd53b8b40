import { OVERFLOW_VALUE } from './semconv';

/**
 * Keeps the number of distinct values of one metric attribute bounded: the first `max` values seen
 * pass through, later new values collapse into `_other`. Memory is O(max).
 */
export class BoundedValues {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  /** `value` itself while under the cap (or already seen), else the overflow value. */
  admit(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size < this.max) {
      this.seen.add(value);
      return value;
    }
    return OVERFLOW_VALUE;
  }
}
