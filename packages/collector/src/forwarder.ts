/**
 * Forwarding to OTLP/HTTP destinations (protobuf): one bounded queue per destination, a few
 * concurrent senders each, retries with exponential backoff that honour `Retry-After`. A request is
 * accepted only when every destination's queue has room for it (otherwise the receiver answers with
 * backpressure); once accepted it is retried until delivered, refused for good by the destination
 * (4xx other than 429), or the stage shuts down past its drain timeout. Every drop is counted.
 */
import { diag } from '@opentelemetry/api';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { CollectorStats, Signal } from './stats';

/** One destination. */
export interface DestinationOptions {
  /** Base URL; `/v1/traces`, `/v1/metrics`, `/v1/logs` are appended. */
  endpoint: string;
  /** Extra request headers (authentication, tenant). */
  headers?: Record<string, string> | undefined;
  /** Timeout of one attempt, milliseconds. Default 10 000. */
  timeoutMs?: number | undefined;
  /** Concurrent requests in flight. Default 4. */
  concurrency?: number | undefined;
}

/** Retry schedule. */
export interface RetryOptions {
  /** First backoff, milliseconds. Default 100. */
  initialIntervalMs?: number | undefined;
  /** Longest backoff, milliseconds (a longer `Retry-After` is honoured up to 60 s). Default 5 000. */
  maxIntervalMs?: number | undefined;
}

/** A request's body: one buffer, or its parts in order (sent one after the other, never joined). */
export type Body = Uint8Array | readonly Uint8Array[];

interface Item {
  readonly signal: Signal;
  readonly body: Body;
  readonly size: number;
}

/** Bytes of a body. */
export function sizeOf(body: Body): number {
  if (!Array.isArray(body)) return (body as Uint8Array).length;
  let size = 0;
  for (const part of body as readonly Uint8Array[]) size += part.length;
  return size;
}

const RETRYABLE = new Set([429, 502, 503, 504]);
const MAX_RETRY_AFTER_MS = 60_000;

/** A cancellable wait. */
class Sleeper {
  private wakers = new Set<() => void>();
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }
  wakeAll(): void {
    for (const wake of [...this.wakers]) wake();
  }
}

/** One destination's queue and senders. */
export class Destination {
  readonly endpoint: string;
  private readonly queue: Item[] = [];
  private head = 0;
  /** Bytes held: queued and in flight. */
  private held = 0;
  /** Bytes of requests not queued yet (being enriched by a worker), set aside under the limit. */
  private reserved = 0;
  private inFlight = 0;
  private stopping = false;
  private abandoned = false;
  private readonly sleeper = new Sleeper();
  private readonly agent: HttpAgent;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly workAvailable: (() => void)[] = [];
  private readonly workers: Promise<void>[] = [];

