import { abandonedStreams } from './abandoned-streams';
import type { StreamOutcome } from './call';

/** What a stream adapter does with the chunks of one call. */
export interface ChunkSink<T> {
  /**
   * Sees each chunk before the app. Returns true to show it as it is, false to hide a chunk the
   * instrumentation added, or an object to show in its place: an equal copy of the chunk without a
   * field the instrumentation caused (cheaper than deleting that field from the chunk).
   */
  onChunk(chunk: T): boolean | object;
  /** Called exactly once when the stream ends, however it ends. */
  onEnd(outcome: StreamOutcome, error?: unknown): void;
}

/**
 * An async iterator that passes the chunks of `inner` through unchanged (same objects, same order,
 * same errors) while showing each to a {@link ChunkSink}. A plain object with one `then` per chunk:
 * no async-generator hop, nothing retained per chunk.
 *
 * That `then` is the least any observer of an async iterator allocates per chunk: to see a chunk
 * before the app (and to hide one), a reaction must be registered on the inner promise, and
 * `then` is the only way to do it from a synchronous `next`; it makes the promise `next` returns.
 * On Node 20 the two take 96 bytes (a 48-byte promise, a 48-byte reaction that V8 turns into the
 * microtask in place), and Node's async hooks add their ids and context to the promise while the
 * AsyncLocalStorage context manager is on (72 bytes). `bench/stream-chunk.bench.mjs` measures it.
 */
export class ObservedIterator<T> implements AsyncIterableIterator<T> {
  private ended = false;

  constructor(
    private readonly inner: AsyncIterator<T>,
    private readonly sink: ChunkSink<T>,
    private readonly onInternalError: (stage: string, err: unknown) => void,
    /** @internal An object the abandoned-stream collector follows: reachable for as long as this iterator is. */
    readonly keepAlive?: object,
  ) {}

  next(value?: unknown): Promise<IteratorResult<T>> {
    let pending: Promise<IteratorResult<T>>;
    try {
      // No rest parameter: an array per chunk is what this class exists to avoid.
      pending = arguments.length === 0 ? this.inner.next() : this.inner.next(value);
    } catch (err) {
      this.end('error', err);
      throw err;
    }
    return pending.then(this.onResult, this.onError);
  }

  return(value?: unknown): Promise<IteratorResult<T>> {
    this.end('abandoned');
    const inner = this.inner;
    return inner.return ? inner.return(value) : Promise.resolve({ done: true, value: value as T });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.end('error', error);
    const inner = this.inner;
    return inner.throw ? inner.throw(error) : Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private readonly onResult = (result: IteratorResult<T>): IteratorResult<T> | Promise<IteratorResult<T>> => {
    if (result.done) {
      this.end('completed');
      return result;
    }
    let shown: boolean | object = true;
    try {
      shown = this.sink.onChunk(result.value);
    } catch (err) {
      this.onInternalError('stream chunk', err);
    }
    if (shown === true) return result;
    if (shown === false) return this.next();
    return withValue(result, shown as T);
  };

  private readonly onError = (error: unknown): never => {
    this.end('error', error);
    throw error;
  };

  private end(outcome: StreamOutcome, error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    try {
      this.sink.onEnd(outcome, error);
    } catch (err) {
      this.onInternalError('stream end', err);
    } finally {
      // The call has ended: nothing is left for the collector to end.
      abandonedStreams.release(this.sink);
    }
  }
}

/** `result` showing `value` instead: the same result object where it can be written (a generator's is). */
function withValue<T>(result: IteratorYieldResult<T>, value: T): IteratorResult<T> {
  try {
    result.value = value;
    if (result.value === value) return result;
  } catch {
    // A frozen result: a new one below.
  }
  return { done: false, value };
}
