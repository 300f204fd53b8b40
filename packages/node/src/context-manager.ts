import { isSpanContextValid, type Context, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

/** The key `trace.setSpan` stores a context's span under (`createContextKey` is `Symbol.for`). */
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');

/**
 * The context manager the hook registers when the app has not registered one: the
 * `AsyncLocalStorageContextManager`, except that `with` does not enter a context that nothing
 * could tell from the active one, and runs the function in the active context instead:
 *
 * - the active context itself;
 * - the active context with a span set that records nothing and carries either no valid span
 *   context or the very span context of the active context's span. This is what a library that
 *   starts its own active spans (`tracer.startActiveSpan`) enters when no tracer provider is
 *   registered, or when the parent's span was not sampled through a tracer that does not record
 *   (the API's no-op tracer).
 *
 * Inside such a `with`, `context.active()` is the active context, and `trace.getActiveSpan()` its
 * span, where the stock manager would have returned the new context and its non-recording span.
 * Every value read through the context is otherwise the same, and the span's methods do nothing
 * either way. With no manager registered (an app without the hook), `with` enters nothing at all.
 *
 * Why: the first context a process enters makes `AsyncLocalStorage` track every promise the
 * process makes from then on, in Node.js 20 and 22 (a promise hook and a property on each). In
 * the hook's default set-up (metrics only, no tracer provider) Tokenomics enters no context for a
 * call; a library tracing itself through the API would otherwise turn that tracking on anyway,
 * for spans nothing records.
 *
 * Only contexts of `@opentelemetry/api`'s own implementation are compared; any other is entered.
 */
export class LeanContextManager extends AsyncLocalStorageContextManager {
  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    // A recording span, the common case with spans, is entered without reading the active context.
    // Otherwise the function runs as `AsyncLocalStorage.run` calls it: `this` is the given one, or null.
    if (!carriesRecordingSpan(context) && nothingToEnter(context, this.active())) {
      return Reflect.apply(fn, thisArg ?? null, args) as ReturnType<F>;
    }
    return super.with(context, fn, thisArg, ...args);
  }
}

/** Whether entering `next` from `active` would change nothing any reader of the context sees. */
function nothingToEnter(next: Context, active: Context): boolean {
  if (next === active) return true;
  try {
    const span = next.getValue(SPAN_KEY);
    if (!isNonRecordingSpan(span)) return false;
    const values = valuesOf(next);
    const current = valuesOf(active);
    if (values === undefined || current === undefined || !inertBeside(span, current.get(SPAN_KEY))) return false;
    if (values.size !== current.size + (current.has(SPAN_KEY) ? 0 : 1)) return false;
    for (const [key, value] of current) {
      if (key !== SPAN_KEY && (!values.has(key) || values.get(key) !== value)) return false;
    }
    return true;
  } catch {
    // A span or context that throws when read: enter it, as the stock manager does.
    return false;
  }
}

/**
 * The values of a context of `@opentelemetry/api`'s `BaseContext` (a `Map` it keeps in its own
 * `_currentContext`); `undefined` for any other implementation.
 */
function valuesOf(context: Context): Map<unknown, unknown> | undefined {
  if (!Object.hasOwn(context, '_currentContext')) return undefined;
  const values = (context as { _currentContext?: unknown })._currentContext;
  return values instanceof Map ? values : undefined;
}

/**
 * Whether setting `span`, which records nothing, over a context whose span is `parent` (or none)
 * changes nothing a reader sees: its span context is either invalid (nothing to propagate or
 * parent, where `parent` propagates nothing either) or the parent's own.
 */
function inertBeside(span: Span, parent: unknown): boolean {
  const spanContext = span.spanContext();
  if (parent === undefined) return !isSpanContextValid(spanContext);
  if (!isNonRecordingSpan(parent)) return false;
  const parentContext = parent.spanContext();
  if (spanContext === parentContext) return true;
  return !isSpanContextValid(spanContext) && !isSpanContextValid(parentContext);
}

function carriesRecordingSpan(context: Context): boolean {
  try {
    const span = context.getValue(SPAN_KEY) as Partial<Span> | null | undefined;
    return typeof span?.isRecording === 'function' && span.isRecording() === true;
  } catch {
    return false;
  }
}

function isNonRecordingSpan(value: unknown): value is Span {
  if (typeof value !== 'object' || value === null) return false;
  const span = value as Partial<Span>;
  return typeof span.isRecording === 'function' && typeof span.spanContext === 'function' && span.isRecording() === false;
}
