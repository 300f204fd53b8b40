import type { Exchange } from './exchange';

/**
 * Seconds for a `retry-after` header: the `retry_after` directive, else 0 for 429 (so
 * client retries are fast), else none (5xx answers carry it only when asked for).
 */
export function retryAfterSeconds(exchange: Exchange, status: number): number | undefined {
  if (exchange.directives.retryAfter !== undefined) return exchange.directives.retryAfter;
  return status === 429 ? 0 : undefined;
}