  constructor(
    private readonly options: DestinationOptions,
    private readonly retry: Required<{ [K in keyof RetryOptions]-?: number }>,
    private readonly limitBytes: number,
    private readonly stats: CollectorStats,
  ) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    const secure = this.endpoint.startsWith('https:');
    this.agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
    for (let i = 0; i < concurrency; i++) this.workers.push(this.work());
  }

  /** Bytes queued, in flight, or set aside for requests being enriched. */
  get heldBytes(): number {
    return this.held + this.reserved;
  }

  /** Requests queued (not yet in flight). */
  get queued(): number {
    return this.queue.length - this.head;
  }

  /** Whether `bytes` more fit under the memory limit. */
  hasRoom(bytes: number): boolean {
    return !this.stopping && this.held + this.reserved + bytes <= this.limitBytes;
  }

  /** Set `bytes` aside under the limit (the caller checked {@link hasRoom}); {@link release} gives them back. */
  reserve(bytes: number): void {
    this.reserved += bytes;
  }

  /** Give back bytes set aside by {@link reserve}. */
  release(bytes: number): void {
    this.reserved = Math.max(0, this.reserved - bytes);
  }

  /** Queue a request; the caller checked {@link hasRoom}. */
  push(signal: Signal, body: Body, size = sizeOf(body)): void {
    this.queue.push({ signal, body, size });
    this.held += size;
    this.workAvailable.shift()?.();
  }

  /**
   * Stop taking requests and deliver what is held, waiting at most `timeoutMs`; what is still
   * held then is dropped and counted.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.stopping = true;
    const idle = new Promise<void>((resolve) => {
      if (this.held === 0) resolve();
      else this.idleWaiters.push(resolve);
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), Math.max(0, timeoutMs))));
    const late = await Promise.race([idle.then(() => false), timedOut]);
    clearTimeout(timer);
    this.abandoned = true;
    if (late) {
      for (let i = this.head; i < this.queue.length; i++) this.stats.countDropped(this.endpoint, 'shutdown_timeout');
      this.queue.length = 0;
      this.head = 0;
    }
    // Abort what is in flight (its sender counts it dropped), wake the senders that wait.
    this.agent.destroy();
    this.sleeper.wakeAll();
    for (const wake of this.workAvailable.splice(0)) wake();
    await Promise.all(this.workers);
  }

  private take(): Promise<Item | undefined> {
    if (this.head < this.queue.length) {
      const item = this.queue[this.head++];
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      return Promise.resolve(item);
    }
    if (this.abandoned) return Promise.resolve(undefined);
    return new Promise((resolve) => this.workAvailable.push(() => resolve(this.take())));
  }

  private async work(): Promise<void> {
    for (;;) {
      const item = await this.take();
      if (item === undefined) return;
      this.inFlight++;
      try {
        await this.deliver(item);
      } finally {
        this.inFlight--;
        this.held -= item.size;
        if (this.held === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      }
    }
  }

  private async deliver(item: Item): Promise<void> {
    let backoff = this.retry.initialIntervalMs;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.send(item);
      if (outcome.kind === 'ok') {
        this.stats.countForwarded(this.endpoint);
        return;
      }
      if (outcome.kind === 'rejected') {
        diag.warn(`@tokenomics/collector: ${this.endpoint} refused ${item.signal} (${outcome.detail}); dropped`);
        this.stats.countDropped(this.endpoint, 'rejected');
        return;
      }
      if (this.abandoned) {
        this.stats.countDropped(this.endpoint, 'shutdown_timeout');
        return;
      }
      this.stats.countRetry(this.endpoint);
      const wait = outcome.retryAfterMs ?? jitter(backoff);
      if (attempt === 0) diag.debug(`@tokenomics/collector: ${this.endpoint}: ${outcome.detail}; retrying in ${wait} ms`);
      backoff = Math.min(backoff * 2, this.retry.maxIntervalMs);
      await this.sleeper.sleep(wait);
      if (this.abandoned) {
        this.stats.countDropped(this.endpoint, 'shutdown_timeout');
        return;
      }
    }
  }

  private send(
    item: Item,
  ): Promise<{ kind: 'ok' } | { kind: 'rejected'; detail: string } | { kind: 'retry'; detail: string; retryAfterMs?: number }> {
    return new Promise((resolve) => {
      const url = new URL(`${this.endpoint}/v1/${item.signal}`);
      const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          headers: { ...this.options.headers, 'content-type': 'application/x-protobuf', 'content-length': item.size },
          timeout: this.options.timeoutMs ?? 10_000,
        },
        (res: IncomingMessage) => {
          res.resume();
          res.on('error', () => undefined);
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve({ kind: 'ok' });
          else if (RETRYABLE.has(status)) {
            const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
            resolve(
              retryAfterMs === undefined
                ? { kind: 'retry', detail: `HTTP ${status}` }
                : { kind: 'retry', detail: `HTTP ${status}`, retryAfterMs },
            );
          } else resolve({ kind: 'rejected', detail: `HTTP ${status}` });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err) => resolve({ kind: 'retry', detail: err.message }));
      if (Array.isArray(item.body)) {
        req.cork();
        for (const part of item.body as readonly Uint8Array[]) req.write(part);
        req.end();
      } else req.end(item.body);
    });
  }
}

/** Milliseconds from a `Retry-After` header (seconds or an HTTP date), capped at a minute. */
export function parseRetryAfter(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(MAX_RETRY_AFTER_MS, Math.round(seconds * 1000));
  const date = Date.parse(value);
  if (!Number.isFinite(date)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, date - Date.now()));
}

function jitter(ms: number): number {
  return Math.round(ms * (0.8 + Math.random() * 0.4));
}

/** All destinations: a request is queued on every one, or on none. */
export class Forwarder {
  readonly destinations: Destination[];

  constructor(destinations: readonly DestinationOptions[], retry: RetryOptions, limitBytes: number, stats: CollectorStats) {
    const schedule = { initialIntervalMs: retry.initialIntervalMs ?? 100, maxIntervalMs: retry.maxIntervalMs ?? 5_000 };
    this.destinations = destinations.map((d) => new Destination(d, schedule, limitBytes, stats));
  }

  /** Bytes held by the fullest destination queue. */
  get heldBytes(): number {
    let max = 0;
    for (const d of this.destinations) max = Math.max(max, d.heldBytes);
    return max;
  }

  /** Queue a request on every destination; `false` (nothing queued) when one has no room. */
  offer(signal: Signal, body: Body): boolean {
    const size = sizeOf(body);
    for (const d of this.destinations) if (!d.hasRoom(size)) return false;
    for (const d of this.destinations) d.push(signal, body, size);
    return true;
  }

  /**
   * Set `bytes` aside on every destination for a request that is not ready to queue yet (a worker
   * enriches it); `false` (nothing set aside) when one has no room. Give them back with
   * {@link release} before offering the request.
   */
  reserve(bytes: number): boolean {
    for (const d of this.destinations) if (!d.hasRoom(bytes)) return false;
    for (const d of this.destinations) d.reserve(bytes);
    return true;
  }

  /** Give back bytes set aside by {@link reserve}. */
  release(bytes: number): void {
    for (const d of this.destinations) d.release(bytes);
  }

  /** Deliver what is held, within `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    await Promise.all(this.destinations.map((d) => d.drain(timeoutMs)));
  }
}
