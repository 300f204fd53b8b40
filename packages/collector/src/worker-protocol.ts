/**
 * The messages between the stage's main thread and its enrichment workers, and the rule for handing
 * bytes over without copying them.
 */
import type { CostMetricsSource } from './collector';
import type { CostTally } from './cost-tally';
import type { PriceBookSource } from './price-book-holder';
import type { Signal } from './stats';

/** What a worker is built from: the main thread's price book files and cost-counter sources. */
export interface WorkerData {
  readonly priceBook: PriceBookSource | undefined;
  readonly costMetricsFrom: CostMetricsSource | undefined;
  readonly costMetricsFromServices: Readonly<Record<string, CostMetricsSource>> | undefined;
}

/** Main thread to worker. */
export type WorkerRequest =
  | { readonly kind: 'work'; readonly id: number; readonly signal: Signal; readonly bytes: Uint8Array }
  | { readonly kind: 'reload' };

/** Worker to main thread. */
export type WorkerReply =
  | { readonly kind: 'ready'; readonly version: string }
  | { readonly kind: 'reloaded'; readonly version: string; readonly error?: string }
  | {
      readonly kind: 'done';
      readonly id: number;
      /** The request to forward. */
      readonly bytes: Uint8Array;
      readonly spans: number;
      readonly enriched: number;
      readonly unpriced: number;
      readonly duplicates: number;
      /** Token-usage histogram points read. */
      readonly points: number;
      /** Priced and unpriced calls of a traces request. */
      readonly tally?: CostTally;
    }
  | { readonly kind: 'malformed'; readonly id: number; readonly reason: string };

/**
 * `bytes` when they span their whole `ArrayBuffer` (which can then be transferred to another thread
 * without a copy), else a copy that does. A Buffer cut from Node's shared pool is always copied:
 * transferring its buffer would take the pool from under other Buffers.
 */
export function ownedBytes(bytes: Uint8Array): Uint8Array {
  const buffer = bytes.buffer;
  if (buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength) return bytes;
  return new Uint8Array(bytes);
}
