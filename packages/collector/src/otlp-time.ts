import { int64ToNumber, type Int64 } from './otlp-messages';

/** `[seconds, nanoseconds]` of an OTLP `fixed64` nanosecond timestamp. */
export function nanosToHrTime(value: Int64 | null | undefined): [number, number] {
  const nanos = int64ToNumber(value);
  const seconds = Math.floor(nanos / 1e9);
  return [seconds, Math.max(0, Math.min(999_999_999, Math.round(nanos - seconds * 1e9)))];
}

/** An OTLP nanosecond timestamp (decimal string, exact) of `[seconds, nanoseconds]`. */
export function hrTimeToNanos(time: readonly [number, number]): string {
  return (BigInt(Math.trunc(time[0])) * 1_000_000_000n + BigInt(Math.trunc(time[1]))).toString();
}

/** An OTLP nanosecond timestamp (decimal string) of epoch milliseconds. */
export function millisToNanos(ms: number): string {
  return (BigInt(Math.trunc(ms)) * 1_000_000n).toString();
}
