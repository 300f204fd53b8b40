import {
  context,
  createContextKey,
  INVALID_SPAN_CONTEXT,
  trace,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';

/**
 * `@anthropic-ai/sdk` 1.x traces its own API calls: with a tracer provider registered, each
 * `messages.create` (also when the `stream()` helper sends it) emits an `anthropic.messages.create`
 * CLIENT span with GenAI attributes. For the calls the instrumentation records, that span would
 * be a second span of the same LLM call, and a cost-enriching exporter would price the call twice.
 *
 * So while the instrumentation is enabled, the SDK's span of a call we record is replaced by a
 * non-recording span that carries the context of our span: the SDK records nothing and keeps
 * propagating, so requests carry the trace context of the one GenAI span (`traceparent` names our
 * span as the parent). Every other span of the SDK (token counting, batches, tool runners, ...)
 * is left as it is, and disabling the instrumentation restores the SDK's own call spans.
 */

/** Names of the SDK's call spans for the methods the instrumentation records. */
const RECORDED_CALL_SPAN_NAMES: ReadonlySet<string> = new Set(['anthropic.messages.create']);

const RECORDED_CALL = createContextKey('tokenomics.anthropic.recorded_call');

/** The context the SDK method of a recorded call runs in: `callContext`, marked as recorded. */
export function recordedCallContext(callContext: Context): Context {
  return callContext.setValue(RECORDED_CALL, true);
}

/** A tracer that hands the SDK non-recording spans for the calls the instrumentation records. */
class CallSpanFilter implements Tracer {
  constructor(
    readonly inner: Tracer,
    private readonly isEnabled: () => boolean,
  ) {}

  startSpan(name: string, options?: SpanOptions, ctx?: Context): Span {
    if (!RECORDED_CALL_SPAN_NAMES.has(name) || !this.isEnabled()) return this.inner.startSpan(name, options, ctx);
    const active = ctx ?? context.active();
    // Inside a recorded call the active span is ours; the `stream()` helper starts its span before
    // it calls `create()`, where ours starts: it gets an invalid context and so no span at all.
    const parent = active.getValue(RECORDED_CALL) === true ? trace.getSpanContext(active) : undefined;
    return trace.wrapSpanContext(parent ?? INVALID_SPAN_CONTEXT);
  }

  readonly startActiveSpan = ((...args: unknown[]) =>
    (this.inner.startActiveSpan as (...a: unknown[]) => unknown).apply(this.inner, args)) as Tracer['startActiveSpan'];
}

/**
 * Makes `client` (an `@anthropic-ai/sdk` client) start no span of its own for the calls the
 * instrumentation records, by filtering the tracer the client built for itself (`_tracer`, SDK
 * 1.x). The property keeps its place and enumerability; clients without one (SDK 0.x, tracing
 * disabled by option or `ANTHROPIC_OPEN_TELEMETRY=false`) are left alone. Idempotent.
 */
export function filterClientCallSpans(client: unknown, isEnabled: () => boolean): void {
  if (!client || typeof client !== 'object') return;
  const holder = client as { _tracer?: unknown };
  const tracer = holder._tracer;
  if (!tracer || tracer instanceof CallSpanFilter || typeof (tracer as Tracer).startSpan !== 'function') return;
  const descriptor = Object.getOwnPropertyDescriptor(client, '_tracer');
  if (!descriptor || !descriptor.writable) return;
  holder._tracer = new CallSpanFilter(tracer as Tracer, isEnabled);
}
