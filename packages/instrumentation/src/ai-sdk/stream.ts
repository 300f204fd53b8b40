import { ReadableStream } from 'node:stream/web';
import { abandonedStreams } from '../genai/abandoned-streams';
import type { ChunkSink } from '../genai/observed-iterator';
import type { GenAICall } from '../genai/recorder';

/**
 * A stream that passes every part of `source` through unchanged (same objects, same order, same
 * error), reading `source` only when the consumer asks for a part (no buffering ahead), and shows
 * each part to `sink`. The sink's `onEnd` runs exactly once: `completed` when the source closes,
 * `error` when it fails, `abandoned` when the consumer cancels it, or when the stream is dropped
 * unfinished and collected.
 */
export function observeReadableStream(
  source: ReadableStream<unknown>,
  sink: ChunkSink<unknown>,
  call: GenAICall,
  onInternalError: (stage: string, err: unknown) => void,
): ReadableStream<unknown> {
  const reader = source.getReader();
  let ended = false;
  const end = (outcome: 'completed' | 'error' | 'abandoned', error?: unknown) => {
    if (ended) return;
    ended = true;
    try {
      sink.onEnd(outcome, error);
    } catch (err) {
      onInternalError('stream end', err);
    } finally {
      abandonedStreams.release(sink);
    }
  };
  const observed = new ReadableStream<unknown>(
    {
      pull(controller) {
        return reader.read().then(
          (result) => {
            if (result.done) {
              end('completed');
              controller.close();
              return;
            }
            try {
              sink.onChunk(result.value);
            } catch (err) {
              onInternalError('stream chunk', err);
            }
            controller.enqueue(result.value);
          },
          (error: unknown) => {
            end('error', error);
            controller.error(error);
          },
        );
      },
      cancel(reason) {
        end('abandoned');
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  abandonedStreams.track(observed, sink, call);
  return observed;
}

/** Whether `value` is a web `ReadableStream` (of this realm or another). */
export function isReadableStream(value: unknown): value is ReadableStream<unknown> {
  return (
    value instanceof ReadableStream ||
    (value !== null && typeof value === 'object' && typeof (value as { getReader?: unknown }).getReader === 'function')
  );
}
