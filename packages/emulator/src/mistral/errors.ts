import type { OutgoingHttpHeaders } from 'node:http';
import type { Exchange } from '../exchange';
import { randomHex } from '../ids';
import type { ErrorDetail } from '../provider-api';
import { retryAfterSeconds } from '../retry-after';

// Mistral AI API reference: https://docs.mistral.ai/api/ — error answers are
// `{ object: 'error', message, type, param, code }`; request validation failures are 422 with `detail`.

/** The body of a Mistral error answer. */
export interface MistralErrorBody {
  object: 'error';
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/** Message and type the API answers a status with when nothing more specific is known. */
export function defaultMistralError(status: number): { message: string; type: string; code: string | null } {
  switch (status) {
    case 400:
      return { message: 'Emulated invalid request (error=400).', type: 'invalid_request_error', code: '3000' };
    case 401:
      return { message: 'Unauthorized', type: 'authentication_error', code: null };
    case 403:
      return { message: 'Forbidden', type: 'permission_error', code: null };
    case 404:
      return { message: 'Invalid model', type: 'invalid_model', code: '1500' };
    case 429:
      return { message: 'Requests rate limit exceeded', type: 'rate_limited', code: '1300' };
    case 503:
      return { message: 'Service unavailable', type: 'service_unavailable', code: null };
    default:
      return { message: 'Internal server error', type: 'internal_server_error', code: null };
  }
}

/** Headers the Mistral API sends on every answer. */
export function mistralHeaders(extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
  return { 'mistral-correlation-id': randomHex(32), ...extra };
}

/** The error body for a status and detail. */
export function mistralErrorBody(status: number, detail?: ErrorDetail): MistralErrorBody {
  const base = defaultMistralError(status);
  return {
    object: 'error',
    message: detail?.message ?? base.message,
    type: detail?.type ?? base.type,
    param: detail?.param ?? null,
    code: detail?.code ?? base.code,
  };
}

/** Writes a Mistral error answer. */
export function sendMistralError(exchange: Exchange, status: number, detail?: ErrorDetail): void {
  const extra: OutgoingHttpHeaders = {};
  const retryAfter = retryAfterSeconds(exchange, status);
  if (retryAfter !== undefined && (status === 429 || status >= 500)) extra['retry-after'] = String(retryAfter);
  exchange.sendJson(status, mistralErrorBody(status, detail), mistralHeaders(extra));
}
