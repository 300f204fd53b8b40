/** An OTLP signal, as in the `/v1/<signal>` paths. */
export type Signal = 'traces' | 'metrics' | 'logs';

/** Why data was dropped. */
export type DropReason = 'rejected' | 'shutdown_timeout' | 'retries_exhausted';

/**
 * The stage's own counters since it started, read by the Prometheus endpoint. Plain numbers: only
 * the main thread counts (workers send their counts back with each request).
 */
export class CollectorStats {
  /** Export requests accepted, by signal. */
  readonly requests: Record<Signal, number> = { traces: 0, metrics: 0, logs: 0 };
  /** Spans received. */
  spans = 0;
  /** Metric data points of `gen_ai.client.token.usage` read. */
  tokenUsagePoints = 0;
  /** GenAI spans priced. */
  enriched = 0;
  /** GenAI spans marked unpriced. */
  unpriced = 0;
  /** GenAI spans marked as a duplicate of another span of the same call. */
  duplicates = 0;
  /** Requests refused because the queue was full (429 / RESOURCE_EXHAUSTED). */
  refused = 0;
  /** Requests refused as malformed (400), oversized (413) or of an unknown type (415). */
  invalid = 0;
  /** Requests answered 503 / UNAVAILABLE because the worker enriching them failed (the sender retries). */
  failed = 0;
  /** Requests delivered, by destination. */
  readonly forwarded = new Map<string, number>();
  /** Requests dropped, by destination and reason. */
  readonly dropped = new Map<string, number>();
  /** Items of requests dropped (spans, points or log records are not counted apart: requests). */
  droppedTotal = 0;
  /** Retries made, by destination. */
  readonly retries = new Map<string, number>();

  /** Count one request delivered to `destination`. */
  countForwarded(destination: string): void {
    this.forwarded.set(destination, (this.forwarded.get(destination) ?? 0) + 1);
  }

  /** Count one accepted request dropped for `destination`, and why. */
  countDropped(destination: string, reason: DropReason): void {
    const key = `${destination}\u0000${reason}`;
    this.dropped.set(key, (this.dropped.get(key) ?? 0) + 1);
    this.droppedTotal++;
  }

  /** Count one delivery attempt to `destination` that will be retried. */
  countRetry(destination: string): void {
    this.retries.set(destination, (this.retries.get(destination) ?? 0) + 1);
  }
}
