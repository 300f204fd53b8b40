import type { OutgoingHttpHeaders } from 'node:http';
import type { Exchange } from '../exchange';
import { randomAlphanumeric } from '../ids';
import type { ErrorDetail } from '../provider-api';
import { retryAfterSeconds } from '../retry-after';

/** The `error` object of an Anthropic error body. */
export interface AnthropicErrorObject {
  type: string;
  message: string;
}

/** Error type and message the Messages API uses for a status. */
export function defaultAnthropicError(status: number): AnthropicErrorObject {
  switch (status) {
    case 400:
      return { type: 'invalid_request_error', message: 'Emulated invalid request (error=400).' };
    case 401:
      return { type: 'authentication_error', message: 'invalid x-api-key' };
    case 403:
      return { type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' };
    case 404:
      return { type: 'not_found_error', message: 'The requested resource could not be found.' };
    case 413:
      return { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' };
    case 429:
      return {
        type: 'rate_limit_error',
        message: 'This request would exceed the rate limit for your organization of 50 requests per minute.',
      };
    case 529:
      return { type: 'overloaded_error', message: 'Overloaded' };
    default:
      return { type: 'api_error', message: 'Internal server error' };
  }
}

/** Headers the Anthropic API sends on every answer. */
export function anthropicHeaders(extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
  return {
    'request-id': `req_011C${randomAlphanumeric(20)}`,
    'anthropic-organization-id': '00000000-0000-4000-8000-000000000000',
    // Rate-limit state as the API sends it (tier-1 style limits; one request and a few tokens used).
    'anthropic-ratelimit-requests-limit': '50',
    'anthropic-ratelimit-requests-remaining': '49',
    'anthropic-ratelimit-requests-reset': new Date(Date.now() + 1_200).toISOString(),
    'anthropic-ratelimit-tokens-limit': '38000',
    'anthropic-ratelimit-tokens-remaining': '37000',
    'anthropic-ratelimit-tokens-reset': new Date(Date.now() + 1_600).toISOString(),
    'anthropic-ratelimit-input-tokens-limit': '30000',
    'anthropic-ratelimit-input-tokens-remaining': '29000',
    'anthropic-ratelimit-input-tokens-reset': new Date(Date.now() + 2_000).toISOString(),
    'anthropic-ratelimit-output-tokens-limit': '8000',
    'anthropic-ratelimit-output-tokens-remaining': '8000',
    'anthropic-ratelimit-output-tokens-reset': new Date(Date.now() + 60_000).toISOString(),
    ...extra,
  };
}

/** Writes an Anthropic error answer: `{ type: 'error', error: { type, message }, request_id }`. */
export function sendAnthropicError(exchange: Exchange, status: number, detail?: ErrorDetail): void {
  const base = defaultAnthropicError(status);
  const error: AnthropicErrorObject = { type: base.type, message: detail?.message ?? base.message };
  const extra: OutgoingHttpHeaders = {};
  const retryAfter = retryAfterSeconds(exchange, status);
  if (retryAfter !== undefined && (status === 429 || status >= 500)) extra['retry-after'] = String(retryAfter);
  if (status === 429) {
    extra['anthropic-ratelimit-requests-limit'] = '50';
    extra['anthropic-ratelimit-requests-remaining'] = '0';
    extra['anthropic-ratelimit-requests-reset'] = new Date(Date.now() + (retryAfter ?? 0) * 1000).toISOString();
  }
  const headers = anthropicHeaders(extra);
  exchange.sendJson(status, { type: 'error', error, request_id: headers['request-id'] }, headers);
}
