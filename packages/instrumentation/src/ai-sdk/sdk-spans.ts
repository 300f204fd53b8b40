import { SpanKind, type Span } from '@opentelemetry/api';
import { ATTR_GEN_AI_OPERATION_NAME, ATTR_GEN_AI_REQUEST_MODEL } from '@tokenomics/contract/attributes';
import { OPERATION_CHAT, OPERATION_EMBEDDINGS } from '@tokenomics/contract/operations';

/**
 * Finding the AI SDK's own span of a model call, so that it can be marked as a second span of the
 * call the hook prices (`tokenomics.duplicate_of`) and an exporter never prices it again.
 *
 * - `ai` 5 and 6 with `experimental_telemetry`, and `ai` 7 with `LegacyOpenTelemetry` from
 *   `@ai-sdk/otel`: `ai.<function>.do<Generate|Stream|Embed>` spans (tracer `ai`).
 * - `ai` 7 with `OpenTelemetry` from `@ai-sdk/otel`: GenAI client spans named `chat <model>` and
 *   `embeddings <model>` (tracer `gen_ai`), under `invoke_agent <model>` and `step <n>` spans.
 *
 * The SDK makes its span of a text call the active one while the model runs (`generateText`,
 * `streamText`, agents), so the hook's span is its child. For `generateObject`, `streamObject`,
 * `embed` and `embedMany`, `ai` 7 starts the span without making it active: it is found among the
 * open calls of the integrations the app registered (`registerTelemetry`) or gave the call
 * (`telemetry: { integrations }`), by model.
 */

type Obj = Record<string, unknown>;

/** Names of the AI SDK's telemetry spans around one model call (`ai.<function>.do<Generate|Stream|Embed>`). */
const LEGACY_MODEL_CALL_SPAN = /^ai\.[A-Za-z]+\.do(?:Generate|Stream|Embed)$/;
/** The model attribute of the AI SDK's `ai.*` spans (a third-party name, not ours). */
const SDK_MODEL_ID = 'ai.model.id';
/** Where `registerTelemetry` of `ai` 7 keeps the integrations (a third-party name, not ours). */
const SDK_INTEGRATIONS_GLOBAL = 'AI_SDK_TELEMETRY_INTEGRATIONS';
/** `ai` 7 operations whose model call runs outside the SDK's span of it. */
const OBJECT_OPERATIONS: ReadonlySet<string> = new Set(['ai.generateObject', 'ai.streamObject']);
const EMBED_OPERATIONS: ReadonlySet<string> = new Set(['ai.embed', 'ai.embedMany']);

/** SDK spans already paired with one of ours: each is marked once, for one call. */
const claimed = new WeakSet<object>();
/** The hook's own spans of AI SDK model calls: never taken for the SDK's (a model calling a model). */
const own = new WeakSet<object>();

/** Records `span` as the hook's span of a model call, never to be marked as a second span. */
export function noteOwnSpan(span: Span): void {
  own.add(span);
}

/** How many integrations given per call (`telemetry: { integrations }`) are remembered, the oldest forgotten first. */
const MAX_CALL_INTEGRATIONS = 32;
/** Integrations given per call, held weakly, so their open calls are found like the registered ones'. */
const callIntegrations: WeakRef<object>[] = [];
const callIntegrationSet = new WeakSet<object>();

/**
 * Remembers the telemetry integrations an `ai` 7 call's options name (`telemetry.integrations` or
 * `experimental_telemetry.integrations`, one or a list) that keep call states, so that a model call
 * running outside their span can still be paired with it. Never throws.
 */
export function noteCallIntegrations(options: Obj): void {
  try {
    for (const key of ['telemetry', 'experimental_telemetry']) {
      const telemetry = Object.hasOwn(options, key) ? options[key] : undefined;
      if (!telemetry || typeof telemetry !== 'object' || !Object.hasOwn(telemetry, 'integrations')) continue;
      const given = (telemetry as Obj).integrations;
      for (const integration of Array.isArray(given) ? (given as unknown[]) : [given]) {
        if (!integration || typeof integration !== 'object' || callIntegrationSet.has(integration)) continue;
        if (!Object.hasOwn(integration, 'callStates')) continue;
        if (callIntegrations.length >= MAX_CALL_INTEGRATIONS) {
          const oldest = callIntegrations.shift()?.deref();
          if (oldest !== undefined) callIntegrationSet.delete(oldest);
        }
        callIntegrationSet.add(integration);
        callIntegrations.push(new WeakRef(integration));
      }
    }
  } catch {
    // Nothing remembered: the call is recorded as without them.
  }
}

/**
 * The AI SDK's own span of the model call about to start, or `undefined`: the active span when it
 * is one, else an open span of the same model among the calls of the same kind (object generation
 * or embedding) of the integrations registered or given to calls, not yet paired. Never throws.
 */
export function findSdkSpan(active: Span | undefined, modelId: string, kind: 'generate' | 'stream' | 'embed'): Span | undefined {
  try {
    // The active span is this very call's (a retry inside it is marked again, with the last attempt).
    if (active !== undefined && !own.has(active) && isSdkModelCallSpan(active, modelId)) return claim(active);
    const open = openIntegrationSpan(modelId, kind);
    return open === undefined ? undefined : claim(open);
  } catch {
    return undefined;
  }
}

