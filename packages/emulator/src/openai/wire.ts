import type { OutgoingHttpHeaders } from 'node:http';
import type { Exchange } from '../exchange';
import { randomAlphanumeric, randomHex } from '../ids';
import { hashText } from '../seeded-random';

/** Headers the OpenAI API sends on every answer. */
export function openaiHeaders(exchange: Exchange, extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
  return {
    'x-request-id': `req_${randomHex(32)}`,
    'openai-processing-ms': String(exchange.elapsedMs()),
    'openai-version': '2020-10-01',
    'openai-organization': 'org-emulator',
    'x-ratelimit-limit-requests': '10000',
    'x-ratelimit-limit-tokens': '30000000',
    'x-ratelimit-remaining-requests': '9999',
    'x-ratelimit-remaining-tokens': '29999000',
    'x-ratelimit-reset-requests': '6ms',
    'x-ratelimit-reset-tokens': '2ms',
    ...extra,
  };
}

/** Headers of an OpenAI server-sent-events answer. */
export function openaiStreamHeaders(exchange: Exchange): OutgoingHttpHeaders {
  return openaiHeaders(exchange, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
}

/** One `data:` event. */
export function sseData(payload: unknown): string {
  return `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`;
}

/** One event with an `event:` line (Responses API). */
export function sseEvent(event: string, payload: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
}

/** `system_fingerprint` for a model: stable per model, like the API's. */
export function systemFingerprint(model: string): string {
  return `fp_${hashText(model).toString(16).padStart(8, '0')}${hashText(`${model}#`).toString(16).slice(0, 2)}`;
}

/** `service_tier` the API reports: `default` for `auto` or none, else the tier asked for. */
export function serviceTier(requested: unknown): string {
  return typeof requested === 'string' && requested !== 'auto' ? requested : 'default';
}

/** Random padding for the `obfuscation` field of streamed deltas. */
export function obfuscation(delta: string): string {
  return randomAlphanumeric(Math.max(1, 16 - (delta.length % 16)));
}
