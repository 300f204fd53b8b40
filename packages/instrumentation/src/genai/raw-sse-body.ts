import { abandonedStreams } from './abandoned-streams';
import type { StreamOutcome } from './call';
import type { ChunkSink } from './observed-iterator';
import type { GenAICall } from './recorder';

/** An event longer than this (in characters) is skipped rather than buffered further. */
const MAX_EVENT_CHARS = 8 * 2 ** 20;

/**
 * Incremental parser of the `text/event-stream` format: hands the `data` of each event (data lines
 * joined by `\n`) to `onData`. Holds only the current line and the current event's data.
 */
export class SseParser {
  private line = '';
  private data: string[] = [];
  private size = 0;
  private lastWasCR = false;

  constructor(private readonly onData: (data: string, event: string | undefined) => void) {}

  private event: string | undefined;

  feed(text: string): void {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      if (c === 10 && this.lastWasCR && i === start) {
        // The `\n` of a `\r\n` split across two pieces.
        this.lastWasCR = false;
        start = i + 1;
        continue;
      }
      this.append(text.slice(start, i));
      this.endLine();
      this.lastWasCR = c === 13;
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
    if (start < text.length) {
      this.lastWasCR = false;
      this.append(text.slice(start));
    }
  }

  /** Dispatches an event left without its closing blank line. */
  flush(): void {
    if (this.line) this.endLine();
    this.endLine();
  }

  private append(piece: string): void {
    if (this.size + piece.length > MAX_EVENT_CHARS) {
      this.size = MAX_EVENT_CHARS + 1;
      return;
    }
    this.line += piece;
    this.size += piece.length;
  }

  private endLine(): void {
    const line = this.line;
    this.line = '';
    if (line === '') {
      if (this.data.length && this.size <= MAX_EVENT_CHARS) this.onData(this.data.join('\n'), this.event);
      this.data = [];
      this.event = undefined;
      this.size = 0;
      return;
    }
    if (line.charCodeAt(0) === 58) return; // `:` comment
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
  }
}

interface Reader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(reason?: unknown): Promise<void>;
}

/**
 * Shows the events of a raw server-sent-event body to a sink: bytes are decoded and parsed a
 * microtask after the app has them, each event's `data` parsed as JSON; ends the sink once.
 */
class SseObserver {
  private ended = false;
  private readonly decoder = new TextDecoder();
  private readonly parser: SseParser;

  constructor(
    readonly sink: ChunkSink<unknown>,
    private readonly isAborted: () => boolean,
    private readonly onInternalError: (stage: string, err: unknown) => void,
  ) {
    this.parser = new SseParser((data) => this.onData(data));
  }

  /** Bytes the app has (or can read now). */
  bytes(value: Uint8Array): void {
    queueMicrotask(() => this.parse(value, false));
  }

  /** The body has ended: whatever is left is parsed, then the call ends as completed. */
  finish(): void {
    queueMicrotask(() => {
      this.parse(undefined, true);
      this.end('completed');
    });
  }

  end(outcome: StreamOutcome, error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    abandonedStreams.release(this.sink);
    try {
      this.sink.onEnd(outcome !== 'completed' && this.isAborted() ? 'aborted' : outcome, error);
    } catch (err) {
      this.onInternalError('raw stream end', err);
    }
  }

  private parse(bytes: Uint8Array | undefined, last: boolean): void {
    if (this.ended) return;
    try {
      if (bytes) this.parser.feed(this.decoder.decode(bytes, { stream: true }));
      if (last) {
        this.parser.feed(this.decoder.decode());
        this.parser.flush();
      }
    } catch (err) {
      this.onInternalError('raw stream chunk', err);
    }
  }

  private onData(data: string): void {
    if (this.ended || data === '[DONE]') return;
    let event: unknown;
    try {
      event = JSON.parse(data);
    } catch {
      return; // not an event of the API: the app's client will tell the app
    }
    try {
      this.sink.onChunk(event);
    } catch (err) {
      this.onInternalError('raw stream chunk', err);
    }
  }
}

/**
 * A response to hand the app in place of `original`, a fetch `Response` whose body is a raw
 * server-sent-event stream: same status, headers, URL and bytes (the very chunk objects, in the
 * same order, read from the network only when the app reads, so backpressure is the app's), whose
 * events are also shown to `sink` once the app has its chunk. The call ends with the stream:
 * `completed` at its end, `aborted` when the app cancels it or the request was aborted, `error`
 * when it fails (the app gets the same error), `abandoned` when the app drops it unread. Returns
 * undefined (nothing taken) when the body is not a web stream, already read, or locked.
 */
export function observedSseResponse(
  original: unknown,
  call: GenAICall,
  sink: ChunkSink<unknown>,
  isAborted: () => boolean,
  onInternalError: (stage: string, err: unknown) => void,
): unknown {
  if (typeof Response !== 'function' || !(original instanceof Response)) return undefined;
  const res: Response = original;
  const source = res.body;
  if (!source || source.locked || res.bodyUsed) return undefined;
  const reader = source.getReader() as unknown as Reader & { releaseLock(): void };
  try {
    return observedCopy(res, reader, call, new SseObserver(sink, isAborted, onInternalError));
  } catch (err) {
    // Nothing was read: the app keeps the original response, its body unlocked again.
    reader.releaseLock();
    throw err;
  }
}

