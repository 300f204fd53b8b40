import type { OutgoingHttpHeaders } from 'node:http';
import type { Exchange } from '../exchange';
import type { ErrorDetail } from '../provider-api';
import { retryAfterSeconds } from '../retry-after';
import { openaiHeaders } from './wire';

/** The `error` object of an OpenAI error body. */
export interface OpenAIErrorObject {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

function modelOf(exchange: Exchange): string {
  const model = exchange.fields.model;
  return typeof model === 'string' ? model : 'the model';
}

/** The error object the API sends for a status when nothing more specific is known. */
export function defaultOpenAIError(exchange: Exchange, status: number): OpenAIErrorObject {
  const model = modelOf(exchange);
  switch (status) {
    case 400:
      return { message: 'Emulated invalid request (error=400).', type: 'invalid_request_error', param: null, code: null };
    case 401:
      return {
        message: 'Incorrect API key provided: sk-emul*****. You can find your API key in your account settings.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      };
    case 403:
      return {
        message: `Project does not have access to model ${model}.`,
        type: 'invalid_request_error',
        param: null,
        code: 'model_not_found',
      };
    case 404:
      return {
        message: `The model \`${model}\` does not exist or you do not have access to it.`,
        type: 'invalid_request_error',
        param: null,
        code: 'model_not_found',
      };
    case 429: {
      const wait = retryAfterSeconds(exchange, status) ?? 0;
      return {
        message: `Rate limit reached for ${model} in organization org-emulator on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in ${wait}s.`,
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      };
    }
    case 503:
      return { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', param: null, code: null };
    default:
      return {
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
        param: null,
        code: null,
      };
  }
}

/** Writes an OpenAI error answer: `{ "error": { message, type, param, code } }`. */
export function sendOpenAIError(exchange: Exchange, status: number, detail?: ErrorDetail): void {
  const base = defaultOpenAIError(exchange, status);
  const error: OpenAIErrorObject = {
    message: detail?.message ?? base.message,
    type: detail?.type ?? base.type,
    param: detail?.param !== undefined ? detail.param : base.param,
    code: detail?.code !== undefined ? detail.code : base.code,
  };
  const extra: OutgoingHttpHeaders = {};
  const retryAfter = retryAfterSeconds(exchange, status);
  if (retryAfter !== undefined && (status === 429 || status >= 500)) extra['retry-after'] = String(retryAfter);
  if (status === 429) {
    extra['x-ratelimit-remaining-requests'] = '0';
    extra['x-ratelimit-reset-requests'] = `${retryAfter ?? 0}s`;
  }
  exchange.sendJson(status, { error }, openaiHeaders(exchange, extra));
}
