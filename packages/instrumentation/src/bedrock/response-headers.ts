import { context, createContextKey, type Context } from '@opentelemetry/api';

/** What the middleware reports for the call in whose context a request was sent. */
export interface HttpExchangeObserver {
  onRequest(hostname: string | undefined, port: number | undefined): void;
  /** The response's headers as the client's HTTP handler gave them (names lower-cased by Node.js's). */
  onResponse(headers: Readonly<Record<string, unknown>>): void;
}

const OBSERVER_KEY = createContextKey('tokenomics.bedrock.http-exchange');

/** `ctx` with `observer` attached: requests the client sends in it are reported to it. */
export function withExchangeObserver(ctx: Context, observer: HttpExchangeObserver): Context {
  return ctx.setValue(OBSERVER_KEY, observer);
}

/**
 * How many calls in flight at once are found by their command's input; a call beyond them is found
 * by its context (see {@link attachExchangeObserver}).
 */
export const MAX_CALLS_BY_INPUT = 128;

/**
 * The command inputs of calls in flight that entered no context (nothing to trace), and their
 * observers at the same index, in the first {@link attached} slots: the input is the object the
 * client's middleware passes on to every step as `args.input`. Found by identity in a short list:
 * a WeakMap or Map entry for a new object costs the engine microseconds (an identity hash, and for
 * a WeakMap an ephemeron), a scan of the few calls in flight far less. The slots are allocated
 * once (no array growing and shrinking with the calls), and a send empties its slot when it
 * settles, however it settles.
 */
const inputs: Array<object | undefined> = new Array<object | undefined>(MAX_CALLS_BY_INPUT).fill(undefined);
const observers: Array<HttpExchangeObserver | undefined> = new Array<HttpExchangeObserver | undefined>(MAX_CALLS_BY_INPUT).fill(undefined);
let attached = 0;

/** The slot of `input`, or -1. */
function slotOf(input: unknown): number {
  for (let i = 0; i < attached; i++) if (inputs[i] === input) return i;
  return -1;
}

/**
 * Attaches `observer` to the command input `input` until {@link detachExchangeObserver}: requests
 * sent for that input are reported to it without a context being entered. Returns false when it
 * cannot (not an object, a call with the same input already in flight, or
 * {@link MAX_CALLS_BY_INPUT} calls attached already); the call then attaches its observer to a
 * context ({@link withExchangeObserver}).
 */
export function attachExchangeObserver(input: unknown, observer: HttpExchangeObserver): boolean {
  if (!input || typeof input !== 'object' || attached >= MAX_CALLS_BY_INPUT || slotOf(input) >= 0) return false;
  inputs[attached] = input;
  observers[attached] = observer;
  attached++;
  return true;
}

/** Detaches `observer` from `input`, if it is the one attached. */
export function detachExchangeObserver(input: unknown, observer: HttpExchangeObserver): void {
  const i = slotOf(input);
  if (i < 0 || observers[i] !== observer) return;
  // The last call attached takes the slot: the order of the slots means nothing.
  const last = --attached;
  inputs[i] = inputs[last];
  observers[i] = observers[last];
  inputs[last] = undefined;
  observers[last] = undefined;
}

/** How many calls are attached by their input now (for tests: 0 once every send has settled). */
export function callsAttachedByInput(): number {
  return attached;
}

/** The observer of the request `args` belongs to: the active context's, else its input's. */
function observerOf(args: unknown): HttpExchangeObserver | undefined {
  const inContext = context.active().getValue(OBSERVER_KEY) as HttpExchangeObserver | undefined;
  if (inContext) return inContext;
  if (attached === 0) return undefined;
  // Only objects are attached: anything else is in no slot.
  const i = slotOf(args && typeof args === 'object' ? (args as { input?: unknown }).input : undefined);
  return i < 0 ? undefined : observers[i];
}

export const MIDDLEWARE_NAME = 'tokenomicsBedrockHttpExchange';

interface MiddlewareStackLike {
  add(middleware: unknown, options: Record<string, unknown>): void;
}

interface HttpRequestLike {
  hostname?: unknown;
  port?: unknown;
  protocol?: unknown;
}

interface HttpResponseLike {
  headers?: Record<string, unknown>;
}

const withMiddleware = new WeakSet<object>();

/**
 * Adds, once per client, a middleware at the `deserialize` step that shows the HTTP request
 * (server) and response (headers: the token counts of InvokeModel are only there) of each
 * attempt to the observer of the call it belongs to, found in the active context or by the
 * command's input. It passes the request and the result through untouched, and does nothing for
 * calls without an observer.
 */
export function ensureExchangeMiddleware(client: unknown, onInternalError: (stage: string, err: unknown) => void): void {
  if (!client || typeof client !== 'object' || withMiddleware.has(client)) return;
  withMiddleware.add(client);
  const stack = (client as { middlewareStack?: MiddlewareStackLike }).middlewareStack;
  if (!stack || typeof stack.add !== 'function') return;
  const middleware =
    (next: (args: unknown) => Promise<unknown>) =>
    async (args: unknown): Promise<unknown> => {
      const observer = observerOf(args);
      if (!observer) return next(args);
      try {
        const request = (args as { request?: HttpRequestLike } | null)?.request;
        const port = typeof request?.port === 'number' ? request.port : request?.protocol === 'http:' ? 80 : 443;
        observer.onRequest(typeof request?.hostname === 'string' ? request.hostname : undefined, port);
      } catch (err) {
        onInternalError('bedrock request', err);
      }
      const result = await next(args);
      try {
        const headers = (result as { response?: HttpResponseLike } | null)?.response?.headers;
        if (headers && typeof headers === 'object') observer.onResponse(headers);
      } catch (err) {
        onInternalError('bedrock response headers', err);
      }
      return result;
    };
  try {
    stack.add(middleware, { step: 'deserialize', name: MIDDLEWARE_NAME, priority: 'high', override: true });
  } catch (err) {
    onInternalError('bedrock middleware', err);
  }
}
