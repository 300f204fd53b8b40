import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { toJson } from './hostile';
import { frame, type Framing } from './wire';

const fromClient = createRequire(createRequire(__filename).resolve('@aws-sdk/client-bedrock-runtime'));
const { HttpResponse } = fromClient('@smithy/protocol-http') as { HttpResponse: new (init: unknown) => unknown };
const { EventStreamCodec } = fromClient('@smithy/eventstream-codec') as {
  EventStreamCodec: new (
    toUtf8: (b: Uint8Array) => string,
    fromUtf8: (s: string) => Uint8Array,
  ) => { encode(message: unknown): Uint8Array };
};

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => new Uint8Array(Buffer.from(text, 'utf8')),
);

/** One AWS event-stream message as generated: an event, or an exception, with a JSON payload. */
export interface StreamMessage {
  kind: 'event' | 'exception';
  type: string;
  payload: unknown;
}

/** The bytes of one event-stream message, as Bedrock frames it. */
export function encodeMessage(m: StreamMessage): Uint8Array {
  const typeHeader = m.kind === 'event' ? ':event-type' : ':exception-type';
  return codec.encode({
    headers: {
      [typeHeader]: { type: 'string', value: m.type },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: m.kind },
    },
    body: new Uint8Array(Buffer.from(toJson(m.payload), 'utf8')),
  });
}

/** A generated Bedrock HTTP answer. */
export interface BedrockAnswer {
  status: number;
  headers: Record<string, string>;
  body: { kind: 'bytes'; text: string } | { kind: 'events'; messages: StreamMessage[]; corruptAt: number | undefined };
  framing: Framing;
}

/** The body bytes of an answer, with an optional flipped byte (a CRC failure) in an event stream. */
export function bodyBytes(answer: BedrockAnswer): Uint8Array {
  if (answer.body.kind === 'bytes') return new Uint8Array(Buffer.from(answer.body.text, 'utf8'));
  const bytes = new Uint8Array(Buffer.concat(answer.body.messages.map(encodeMessage)));
  if (answer.body.corruptAt !== undefined && bytes.length > 0) {
    const i = Math.min(bytes.length - 1, Math.floor(bytes.length * answer.body.corruptAt));
    bytes[i] ^= 0x5a;
  }
  return bytes;
}

export const corruptAt = fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { freq: 12, nil: undefined });

function abortError(): Error {
  return Object.assign(new Error('Request aborted'), { name: 'AbortError' });
}

/**
 * A smithy `HttpHandler` that answers every request in memory with the answer `next()` gives: the
 * body is a Node.js stream handing over one piece per read, destroyed with an `AbortError` when
 * the request's abort signal fires, as the SDK's Node.js handlers do.
 */
export function inMemoryRequestHandler(next: () => BedrockAnswer): unknown {
  return {
    metadata: { handlerProtocol: 'http/1.1' },
    async handle(_request: unknown, options: { abortSignal?: AbortSignal } = {}) {
      const signal = options.abortSignal;
      if (signal?.aborted) throw abortError();
      const answer = next();
      const pieces = frame(bodyBytes(answer), answer.framing);
      let i = 0;
      const body = new Readable({
        read() {
          this.push(i < pieces.length ? Buffer.from(pieces[i++]) : null);
        },
      });
      signal?.addEventListener?.('abort', () => body.destroy(abortError()), { once: true });
      return { response: new HttpResponse({ statusCode: answer.status, reason: undefined, headers: { ...answer.headers }, body }) };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
    destroy() {},
  };
}
