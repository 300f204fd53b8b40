import fc from 'fast-check';
import { describeError, snapshot } from './harness';
import { toJson } from './hostile';
import { frame, headersOf, sseBody, utf8, type Framing, type RequestFacts, type SseEvent, type SseStyle, type WireAnswer } from './wire';

/** How the app reads a non-streamed call. */
export type ValueReading = 'await' | 'withResponse' | 'asResponse';

/**
 * How the app reads a stream: all of it, stopping after chunk `at`, aborting after chunk `at`, the
 * raw body, both halves of `tee()` one after the other, or through `toReadableStream()`.
 */
export type StreamReading =
  | { kind: 'all' }
  | { kind: 'break'; at: number }
  | { kind: 'abort'; at: number }
  | { kind: 'asResponse' }
  | { kind: 'tee' }
  | { kind: 'readableStream' };

export const valueReading: fc.Arbitrary<ValueReading> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('await' as const) },
  { weight: 1, arbitrary: fc.constantFrom('withResponse' as const, 'asResponse' as const) },
);

/** Stream readings; `stainless` adds what openai and Anthropic streams offer (raw body, `tee()`, `toReadableStream()`). */
export const streamReading = (stainless: boolean): fc.Arbitrary<StreamReading> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.constant({ kind: 'all' as const }) },
    { weight: 2, arbitrary: fc.nat(6).map((at) => ({ kind: 'break' as const, at })) },
    { weight: 2, arbitrary: fc.nat(6).map((at) => ({ kind: 'abort' as const, at })) },
    {
      weight: stainless ? 1 : 0,
      arbitrary: fc.constantFrom({ kind: 'asResponse' as const }, { kind: 'tee' as const }, { kind: 'readableStream' as const }),
    },
  );

/** A generated body: JSON (with hostile values), server-sent events, or raw text. */
export type BodySpec =
  | { kind: 'json'; value: unknown }
  | { kind: 'sse'; events: SseEvent[]; style: SseStyle; tag?: string }
  | { kind: 'text'; text: string };

/** The generated HTTP answer of a case. */
export interface AnswerSpec {
  status: number;
  contentType: string | undefined;
  body: BodySpec;
  framing: Framing;
  headers?: Record<string, string>;
}

/** The bytes and pieces of an answer. */
export function wireOf(spec: AnswerSpec, request?: RequestFacts): WireAnswer {
  const b = spec.body;
  const headers = headersOf(spec.contentType, spec.headers);
  if (b.kind === 'sse') {
    const sse = sseBody(b.events, b.style, request);
    return { status: spec.status, headers, pieces: frame(sse.bytes, spec.framing, sse) };
  }
  const bytes = b.kind === 'json' ? utf8(toJson(b.value)) : utf8(b.text);
  return { status: spec.status, headers, pieces: frame(bytes, spec.framing) };
}

/** What a faithful server reads from a JSON request body. */
export function requestFacts(init: RequestInit | undefined): RequestFacts {
  let body: { stream_options?: { include_usage?: unknown } } | undefined;
  try {
    body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
  } catch {
    body = undefined;
  }
  return { streamUsageRequested: body?.stream_options?.include_usage === true };
}

/** A promise from a Stainless SDK (openai, @anthropic-ai/sdk): awaitable, with `withResponse()` and `asResponse()`. */
interface ApiPromise<T> extends Promise<T> {
  withResponse(): Promise<{ data: T; response: Response }>;
  asResponse(): Promise<Response>;
}

/** The app awaits a non-streamed call as `reading` says and reports what it got. */
export async function readValue(call: () => ApiPromise<unknown>, reading: ValueReading): Promise<unknown> {
  try {
    const p = call();
    if (reading === 'await') return { value: snapshot(await p) };
    if (reading === 'withResponse') {
      const { data, response } = await p.withResponse();
      return { value: snapshot(data), status: response.status };
    }
    const response = await p.asResponse();
    return { status: response.status, text: await response.text() };
  } catch (err) {
    return { error: describeError(err) };
  }
}

/** The app reads a stream as `reading` says and reports every chunk and how it ended. */
export async function readStream(
  open: (signal: AbortSignal) => Promise<AsyncIterable<unknown>> | ApiPromise<AsyncIterable<unknown>>,
  reading: StreamReading,
): Promise<unknown> {
  const controller = new AbortController();
  const chunks: unknown[] = [];
  try {
    const opened = open(controller.signal);
    if (reading.kind === 'asResponse') {
      const response = await (opened as ApiPromise<unknown>).asResponse();
      return { status: response.status, text: await response.text() };
    }
    const stream = await opened;
    if (reading.kind === 'tee') {
      const [left, right] = (stream as unknown as { tee(): [AsyncIterable<unknown>, AsyncIterable<unknown>] }).tee();
      for await (const chunk of left) chunks.push(snapshot(chunk));
      chunks.push('(second half)');
      for await (const chunk of right) chunks.push(snapshot(chunk));
      return { chunks, end: 'done' };
    }
    if (reading.kind === 'readableStream') {
      const reader = (stream as unknown as { toReadableStream(): ReadableStream<Uint8Array> }).toReadableStream().getReader();
      const decoder = new TextDecoder();
      for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(decoder.decode(r.value, { stream: true }));
      return { chunks, end: 'done' };
    }
    let i = 0;
    for await (const chunk of stream) {
      chunks.push(snapshot(chunk));
      if (reading.kind === 'break' && i === reading.at) return { chunks, end: 'break' };
      if (reading.kind === 'abort' && i === reading.at) controller.abort();
      i++;
    }
    return { chunks, end: 'done' };
  } catch (err) {
    return { chunks, error: describeError(err) };
  }
}

/** An SDK stream helper (`messages.stream()`, `chat.completions.stream()`): iterable, abortable, with a final value. */
interface StreamHelper extends AsyncIterable<unknown> {
  abort(): void;
}

/**
 * The app reads a stream helper's events as `reading` says, then (when it read them all) asks
 * for the helper's final value through `final`.
 */
export async function readHelper(
  open: () => StreamHelper,
  final: (helper: StreamHelper) => Promise<unknown>,
  reading: StreamReading,
): Promise<unknown> {
  const events: unknown[] = [];
  let helper: StreamHelper | undefined;
  try {
    helper = open();
    let i = 0;
    for await (const event of helper) {
      events.push(snapshot(event));
      if (reading.kind === 'break' && i === reading.at) return { events, end: 'break' };
      if (reading.kind === 'abort' && i === reading.at) helper.abort();
      i++;
    }
    return { events, end: 'done', final: snapshot(await final(helper)) };
  } catch (err) {
    return { events, error: describeError(err) };
  }
}
