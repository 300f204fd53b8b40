import type { OutgoingHttpHeaders } from 'node:http';
import type { Exchange } from '../exchange';
import type { ErrorDetail } from '../provider-api';
import { retryAfterSeconds } from '../retry-after';

/** The `error` object of a Google API error body. */
export interface GoogleErrorObject {
  code: number;
  message: string;
  status: string;
  details?: unknown[];
}

const STATUS_NAMES: Readonly<Record<number, [string, string]>> = {
  400: ['INVALID_ARGUMENT', 'Request contains an invalid argument.'],
  401: [
    'UNAUTHENTICATED',
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  ],
  403: [
    'PERMISSION_DENIED',
    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
  ],
  404: ['NOT_FOUND', 'Requested entity was not found.'],
  429: ['RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).'],
  500: ['INTERNAL', 'An internal error has occurred. Please retry or report the problem.'],
  503: ['UNAVAILABLE', 'The model is overloaded. Please try again later.'],
};

/** HTTP status Google answers with for a directive status (529 is not a Google status: 503). */
export function googleStatus(status: number): number {
  return status === 529 ? 503 : status;
}

/** The error object Google sends for a status. */
export function googleError(status: number, message?: string, retryAfter?: number): GoogleErrorObject {
  const code = googleStatus(status);
  const [name, text] = STATUS_NAMES[code] ?? STATUS_NAMES[500];
  const error: GoogleErrorObject = { code, message: message ?? text, status: name };
  if (code === 429) {
    error.details = [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfter ?? 0}s` }];
  }
  return error;
}

/** Headers of a Google API answer. */
export function googleHeaders(exchange: Exchange, extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
  return {
    'content-type': 'application/json; charset=UTF-8',
    'server-timing': `gfet4t7; dur=${exchange.elapsedMs()}`,
    vary: 'Origin, X-Origin, Referer',
    ...extra,
  };
}

/** Writes a Google error answer: `{ error: { code, message, status } }`. */
export function sendGoogleError(exchange: Exchange, status: number, detail?: ErrorDetail): void {
  const retryAfter = retryAfterSeconds(exchange, status);
  const error = googleError(status, detail?.message, retryAfter);
  const extra: OutgoingHttpHeaders = {};
  if (exchange.directives.retryAfter !== undefined) extra['retry-after'] = String(exchange.directives.retryAfter);
  exchange.sendJson(error.code, { error }, googleHeaders(exchange, extra));
}
