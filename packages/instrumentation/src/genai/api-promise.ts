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
  const observer = new APIPromiseObserver(call, recorder, handlers);
  p.parseResponse = observedParse(p.parseResponse, observer);

  const originalAsResponse = p.asResponse;
  if (typeof originalAsResponse === 'function') {
    Object.defineProperty(p, 'asResponse', {
      configurable: true,
      writable: true,
      enumerable: false,
      value: observedAsResponse(originalAsResponse, observer),
    });
  }

  p.responsePromise = p.responsePromise.then(
    (props) => {
      try {
        return observer.observeResponse(p, props);
      } catch (err) {
        // The app's response is its own whatever happens here.
        recorder.reportInternalError('response', err);
        return props;
      }
    },
    (err: unknown) => {
      observer.failed(err);
      throw err;
    },
  );
}

/**
 * The parse hook of an observed promise. Made here, apart from the promise: the hook stays on the
 * promise and is called by the client library, and a closure that also reached the promise (its
 * response, body streams and buffers) was measured to keep all of that alive through young
 * collections, promoting several kilobytes per call to the old generation.
 */
function observedParse(originalParse: (...args: unknown[]) => unknown, observer: APIPromiseObserver): (...args: unknown[]) => unknown {
  return function parseResponseObserved(this: unknown, ...args: unknown[]) {
    observer.parsed = true;
    let out: unknown;
    try {
      out = originalParse.apply(this, args);
    } catch (err) {
      observer.call.fail(err);
      throw err;
    }
    // Observed from the side: the app's chain gets `out` itself, as without instrumentation (no
    // extra promise to adopt), and its rejection stays the app's to handle.
    if (isThenable(out)) out.then(observer.deliver, observer.failed);
    else observer.deliver(out);
    return out;
  };
}

/** The `asResponse` of an observed promise, made apart from it as {@link observedParse} is. */
function observedAsResponse(original: (...args: unknown[]) => unknown, observer: APIPromiseObserver): (...args: unknown[]) => unknown {
  return function asResponseObserved(this: unknown, ...args: unknown[]) {
    observer.rawRequested();
    return original.apply(this, args);
  };
}

/** What is known of one observed `APIPromise`, and what its hooks do. Holds no reference to the promise. */
class APIPromiseObserver {
  parsed = false;
  raw = false;
  /** The raw stream's events go to a raw-stream sink: a later parse must not be seen twice. */
  rawObserved = false;

  constructor(
    readonly call: GenAICall,
    private readonly recorder: GenAIRecorder,
    private readonly handlers: APIPromiseHandlers,
  ) {}

  /** The parsed value reaches the handlers, unless the call has ended. */
  readonly deliver = (value: unknown): void => {
    if (this.call.isEnded || this.rawObserved) return;
    try {
      this.handlers.onParsed(value);
    } catch (err) {
      this.recorder.reportInternalError('response', err);
      this.call.succeed();
    }
  };

  readonly failed = (err: unknown): void => {
    try {
      this.call.fail(err);
    } catch (e) {
      this.recorder.reportInternalError('finish', e);
    }
  };

  /** The app asked for the raw response. */
  rawRequested(): void {
    if (this.raw) return;
    this.raw = true;
    try {
      this.handlers.onRawRequested?.();
    } catch (err) {
      this.recorder.reportInternalError('raw response', err);
    }
  }

  observeResponse(p: APIPromiseLike, props: ResponseProps): ResponseProps {
    const { call, recorder, handlers } = this;
    // Rate-limit headers, for the quota gauges (read, never changed).
    call.responseHeaders(props?.response?.headers);
    // Parsing asked for already (the app awaited the call, as it nearly always does): the parse
    // hook will see the value, and there is nothing to wait for or copy.
    if (this.parsed || p.parsedPromise !== undefined) return props;
    const streamed = props?.options?.stream === true;
    const raw = this.raw;
    if (raw && streamed && handlers.createRawStreamSink && !call.isEnded) {
      const observed = observeRawStream(props, call, recorder, handlers.createRawStreamSink);
      if (observed) {
        this.rawObserved = true;
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
        if (this.parsed || call.isEnded) {
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
        copy.json().then(this.deliver, (err: unknown) => {
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