function observedCopy(res: Response, reader: Reader, call: GenAICall, observer: SseObserver): Response {
  const sink = observer.sink;

  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        return reader.read().then(
          ({ done, value }) => {
            if (done) {
              controller.close();
              observer.finish(); // after the app's read has settled
              return;
            }
            controller.enqueue(value as Uint8Array);
            observer.bytes(value as Uint8Array);
          },
          (err: unknown) => {
            controller.error(err);
            observer.end('error', err);
          },
        );
      },
      cancel(reason) {
        observer.end('aborted');
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );

  const copy = new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  // What the constructor cannot set is read from the original, on the instance, not enumerable.
  for (const key of ['url', 'redirected', 'type'] as const) {
    const value = res[key];
    if (copy[key] !== value) Object.defineProperty(copy, key, { configurable: true, enumerable: false, get: () => value });
  }
  // The body, not the response: an app may keep only the body's reader.
  abandonedStreams.track(body, sink, call);
  return copy;
}

/** The parts of a Node.js `Readable` (a node-fetch body) the observer uses. */
interface NodeReadableLike {
  push(chunk: unknown, encoding?: unknown): boolean;
  once(event: 'close', listener: () => void): unknown;
  destroyed?: boolean;
  readableEnded?: boolean;
  readableLength?: number;
  errored?: unknown;
}

/**
 * The chunks waiting in a Node.js readable's buffer, oldest first, without reading them: an array
 * from `bufferIndex` (current Node.js 20 and later) or a linked list from `head` (earlier
 * releases). Undefined when the buffer holds data in a shape not known here.
 */
function bufferedChunks(state: Record<string, unknown> | undefined, length: number | undefined): Uint8Array[] | undefined {
  if (length === 0) return [];
  if (!state || state.objectMode === true) return undefined;
  const buffer = state.buffer as unknown;
  const out: Uint8Array[] = [];
  if (Array.isArray(buffer)) {
    const start = typeof state.bufferIndex === 'number' ? state.bufferIndex : 0;
    for (let i = start; i < buffer.length; i++) {
      const chunk = buffer[i] as unknown;
      if (!(chunk instanceof Uint8Array)) return undefined;
      out.push(chunk);
    }
    return out;
  }
  let node = (buffer as { head?: unknown } | null | undefined)?.head as { data?: unknown; next?: unknown } | null | undefined;
  if (node === undefined) return undefined;
  while (node) {
    if (!(node.data instanceof Uint8Array)) return undefined;
    out.push(node.data);
    node = node.next as typeof node;
  }
  return out;
}

/**
 * Follows a raw server-sent-event body that is a Node.js stream (the node-fetch `Response` of
 * older clients) without taking it: the app keeps the same response and body, and reads them as
 * it would; each chunk the body receives is also parsed (never read from the stream, so flow and
 * backpressure stay the app's). The call ends `completed` when the body has received all its
 * data, `aborted` or `error` when the body closes before that, `abandoned` when the app drops it.
 * Returns false (nothing done) when the body is not such a stream or is already used.
 */
export function observeNodeSseBody(
  original: unknown,
  call: GenAICall,
  sink: ChunkSink<unknown>,
  isAborted: () => boolean,
  onInternalError: (stage: string, err: unknown) => void,
): boolean {
  const res = original as { body?: unknown; bodyUsed?: unknown } | null;
  const body = res?.body as NodeReadableLike | null | undefined;
  if (!body || typeof body !== 'object' || typeof body.push !== 'function' || typeof body.once !== 'function') return false;
  if (res?.bodyUsed === true || body.destroyed === true || body.readableEnded === true) return false;
  // Data the body received before it reached the instrumentation waits in its buffer: seen
  // there, read-only. A buffer of a shape not known here, holding data, is left alone.
  const state = (body as { _readableState?: unknown })._readableState as Record<string, unknown> | undefined;
  const buffered = bufferedChunks(state, body.readableLength);
  if (buffered === undefined) return false;
  const observer = new SseObserver(sink, isAborted, onInternalError);
  for (const chunk of buffered) observer.bytes(chunk);
  const push = body.push;
  let received = state?.ended === true;
  if (received) observer.finish();
  Object.defineProperty(body, 'push', {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function pushObserved(this: unknown, chunk: unknown, encoding?: unknown): boolean {
      const accepted = arguments.length < 2 ? push.call(this, chunk) : push.call(this, chunk, encoding);
      try {
        if (chunk === null) {
          if (!received) {
            received = true;
            observer.finish();
          }
        } else if (chunk instanceof Uint8Array) observer.bytes(chunk);
        else if (typeof chunk === 'string') observer.bytes(new TextEncoder().encode(chunk));
      } catch (err) {
        onInternalError('raw stream chunk', err);
      }
      return accepted;
    },
  });
  // A close listener changes nothing for the app (an error listener would).
  body.once('close', () => {
    if (received) return;
    const error = body.errored;
    if (error) observer.end('error', error);
    else observer.end('aborted');
  });
  abandonedStreams.track(body, sink, call);
  return true;
}
