import type { ChunkSink } from './observed-iterator';
import { observedSseResponse, observeNodeSseBody } from './raw-sse-body';
import type { GenAICall, GenAIRecorder } from './recorder';

/** The parts of the Stainless-generated `APIPromise` (openai 4.x to 7.x, @anthropic-ai/sdk) the instrumentation relies on. */
interface APIPromiseLike {
  responsePromise: Promise<ResponseProps>;
  parseResponse: (...args: unknown[]) => unknown;
  asResponse?: (...args: unknown[]) => unknown;
  /** Set by `parse()` (4.x to 6.x) once the app awaited the promise or asked for `withResponse()`. */
  parsedPromise?: unknown;
}

interface ResponseProps {
  response?: { clone?: () => { json(): Promise<unknown> }; headers?: unknown } | undefined;
  options?: { stream?: boolean } | undefined;
  controller?: AbortController | undefined;
}

export interface APIPromiseHandlers {
  /** The parsed response: a JSON body, or a `Stream` for streamed calls. May throw; errors are absorbed. */
  onParsed(value: unknown): void;
  /** The response will not be parsed where usage can be seen (raw stream taken, body unreadable). */
  onUnparsed(): void;
  /**
   * The app asked for the raw response (`asResponse()`) before the request was sent. Called at
   * once, so that the request can still be sent as the app wrote it.
   */
  onRawRequested?(): void;
  /**
   * A sink for the events of a streamed body the app reads raw: each event's `data`, parsed as
   * JSON, as the SDK's `Stream` would yield it. Without one, a raw stream is recorded as unparsed.
   */
  createRawStreamSink?: ((isAborted: () => boolean) => ChunkSink<unknown>) | undefined;
}

/** True when `value` has the shape of an openai `APIPromise` the instrumentation can observe. */
export function isObservableAPIPromise(value: unknown): value is APIPromiseLike {
  const p = value as APIPromiseLike | null;
  return (
    !!p &&
    typeof p === 'object' &&
    typeof p.parseResponse === 'function' &&
    !!p.responsePromise &&
    typeof p.responsePromise.then === 'function'
  );
}

/**
 * Observes an `APIPromise` without changing what the app sees: the same promise object is returned
 * to the app, its parsing stays lazy (so `.asResponse()` still gets an unread body), errors reach
 * the app as the same objects, and an unawaited failed call still rejects unhandled as before.
 *
 * - parsed by the app (`await`, `.then`, `.withResponse()`, helpers built on `_thenUnwrap`): the
 *   parse hook sees the parsed value;
 * - raw only (`.asResponse()`): a non-streamed body is read from a clone of the response; the
 *   events of a raw stream are seen as the app reads them, from a response with the same status,
 *   headers and bytes that reads the network only when the app does (a stream whose body cannot be
 *   followed, or taken raw after its response arrived, is recorded with estimated input usage);
 * - fire-and-forget (never consumed): once the response has arrived and nothing asked for it, a
 *   non-streamed body is read from a clone, so the call is still recorded.
 */
