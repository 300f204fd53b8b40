import type { OutgoingHttpHeaders } from 'node:http';
import type { Exchange } from '../exchange';
import type { ErrorDetail } from '../provider-api';
import { retryAfterSeconds } from '../retry-after';
import { azureHeaders } from './wire';

/** The `error` object of an Azure OpenAI error body. */
export type AzureErrorObject = Record<string, unknown> & { message: string };

/** Azure's name of the operation a path calls, as its rate-limit messages spell it. */
function operationName(path: string): string {
  if (path.endsWith('/chat/completions')) return 'ChatCompletions_Create';
  if (path.endsWith('/embeddings')) return 'Embeddings_Create';
  if (path.endsWith('/responses')) return 'Responses_Create';
  return 'Completions_Create';
}

/**
 * The error object Azure OpenAI sends for a status. Gateway errors carry a `code` and a
 * `message`; request validation errors (400) are the OpenAI shape with `type` and `param`.
 */
export function azureError(exchange: Exchange, status: number, detail?: ErrorDetail): AzureErrorObject {
  switch (status) {
    case 400:
      return {
        message: detail?.message ?? 'Emulated invalid request (error=400).',
        type: detail?.type ?? 'invalid_request_error',
        param: detail?.param ?? null,
        code: detail?.code ?? null,
      };
    case 401:
      return {
        code: '401',
        message:
          'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
      };
    case 403:
      return { code: 'PermissionDenied', message: 'Principal does not have access to API/Operation.' };
    case 404:
      // A path or API version Azure does not serve, or (the `error=404` directive) a deployment it does not have.
      if (detail !== undefined) return { code: '404', message: 'Resource not found' };
      return {
        code: 'DeploymentNotFound',
        message:
          'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
      };
    case 429: {
      const wait = retryAfterSeconds(exchange, status) ?? 0;
      const version = exchange.url.searchParams.get('api-version');
      const api = version ? `Azure OpenAI API version ${version}` : 'Azure OpenAI API';
      return {
        code: '429',
        message: `Requests to the ${operationName(exchange.url.pathname)} Operation under ${api} have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after ${wait} second${wait === 1 ? '' : 's'}. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.`,
      };
    }
    case 500:
      return {
        code: 'InternalServerError',
        message: detail?.message ?? 'Backend returned unexpected response. Please contact Microsoft for help.',
      };
    case 503:
    case 529:
      return { code: 'ServiceUnavailable', message: 'The service is temporarily unable to process your request. Please try again later.' };
    default:
      return { code: String(status), message: detail?.message ?? `HTTP ${status}` };
  }
}

/** Writes an Azure OpenAI error answer: `{ "error": { code, message } }` (529 is answered as 503, which Azure uses). */
export function sendAzureError(exchange: Exchange, status: number, detail?: ErrorDetail): void {
  const answered = status === 529 ? 503 : status;
  const extra: OutgoingHttpHeaders = {};
  const retryAfter = retryAfterSeconds(exchange, answered);
  if (retryAfter !== undefined && (answered === 429 || answered >= 500)) {
    extra['retry-after'] = String(retryAfter);
    extra['retry-after-ms'] = String(Math.round(retryAfter * 1000));
  }
  if (answered === 429) {
    extra['x-ratelimit-remaining-requests'] = '0';
    extra['x-ratelimit-remaining-tokens'] = '0';
  }
  exchange.sendJson(answered, { error: azureError(exchange, answered, detail) }, azureHeaders(exchange, extra));
}
