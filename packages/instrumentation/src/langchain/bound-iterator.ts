import { context, type Context } from '@opentelemetry/api';

type AsyncIter = AsyncIterator<unknown> & Record<PropertyKey, unknown>;

/**
 * `iterator` with each step (`next`, `return`, `throw`) run in `ctx`, entered only when the step is
 * taken in another context. A generator's body runs when its caller steps it, in the caller's
 * context; LangChain steps a stream's generator from whoever reads the stream, so work it starts
 * late (a graph's second node) would lose the context the stream was made in. The result inherits
 * from `iterator`'s own prototype, so it is the same kind of object to every check, and yields
 * exactly what `iterator` yields. Anything that is not an async iterator is returned as it is.
 */
export function bindAsyncIterator<T>(iterator: T, ctx: Context): T {
  if (!iterator || typeof iterator !== 'object' || typeof (iterator as Partial<AsyncIter>).next !== 'function') return iterator;
  const source = iterator as AsyncIter;
  const bound = Object.create(Object.getPrototypeOf(source) as object) as Record<string, unknown>;
  for (const method of ['next', 'return', 'throw'] as const) {
    const fn = source[method];
    if (typeof fn !== 'function') continue;
    Object.defineProperty(bound, method, {
      configurable: true,
      writable: true,
      value: (...args: unknown[]) =>
        // Read in the context it was made in: nothing to enter. Entering one anyway would turn on
        // the context manager's tracking of every promise in a process that has no other use for it.
        context.active() === ctx
          ? (fn as (...a: unknown[]) => unknown).apply(source, args)
          : context.with(ctx, () => (fn as (...a: unknown[]) => unknown).apply(source, args)),
    });
  }
  // The prototype's [Symbol.asyncIterator] returns `this`, the bound iterator.
  return bound as T;
}
