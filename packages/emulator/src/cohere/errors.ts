import type { OutgoingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Exchange } from '../exchange';
import type { ErrorDetail } from '../provider-api';
import { retryAfterSeconds } from '../retry-after';

// Cohere API reference, https://docs.cohere.com/reference/errors — error answers are
// `{ id, message }` with the HTTP status (400, 401, 404, 422, 429, 498, 499, 500, 503, ...).

/** Message the API answers a status with when nothing more specific is known. */
export function defaultCohereMessage(status: number): string {
  switch (status) {
    case 400:
      return 'invalid request: emulated invalid request (error=400).';
    case 401:
      return 'no api key supplied';
    case 403:
      return 'forbidden';
    case 404:
      return 'model not found, make sure the correct model ID was used and that you have access to the model.';
    case 429:
      return "You are using a Trial key, which is limited to 10 API calls / minute. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits at 'https://dashboard.cohere.com/api-keys'. Contact us on 'https://discord.gg/XW44jPfYJu' or email us at support@cohere.com with any questions";
    case 503:
      return 'service unavailable';
    default:
      return 'internal server error, this has been reported to our developers.';
  }
}

/** Headers the Cohere API sends on every answer. */
export function cohereHeaders(extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
  return { 'x-trace-id': randomUUID(), ...extra };
}

/** Writes a Cohere error answer. */
export function sendCohereError(exchange: Exchange, status: number, detail?: ErrorDetail): void {
  const extra: OutgoingHttpHeaders = {};
  const retryAfter = retryAfterSeconds(exchange, status);
  if (retryAfter !== undefined && (status === 429 || status >= 500)) extra['retry-after'] = String(retryAfter);
  exchange.sendJson(status, { id: randomUUID(), message: detail?.message ?? defaultCohereMessage(status) }, cohereHeaders(extra));
}
