import { randomUUID } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { randomAlphanumeric } from '../ids';

const codec = new EventStreamCodec(
  (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8'),
  (text: string) => new Uint8Array(Buffer.from(text, 'utf8')),
);

/** Headers of every Bedrock Runtime answer. */
export function bedrockHeaders(extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
  return { 'x-amzn-requestid': randomUUID(), ...extra };
}

/** Headers of an event-stream answer. */
export function bedrockStreamHeaders(): OutgoingHttpHeaders {
  return bedrockHeaders({ 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-bedrock-content-type': 'application/json' });
}

/** The random `p` padding Bedrock adds to stream payloads to hide their length. */
export function padding(): string {
  return randomAlphanumeric(4 + Math.floor(Math.random() * 24));
}

/** One AWS event-stream `event` message: `:event-type`, `:content-type`, `:message-type` and a JSON payload. */
export function eventMessage(eventType: string, payload: Record<string, unknown>): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: new Uint8Array(Buffer.from(JSON.stringify(payload), 'utf8')),
  });
}

/** One AWS event-stream `exception` message (e.g. `modelStreamErrorException`). */
export function exceptionMessage(exceptionType: string, payload: Record<string, unknown>): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: exceptionType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    },
    body: new Uint8Array(Buffer.from(JSON.stringify(payload), 'utf8')),
  });
}

/** The mid-stream error sent for `stream_error_after`. */
export function streamErrorMessage(): Uint8Array {
  return exceptionMessage('modelStreamErrorException', {
    message: 'The model encountered an error while streaming its response.',
    originalStatusCode: 500,
  });
}