function claim(span: Span): Span | undefined {
  if (!span.isRecording()) return undefined;
  claimed.add(span);
  return span;
}

/**
 * Whether `span` is a span of one model call of `modelId`: the AI SDK's `ai.*.do*` span, or a GenAI
 * client span (`chat` or `embeddings`) of that model, such as the `chat <model>` span of
 * `@ai-sdk/otel`'s `OpenTelemetry` whatever tracer the app gave it. A GenAI client span of the same
 * model active while the SDK calls the model describes that call: it is a second span of it.
 */
export function isSdkModelCallSpan(span: Span, modelId: string): boolean {
  const s = span as unknown as Obj;
  const name = s.name;
  if (typeof name !== 'string') return false;
  if (LEGACY_MODEL_CALL_SPAN.test(name)) return true;
  if (s.kind !== SpanKind.CLIENT) return false;
  const attrs = s.attributes as Obj | undefined;
  if (!attrs || typeof attrs !== 'object') return false;
  const op = Object.hasOwn(attrs, ATTR_GEN_AI_OPERATION_NAME) ? attrs[ATTR_GEN_AI_OPERATION_NAME] : undefined;
  if (op !== OPERATION_CHAT && op !== OPERATION_EMBEDDINGS) return false;
  return requestModelIs(span, modelId);
}

/** Whether the span names `modelId` as its model (`gen_ai.request.model`, or the `ai.*` spans' `ai.model.id`), by own attributes. */
function requestModelIs(span: Span, modelId: string): boolean {
  const attrs = (span as unknown as Obj).attributes as Obj | undefined;
  if (!attrs || typeof attrs !== 'object') return false;
  for (const key of [ATTR_GEN_AI_REQUEST_MODEL, SDK_MODEL_ID]) {
    if (Object.hasOwn(attrs, key) && attrs[key] === modelId) return true;
  }
  return false;
}

/** No integrations. */
const EMPTY: readonly unknown[] = Object.freeze([]);

/**
 * An open span of a `generateObject`/`streamObject` (for `generate`/`stream`) or `embed`/`embedMany`
 * (for `embed`) call of `modelId` in the integrations registered with `ai` 7 or given to a call,
 * not yet paired.
 */
function openIntegrationSpan(modelId: string, kind: 'generate' | 'stream' | 'embed'): Span | undefined {
  const g = globalThis as unknown as Obj;
  const registered = Object.hasOwn(g, SDK_INTEGRATIONS_GLOBAL) ? g[SDK_INTEGRATIONS_GLOBAL] : undefined;
  let integrations: readonly unknown[] = Array.isArray(registered) ? (registered as unknown[]) : EMPTY;
  // Without integrations given to calls (nearly every app), the registered list is read as it is:
  // no copy of it per call.
  if (callIntegrations.length > 0) {
    const all = [...integrations];
    for (const ref of callIntegrations) {
      const integration = ref.deref();
      if (integration !== undefined && !all.includes(integration)) all.push(integration);
    }
    integrations = all;
  }
  if (integrations.length === 0) return undefined;
  const operations = kind === 'embed' ? EMBED_OPERATIONS : OBJECT_OPERATIONS;
  for (const integration of integrations) {
    if (!integration || typeof integration !== 'object' || !Object.hasOwn(integration, 'callStates')) continue;
    const states = (integration as Obj).callStates;
    if (!(states instanceof Map)) continue;
    for (const state of states.values() as IterableIterator<unknown>) {
      if (!state || typeof state !== 'object') continue;
      const st = state as Obj;
      if (typeof st.operationId !== 'string' || !operations.has(st.operationId)) continue;
      for (const span of candidateSpans(st, kind)) {
        if (!claimed.has(span) && span.isRecording() && isSdkModelCallSpan(span, modelId) && requestModelIs(span, modelId)) return span;
      }
    }
  }
  return undefined;
}

/** The spans of one integration call state that may be a model call's: embedding spans, or the step/inference span. */
function candidateSpans(state: Obj, kind: 'generate' | 'stream' | 'embed'): Span[] {
  const out: Span[] = [];
  if (kind === 'embed') {
    const embeds = state.embedSpans;
    if (embeds instanceof Map) {
      for (const entry of embeds.values() as IterableIterator<unknown>) {
        const span = entry && typeof entry === 'object' ? (entry as Obj).span : undefined;
        if (isSpan(span)) out.push(span);
      }
    }
    return out;
  }
  // OpenTelemetry: the inference span (`chat <model>`); LegacyOpenTelemetry: the step span (`ai.generateObject.doGenerate`).
  if (isSpan(state.inferenceSpan)) out.push(state.inferenceSpan);
  if (isSpan(state.stepSpan)) out.push(state.stepSpan);
  return out;
}

function isSpan(value: unknown): value is Span {
  return (
    !!value &&
    typeof value === 'object' &&
    typeof (value as Obj).isRecording === 'function' &&
    typeof (value as Obj).setAttribute === 'function'
  );
}
