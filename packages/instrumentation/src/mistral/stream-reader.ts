import { abandonedStreams } from '../genai/abandoned-streams';
import { ObservedIterator, type ChunkSink } from '../genai/observed-iterator';
import type { GenAICall, GenAIRecorder } from '../genai/recorder';

interface ReaderLike {
  read(): Promise<IteratorResult<unknown>>;
  cancel?(reason?: unknown): Promise<void>;
}

/**
 * Follows a Mistral `EventStream` (a `ReadableStream`) read with `getReader()` instead of
 * `for await`: the first reader's `read()` results go through the same sink, unchanged (same
 * objects, same order, same errors), and `cancel()` ends the call as abandoned. Later readers are
 * passed through untouched. The stream's own `getReader` is shadowed by a non-enumerable own
 * property, so the stream's own keys stay as they were.
 */
export function observeReader(stream: object, call: GenAICall, recorder: GenAIRecorder, sink: ChunkSink<unknown>): void {
  const holder = stream as { getReader?: (...args: unknown[]) => unknown };
  const original = holder.getReader;
  if (typeof original !== 'function') return;
  let observed = false;
  const getReader = function getReaderObserved(this: unknown, ...args: unknown[]) {
    const reader = original.apply(this, args) as ReaderLike | null;
    // A BYOB reader (`{ mode: 'byob' }`) reads bytes, not events: nothing to follow.
    if (observed || !reader || typeof reader.read !== 'function' || args.length > 0) return reader;
    observed = true;
    const read = reader.read;
    const cancel = reader.cancel;
    const inner: AsyncIterator<unknown> = {
      next: () => read.call(reader),
      return: (reason?: unknown) =>
        (typeof cancel === 'function' ? cancel.call(reader, reason) : Promise.resolve()).then(() => ({
          done: true as const,
          value: undefined,
        })),
    };
    const it = new ObservedIterator(inner, sink, (stage, err) => recorder.reportInternalError(stage, err));
    Object.defineProperty(reader, 'read', { configurable: true, writable: true, enumerable: false, value: () => it.next() });
    if (typeof cancel === 'function') {
      Object.defineProperty(reader, 'cancel', {
        configurable: true,
        writable: true,
        enumerable: false,
        value: (reason?: unknown) => it.return(reason).then(() => undefined),
      });
    }
    // The reader holds the stream: it is what the collector follows from now on.
    abandonedStreams.retarget(reader, sink, call);
    return reader;
  };
  Object.defineProperty(stream, 'getReader', { configurable: true, writable: true, enumerable: false, value: getReader });
}
