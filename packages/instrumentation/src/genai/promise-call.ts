import type { GenAICall, GenAIRecorder } from './recorder';

/**
 * Follows the promise a patched client method returned (clients whose methods return plain
 * promises: Mistral, Cohere, Ollama). The caller gets a promise of the same value or the same
 * error; `onValue` fills the call from the value and ends it (or hands it to a stream observer).
 * A value `onValue` fails on still ends the call, without usage. A value that is not a promise is
 * passed back as is and the call ends without usage.
 */
export function observePromise(
  call: GenAICall,
  recorder: GenAIRecorder,
  library: string,
  pending: unknown,
  onValue: (value: unknown) => void,
): unknown {
  if (!pending || typeof (pending as Promise<unknown>).then !== 'function') {
    recorder.reportInternalError('call', new Error(`${library} returned an unexpected value; the call is recorded without usage`));
    call.succeed();
    return pending;
  }
  return (pending as Promise<unknown>).then(
    (value) => {
      try {
        onValue(value);
      } catch (err) {
        recorder.reportInternalError('response', err);
        if (call.start.streaming) call.endStream('completed');
      }
      // No-op when onValue ended the call or handed it to a stream observer that will.
      if (!call.start.streaming) call.succeed();
      return value;
    },
    (err: unknown) => {
      call.fail(err);
      throw err;
    },
  );
}
