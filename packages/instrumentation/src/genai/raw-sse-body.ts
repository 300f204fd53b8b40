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
 * A response to hand the app in place of `original`, a raw server-sent-event stream: same status,
 * headers, URL and bytes (the very chunk objects, in the same order, read from the network only
 * when the app reads, so backpressure is the app's), whose events are also shown, parsed as JSON,
 * to `sink` once the app has its chunk. The stream ends the call with it: `completed` at its end,
 * `aborted` when the app cancels it or the request was aborted, `error` when it fails (the app gets
 * the same error), `abandoned` when the app drops it unread. Returns undefined (nothing taken) when
 * the body is not a web stream, already read, or locked.
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
  const reader = source.getReader() as unknown as Reader;

  let ended = false;
  const end = (outcome: StreamOutcome, error?: unknown): void => {
    if (ended) return;
    ended = true;
    abandonedStreams.release(sink);
    try {
      sink.onEnd(outcome === 'error' && isAborted() ? 'aborted' : outcome, error);
    } catch (err) {
      onInternalError('raw stream end', err);
    }
  };
  const parser = new SseParser((data) => {
    if (ended || data === '[DONE]') return;
    let event: unknown;
    try {
      event = JSON.parse(data);
    } catch {
      return; // not an event of the API: the app's client will tell the app
    }
    try {
      sink.onChunk(event);
    } catch (err) {
      onInternalError('raw stream chunk', err);
    }
  });
  const decoder = new TextDecoder();
  const parse = (bytes: Uint8Array | undefined, last: boolean): void => {
    try {
      if (bytes) parser.feed(decoder.decode(bytes, { stream: true }));
      if (last) {
        parser.feed(decoder.decode());
        parser.flush();
      }
    } catch (err) {
      onInternalError('raw stream chunk', err);
    }
  };

  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        return reader.read().then(
          ({ done, value }) => {
            if (done) {
              controller.close();
              // After the app's read has settled: the app is never kept waiting on the parse.
              queueMicrotask(() => {
                parse(undefined, true);
                end('completed');
              });
              return;
            }
            controller.enqueue(value as Uint8Array);
            queueMicrotask(() => parse(value, false));
          },
          (err: unknown) => {
            controller.error(err);
            end('error', err);
          },
        );
      },
      cancel(reason) {
        end('aborted');
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
