import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

/** A request over HTTP/1.1 or cleartext HTTP/2 (which the AWS SDK uses for Bedrock). */
export type EmulatorRequest = IncomingMessage | Http2ServerRequest;

/** A response over HTTP/1.1 or cleartext HTTP/2. */
export type EmulatorResponse = ServerResponse | Http2ServerResponse;

/** Headers HTTP/2 forbids; dropped from answers sent over HTTP/2. */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/** `true` once the client closed the connection (or stream) or the response ended. */
export function isGone(res: EmulatorResponse): boolean {
  if (res.writableEnded) return true;
  if ('stream' in res) return res.stream.destroyed || res.stream.closed;
  return res.destroyed || (res.socket !== null && res.socket.destroyed);
}

/** Writes the status line and headers, adapting them to the protocol in use. */
export function writeHead(res: EmulatorResponse, status: number, headers: OutgoingHttpHeaders): void {
  if ('stream' in res) {
    const allowed: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers)) {
      if (!CONNECTION_HEADERS.has(name.toLowerCase())) allowed[name] = value;
    }
    res.writeHead(status, allowed);
    return;
  }
  res.writeHead(status, headers);
}

/** Aborts the response (used when an answer fails after its headers were sent). */
export function destroyResponse(res: EmulatorResponse): void {
  if ('stream' in res) res.stream.destroy();
  else res.destroy();
}

/** Sends the headers now, before the first body chunk. */
export function flushHeaders(res: EmulatorResponse): void {
  (res as { flushHeaders?: () => void }).flushHeaders?.();
}

/** Writes one body chunk. */
export function writeChunk(res: EmulatorResponse, chunk: string | Uint8Array): void {
  if ('stream' in res) res.write(chunk);
  else res.write(chunk);
}
