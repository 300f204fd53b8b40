import { context, createContextKey, type Context } from '@opentelemetry/api';

/** What the middleware reports for the call in whose context a request was sent. */
export interface HttpExchangeObserver {
  onRequest(hostname: string | undefined, port: number | undefined): void;
  onResponse(headers: Record<string, string | undefined>): void;
}

const OBSERVER_KEY = createContextKey('tokenomics.bedrock.http-exchange');

/** `ctx` with `observer` attached: requests the client sends in it are reported to it. */
export function withExchangeObserver(ctx: Context, observer: HttpExchangeObserver): Context {
  return ctx.setValue(OBSERVER_KEY, observer);
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
 * attempt to the observer of the call it belongs to, found in the active context. It passes the
 * request and the result through untouched, and does nothing for calls without an observer.
 */
export function ensureExchangeMiddleware(client: unknown, onInternalError: (stage: string, err: unknown) => void): void {
  if (!client || typeof client !== 'object' || withMiddleware.has(client)) return;
  withMiddleware.add(client);
  const stack = (client as { middlewareStack?: MiddlewareStackLike }).middlewareStack;
  if (!stack || typeof stack.add !== 'function') return;
  const middleware =
    (next: (args: unknown) => Promise<unknown>) =>
    async (args: unknown): Promise<unknown> => {
      const observer = context.active().getValue(OBSERVER_KEY) as HttpExchangeObserver | undefined;
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
        if (headers && typeof headers === 'object') observer.onResponse(lowerCased(headers));
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

function lowerCased(headers: Record<string, unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers))
    out[k.toLowerCase()] = typeof v === 'string' ? v : Array.isArray(v) ? v.join(',') : undefined;
  return out;
}
