import type { Exchange } from './exchange';
import type { EmulatedProvider } from './request-log';

/** Details of an error answer; providers map them onto their own error bodies. */
export interface ErrorDetail {
  /** Human-readable message. */
  message?: string;
  /** Request field at fault (OpenAI `param`). */
  param?: string | null;
  /** Machine-readable code (OpenAI `code`). */
  code?: string | null;
  /** Error `type`, overriding the provider's default for the status. */
  type?: string;
}

/**
 * One endpoint of an emulated API.
 */
export interface Route {
  method: 'GET' | 'POST';
  /** Matched against the path; named groups become `exchange.params`. */
  pattern: RegExp;
  /**
   * The text that may carry `[emulate ...]` directives: the last user message of the request.
   */
  directiveText(body: Record<string, unknown>): string | undefined;
  /** Answers the request. Errors thrown with a `status` become error answers. */
  handle(exchange: Exchange): Promise<void>;
}

/**
 * An emulated provider API: its routes and its error format.
 */
export interface ProviderApi {
  provider: EmulatedProvider;
  routes: Route[];
  /** `true` when an unmatched path looks like this provider's (for the 404 format). */
  ownsPath(path: string): boolean;
  /** Writes an error answer in the provider's wire format. */
  sendError(exchange: Exchange, status: number, detail?: ErrorDetail): void;
}

/**
 * An error that becomes an HTTP error answer in the provider's format.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: ErrorDetail,
  ) {
    super(detail.message ?? `HTTP ${status}`);
    this.name = 'HttpError';
  }
}

/** A 400 naming the request field at fault. */
export function badRequest(message: string, param: string | null = null, code: string | null = null): HttpError {
  return new HttpError(400, { message, param, code, type: 'invalid_request_error' });
}
