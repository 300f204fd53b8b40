import type { OutgoingHttpHeaders } from 'node:http';
import type { Exchange } from '../exchange';
import type { ErrorDetail } from '../provider-api';
import { retryAfterSeconds } from '../retry-after';

// Ollama API reference, https://github.com/ollama/ollama/blob/main/docs/api.md ("Errors"): an error
// answer is `{ "error": "<message>" }` with the HTTP status; an error during a stream is one more
// NDJSON line of the same shape.

/** Message Ollama answers a status with when nothing more specific is known. */
export function defaultOllamaMessage(exchange: Exchange, status: number): string {
  const model = typeof exchange.fields.model === 'string' ? exchange.fields.model : 'model';
  switch (status) {
    case 400:
      return 'emulated invalid request (error=400)';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return `model "${model}" not found, try pulling it first`;
    case 429:
      return 'server busy, please try again. maximum pending requests exceeded';
    case 503:
      return 'server busy, please try again. maximum pending requests exceeded';
    default:
      return 'llama runner process has terminated: exit status 2';
  }
}

/** Writes an Ollama error answer. */
export function sendOllamaError(exchange: Exchange, status: number, detail?: ErrorDetail): void {
  const extra: OutgoingHttpHeaders = {};
  const retryAfter = retryAfterSeconds(exchange, status);
  if (retryAfter !== undefined && (status === 429 || status >= 500)) extra['retry-after'] = String(retryAfter);
  exchange.sendJson(status, { error: detail?.message ?? defaultOllamaMessage(exchange, status) }, extra);
}
