import { randomUUID } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import type { Exchange } from '../exchange';
import { badRequest, HttpError } from '../provider-api';

/** Headers Azure OpenAI sends on every answer. */
export function azureHeaders(exchange: Exchange, extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    'apim-request-id': randomUUID(),
    'x-request-id': randomUUID(),
    'x-ms-region': 'East US',
    'x-ratelimit-limit-requests': '1000',
    'x-ratelimit-remaining-requests': '999',
    'x-ratelimit-limit-tokens': '1000000',
    'x-ratelimit-remaining-tokens': '999000',
    'x-content-type-options': 'nosniff',
    'strict-transport-security': 'max-age=31536000; includeSubDomains; preload',
  };
  const deployment = exchange.params.deployment ?? exchange.fields.model;
  if (typeof deployment === 'string' && deployment !== '') headers['x-ms-deployment-name'] = deployment;
  return { ...headers, ...extra };
}

/** Headers of an Azure OpenAI server-sent-events answer. */
export function azureStreamHeaders(exchange: Exchange): OutgoingHttpHeaders {
  return azureHeaders(exchange, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
}

const SAFE = { filtered: false, severity: 'safe' } as const;
const NOT_DETECTED = { filtered: false, detected: false } as const;

/** `prompt_filter_results` of an answer that passed the default content filter. */
export function promptFilterResults(promptIndexes = 1): Array<Record<string, unknown>> {
  const results: Array<Record<string, unknown>> = [];
  for (let index = 0; index < promptIndexes; index += 1) {
    results.push({
      prompt_index: index,
      content_filter_results: { hate: SAFE, jailbreak: NOT_DETECTED, self_harm: SAFE, sexual: SAFE, violence: SAFE },
    });
  }
  return results;
}

/** `content_filter_results` of a choice whose output passed the default content filter. */
export function outputFilterResults(): Record<string, unknown> {
  return {
    hate: SAFE,
    protected_material_code: NOT_DETECTED,
    protected_material_text: NOT_DETECTED,
    self_harm: SAFE,
    sexual: SAFE,
    violence: SAFE,
  };
}

/**
 * Checks what Azure checks before anything else: a credential (`api-key`, or an Entra ID bearer
 * token) and, outside the `/openai/v1` API, the `api-version` query parameter.
 */
export function checkAzureRequest(exchange: Exchange, needsApiVersion: boolean): void {
  const headers = exchange.req.headers;
  const apiKey = headers['api-key'];
  const authorization = headers.authorization;
  const hasKey = typeof apiKey === 'string' && apiKey.length > 0;
  const hasToken = typeof authorization === 'string' && /^Bearer\s+\S/i.test(authorization);
  if (!hasKey && !hasToken) throw new HttpError(401, {});
  if (needsApiVersion && !exchange.url.searchParams.get('api-version')) {
    throw new HttpError(404, { message: 'Resource not found', code: '404' });
  }
}

/** The first API version whose chat and legacy completions accept `stream_options`. */
export const STREAM_OPTIONS_SINCE = '2024-09-01';

/**
 * Rejects `stream_options` on API versions dated before {@link STREAM_OPTIONS_SINCE}
 * (`2024-06-01`, `2024-08-01-preview`, ...) as Azure does; the `/openai/v1` API accepts it.
 */
export function checkStreamOptions(exchange: Exchange): void {
  const options = exchange.fields.stream_options;
  if (options === undefined || options === null) return;
  const dated = /^(\d{4}-\d{2}-\d{2})/.exec(exchange.url.searchParams.get('api-version') ?? '');
  if (dated !== null && dated[1] < STREAM_OPTIONS_SINCE) {
    throw badRequest("Unknown parameter: 'stream_options'.", 'stream_options', 'unknown_parameter');
  }
}
