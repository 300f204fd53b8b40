import type { Exchange } from '../exchange';
import type { ErrorDetail } from '../provider-api';
import { bedrockHeaders } from './wire';

const EXCEPTIONS: Readonly<Record<number, [number, string, string]>> = {
  400: [400, 'ValidationException', 'Malformed input request, please reformat your input and try again.'],
  401: [403, 'UnrecognizedClientException', 'The security token included in the request is invalid.'],
  403: [403, 'AccessDeniedException', "You don't have access to the model with the specified model ID."],
  404: [404, 'ResourceNotFoundException', 'Could not resolve the foundation model from the provided model identifier.'],
  429: [429, 'ThrottlingException', 'Too many requests, please wait before trying again.'],
  500: [500, 'InternalServerException', 'The system encountered an unexpected error during processing. Try your request again.'],
  503: [503, 'ServiceUnavailableException', 'Bedrock is unable to process your request.'],
  529: [503, 'ServiceUnavailableException', 'Bedrock is unable to process your request.'],
};

/**
 * Writes a Bedrock Runtime error: `{ message }` with the exception name in `x-amzn-errortype`.
 * `error=401` answers 403 `UnrecognizedClientException` (what AWS sends for a bad signature),
 * `error=529` answers 503 `ServiceUnavailableException`.
 */
export function sendBedrockError(exchange: Exchange, status: number, detail?: ErrorDetail): void {
  const [code, name, message] = EXCEPTIONS[status] ?? EXCEPTIONS[500];
  const headers = bedrockHeaders({ 'x-amzn-errortype': `${name}:http://internal.amazon.com/coral/com.amazon.bedrock/` });
  if (exchange.directives.retryAfter !== undefined) headers['retry-after'] = String(exchange.directives.retryAfter);
  exchange.sendJson(code, { message: detail?.message ?? message }, headers);
}
