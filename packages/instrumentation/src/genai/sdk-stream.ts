import { abandonedStreams } from './abandoned-streams';
import { ObservedIterator, type ChunkSink } from './observed-iterator';
import type { GenAICall, GenAIRecorder } from './recorder';

/** The parts of a Stainless-generated SDK `Stream` (openai, @anthropic-ai/sdk) the observer uses. */
interface SdkStreamLike {
  iterator?: (...args: unknown[]) => AsyncIterator<unknown>;
  controller?: AbortController;
}

/**
 * Shows every chunk of a Stainless SDK `Stream` to the sink `createSink` makes, without changing
 * the stream the app holds. Its `iterator` backs iteration, `tee()`, `toReadableStream()` and the
 * SDKs' stream helpers alike, so each chunk is seen exactly once however the app consumes it; a
 * second iteration is passed through untouched (the library itself rejects it). A stream dropped
 * unfinished ends its call when it is collected.
 *
 * `createSink` gets an abort check that holds the stream's controller, not the stream: the sink is
 * held by the abandoned-stream registry, which must not keep the stream it watches alive.
 */
export function observeSdkStream(
  value: unknown,
  call: GenAICall,
  recorder: GenAIRecorder,
  createSink: (isAborted: () => boolean) => ChunkSink<unknown>,
): void {
  const stream = value as SdkStreamLike | null;
  const originalIterator = stream?.iterator;
  if (!stream || typeof originalIterator !== 'function') {
    recorder.reportInternalError('stream', new Error('unrecognised stream object; usage not recorded'));
    call.endStream('completed');
    return;
  }
  const controller = stream.controller;
  observeIterations(
    stream,
    'iterator',
    call,
    recorder,
    createSink(() => controller?.signal?.aborted === true),
  );
}

/**
 * Replaces the iterator factory `key` of `target` (an SDK stream's `iterator`, an async
 * iterable's `Symbol.asyncIterator`) so that the first iteration shows every chunk to `sink`; later
 * iterations are passed through untouched, and a target or iteration dropped unfinished ends the
 * call when it is collected. An inherited factory is shadowed by a non-enumerable own property,
 * so the target's own keys stay as they were.
 */
export function observeIterations(
  target: object,
  key: string | symbol,
  call: GenAICall,
  recorder: GenAIRecorder,
  sink: ChunkSink<unknown>,
): void {
  const holder = target as Record<string | symbol, unknown>;
  const originalIterator = holder[key] as (...args: unknown[]) => AsyncIterator<unknown>;
  const onInternalError = (stage: string, err: unknown) => recorder.reportInternalError(stage, err);
  // What the collector follows: reachable from the target (through this factory) until the first
  // iteration, then from that iteration's iterator alone. So a stream never iterated ends when the
  // target is collected, and one iterated when its iterator is, whether or not the app still holds
  // the target; and the stream is registered once, not again when its iteration starts.
  let keepAlive: object | undefined = {};
  const observedFactory = function iteratorObserved(this: unknown, ...args: unknown[]) {
    const inner = originalIterator.apply(this, args);
    if (keepAlive === undefined) return inner;
    const it = new ObservedIterator(inner, sink, onInternalError, keepAlive);
    keepAlive = undefined;
    return it;
  };
  if (Object.hasOwn(target, key)) holder[key] = observedFactory;
  else Object.defineProperty(target, key, { configurable: true, writable: true, enumerable: false, value: observedFactory });
  abandonedStreams.track(keepAlive, sink, call);
}