export function observeAPIPromise(p: APIPromiseLike, call: GenAICall, recorder: GenAIRecorder, handlers: APIPromiseHandlers): void {
  let parsed = false;
  let raw = false;
  /** The raw stream's events go to a raw-stream sink: a later parse must not be seen twice. */
  let rawObserved = false;

  const originalParse = p.parseResponse;
  const deliver = (value: unknown): void => {
    if (call.isEnded || rawObserved) return;
    try {
      handlers.onParsed(value);
    } catch (err) {
      recorder.reportInternalError('response', err);
      call.succeed();
    }
  };
  const failed = (err: unknown): void => {
    try {
      call.fail(err);
    } catch (e) {
      recorder.reportInternalError('finish', e);
    }
  };
  p.parseResponse = function parseResponseObserved(this: unknown, ...args: unknown[]) {
    parsed = true;
    let out: unknown;
    try {
      out = originalParse.apply(this, args);
    } catch (err) {
      call.fail(err);
      throw err;
    }
    // Observed from the side: the app's chain gets `out` itself, as without instrumentation (no
    // extra promise to adopt), and its rejection stays the app's to handle.
    if (isThenable(out)) out.then(deliver, failed);
    else deliver(out);
    return out;
  };

  const originalAsResponse = p.asResponse;
  if (typeof originalAsResponse === 'function') {
    Object.defineProperty(p, 'asResponse', {
      configurable: true,
      writable: true,
      enumerable: false,
      value: function asResponseObserved(this: unknown, ...args: unknown[]) {
        if (!raw) {
          raw = true;
          try {
            handlers.onRawRequested?.();
          } catch (err) {
            recorder.reportInternalError('raw response', err);
          }
        }
        return originalAsResponse.apply(this, args);
      },
    });
  }

  p.responsePromise = p.responsePromise.then(
    (props) => {
      try {
        return observeResponse(props);
      } catch (err) {
        // The app's response is its own whatever happens here.
        recorder.reportInternalError('response', err);
        return props;
      }
    },
    (err: unknown) => {
      failed(err);
      throw err;
    },
  );

  function observeResponse(props: ResponseProps): ResponseProps {
    // Rate-limit headers, for the quota gauges (read, never changed).
    call.responseHeaders(props?.response?.headers);
    // Parsing asked for already (the app awaited the call, as it nearly always does): the parse
    // hook will see the value, and there is nothing to wait for or copy.
    if (parsed || p.parsedPromise !== undefined) return props;
    const streamed = props?.options?.stream === true;
    if (raw && streamed && handlers.createRawStreamSink && !call.isEnded) {
      const observed = observeRawStream(props, call, recorder, handlers.createRawStreamSink);
      if (observed) {
        rawObserved = true;
        return observed;
      }
    }
    // The app may read a raw body at once: take our copy before it does.
    let copy = raw && !streamed ? cloneOf(props) : undefined;
    // Parsing asked for before the response arrived has reached the parse hook by now.
    // Runs from a timer and promise reactions: a throw here would be an uncaught exception in
    // the app, so every step is guarded.
    const unparsed = (): void => {
      try {
        handlers.onUnparsed();
      } catch (err) {
        recorder.reportInternalError('unparsed response', err);
      }
    };
    setImmediate(() => {
      try {
        if (parsed || call.isEnded) {
          cancel(copy);
          return;
        }
        if (streamed) {
          if (raw) unparsed();
          return; // an unconsumed stream: ended when it is collected
        }
        copy ??= cloneOf(props);
        if (!copy) {
          unparsed();
          return;
        }
        copy.json().then(deliver, (err: unknown) => {
          recorder.reportInternalError('response body', err);
          unparsed();
        });
      } catch (err) {
        recorder.reportInternalError('response body', err);
      }
    });
    return props;
  }
}

function observeRawStream(
  props: ResponseProps,
  call: GenAICall,
  recorder: GenAIRecorder,
  createSink: (isAborted: () => boolean) => ChunkSink<unknown>,
): ResponseProps | undefined {
  try {
    const controller = props.controller;
    const isAborted = () => controller?.signal?.aborted === true;
    const onInternalError = (stage: string, err: unknown) => recorder.reportInternalError(stage, err);
    const sink = createSink(isAborted);
    const response = observedSseResponse(props.response, call, sink, isAborted, onInternalError);
    if (response) return { ...props, response: response as ResponseProps['response'] };
    // A node-fetch response (older clients): followed in place, the app's response unchanged.
    return observeNodeSseBody(props.response, call, sink, isAborted, onInternalError) ? props : undefined;
  } catch (err) {
    recorder.reportInternalError('raw stream', err);
    return undefined;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

interface BodyCopy {
  json(): Promise<unknown>;
  body?: { cancel?: () => Promise<void> } | null;
}

function cloneOf(props: ResponseProps): BodyCopy | undefined {
  try {
    return props.response?.clone?.() as BodyCopy | undefined;
  } catch {
    return undefined; // body already read or locked
  }
}

function cancel(copy: BodyCopy | undefined): void {
  try {
    copy?.body?.cancel?.()?.catch(() => undefined);
  } catch {
    /* a body that cannot be cancelled is left to the collector */
  }
}
