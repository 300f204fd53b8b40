import fc from 'fast-check';
import { toJson } from './hostile';

/** One HTTP answer as generated: status, headers and the body bytes cut into the pieces the transport hands over. */
export interface WireAnswer {
  status: number;
  headers: Record<string, string>;
  /** The body, in the pieces a socket would deliver (split anywhere, even inside a UTF-8 sequence). */
  pieces: Uint8Array[];
}

/** How the body bytes reach the client: truncated or not, cut at which fractions of the length. */
export interface Framing {
  truncateAt: number | undefined;
  cuts: number[];
}

export const framing: fc.Arbitrary<Framing> = fc.record({
  truncateAt: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { freq: 10, nil: undefined }),
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
});

/** Cuts `body` into pieces as `f` says. */
export function frame(
  body: Uint8Array,
  f: Framing,
  reference?: { fromReference: (offset: number, truncate: boolean) => number; referenceLength: number },
): Uint8Array[] {
  const map = reference?.fromReference ?? ((o: number) => o);
  const length = reference?.referenceLength ?? body.length;
  const bytes = f.truncateAt === undefined ? body : body.subarray(0, map(Math.floor(length * f.truncateAt), true));
  const offsets = [...new Set(f.cuts.map((c) => map(Math.floor(length * c), false)))]
    .filter((o) => o > 0 && o < bytes.length)
    .sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const o of [...offsets, bytes.length]) {
    if (o > from) pieces.push(bytes.subarray(from, o));
    from = o;
  }
  return pieces;
}

export const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

/** Content types, right and wrong. */
export function contentType(right: string): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(right) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<string | undefined>(
        undefined,
        'text/plain',
        'text/html; charset=utf-8',
        'application/json',
        'text/event-stream',
        'application/octet-stream',
      ),
    },
  );
}

/** One server-sent event: an optional `event:` name and the `data:` text. */
export interface SseEvent {
  event?: string;
  data: string;
  /**
   * What a faithful server sends instead when the request did not ask for stream usage
   * (`stream_options.include_usage`): `null` drops the event.
   */
  unrequestedUsage?: string | null;
}

/** What of the request decides what a faithful server sends. */
export interface RequestFacts {
  streamUsageRequested: boolean;
}

/** How a stream of events is written: line endings, a garbage frame slipped in, the terminator. */
export interface SseStyle {
  crlf: boolean;
  garbage: { at: number; text: string } | undefined;
}

export const sseStyle: fc.Arbitrary<SseStyle> = fc.record({
  crlf: fc.boolean(),
  garbage: fc.option(
    fc.record({
      at: fc.nat(8),
      text: fc.constantFrom(
        ': keep-alive',
        'data: {"broken',
        'data: ',
        'event: surprise\ndata: {}',
        'data: null',
        'data: []',
        'data: 12',
        'retry: 10',
        'data: "text"',
        'id: 7',
      ),
    }),
    { freq: 6, nil: undefined },
  ),
});

/** An SSE body and the map from offsets of the reference body to offsets of this one. */
export interface SseBytes {
  bytes: Uint8Array;
  referenceLength: number;
  /** Where offset `offset` of the reference body falls in this one; `truncate` snaps into whole events that differ. */
  fromReference(offset: number, truncate: boolean): number;
}

/**
 * The body bytes of `events` written in `style` for a request. Cuts and truncations are generated
 * against the reference body, the one a server sends when the request does not ask for stream
 * usage, and mapped onto this one, so they fall at the same place of what the app reads whether or
 * not the hook asked for usage: a truncation inside an event that differs between the two bodies
 * drops that whole event in both.
 */
export function sseBody(all: SseEvent[], style: SseStyle, request?: RequestFacts): SseBytes {
  const nl = style.crlf ? '\r\n' : '\n';
  const text = (e: SseEvent, data: string) =>
    Buffer.from((e.event === undefined ? '' : `event: ${e.event}${nl}`) + `data: ${data}${nl}${nl}`, 'utf8');
  const requested = request?.streamUsageRequested !== false;
  // Each frame: its bytes here, its bytes in the reference body (undefined: not in it).
  const frames: Array<{ here: Buffer | undefined; reference: Buffer | undefined; differs: boolean }> = [];
  for (const e of all) {
    const full = text(e, e.data);
    if (e.unrequestedUsage === undefined) frames.push({ here: full, reference: full, differs: false });
    else {
      const reference = e.unrequestedUsage === null ? undefined : text(e, e.unrequestedUsage);
      frames.push({ here: requested ? full : reference, reference, differs: true });
    }
  }
  if (style.garbage) {
    const garbage = Buffer.from(`${style.garbage.text.replace(/\n/g, nl)}${nl}${nl}`, 'utf8');
    let at = 0;
    for (let kept = 0; at < frames.length && kept < style.garbage.at; at++) if (frames[at].reference) kept++;
    frames.splice(at, 0, { here: garbage, reference: garbage, differs: false });
  }
  const referenceLength = frames.reduce((n, f) => n + (f.reference?.length ?? 0), 0);
  const fromReference = (offset: number, truncate: boolean) => {
    let ref = 0;
    let here = 0;
    for (const f of frames) {
      const hereLength = f.here?.length ?? 0;
      if (f.reference && offset < ref + f.reference.length) {
        const inside = offset - ref;
        if (!f.differs) return here + inside;
        return truncate ? here : here + Math.min(inside, hereLength);
      }
      ref += f.reference?.length ?? 0;
      here += hereLength;
    }
    return here;
  };
  return { bytes: new Uint8Array(Buffer.concat(frames.flatMap((f) => (f.here ? [f.here] : [])))), fromReference, referenceLength };
}

/** `data` of an event whose payload is a generated object. */
export const jsonData = (payload: unknown) => toJson(payload);

function abortError(): Error {
  return new DOMException('This operation was aborted', 'AbortError');
}

/**
 * A `fetch` that answers every request with the answer `next()` gives, in memory. The body is a
 * pull stream that hands over one piece per read and errors as undici's does when the request's
 * signal aborts.
 */
export function inMemoryFetch(next: (init: RequestInit | undefined) => WireAnswer): typeof fetch {
  return (async (_url: unknown, init?: RequestInit) => {
    const signal = init?.signal ?? undefined;
    if (signal?.aborted) throw abortError();
    const answer = next(init);
    const noBody = answer.status === 204 || answer.status === 304;
    let i = 0;
    const body = noBody
      ? null
      : new ReadableStream<Uint8Array>({
          start(controller) {
            signal?.addEventListener(
              'abort',
              () => {
                try {
                  controller.error(abortError());
                } catch {
                  // already closed
                }
              },
              { once: true },
            );
          },
          pull(controller) {
            if (i < answer.pieces.length) controller.enqueue(answer.pieces[i++].slice());
            else controller.close();
          },
        });
    return new Response(body, { status: answer.status, headers: answer.headers });
  }) as typeof fetch;
}

/** Headers of an answer with an optional content type. */
export function headersOf(type: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
  return type === undefined ? { ...extra } : { 'content-type': type, ...extra };
}
