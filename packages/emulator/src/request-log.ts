/** Provider whose API a request was addressed to. */
export type EmulatedProvider =
  | 'openai'
  | 'azure_openai'
  | 'anthropic'
  | 'gemini'
  | 'vertex_ai'
  | 'bedrock'
  | 'mistral_ai'
  | 'cohere'
  | 'ollama'
  /** An OpenAI-compatible host under `/hosts/<name>` (DeepSeek, xAI, OpenRouter, Perplexity, Groq, Together). */
  | 'openai_compatible'
  | 'unknown';

/**
 * One request as the emulator received it.
 */
export interface RecordedRequest {
  /** Sequence number, starting at 1 for each emulator. */
  seq: number;
  /** Milliseconds since the epoch when the request arrived. */
  receivedAt: number;
  method: string;
  /** HTTP version of the connection: `1.1`, or `2.0` for cleartext HTTP/2 (the AWS SDK's default). */
  httpVersion: string;
  /** Path without the query string. */
  path: string;
  /** Query parameters (an API key in `key` is redacted). */
  query: Record<string, string>;
  /** Lower-cased request headers without HTTP/2 pseudo-headers; credentials (`authorization`, `x-api-key`, `api-key`, ...) are redacted. */
  headers: Record<string, string>;
  /** The parsed JSON body, or `undefined` when there was none or it was not JSON. */
  body: unknown;
  provider: EmulatedProvider;
  /** Directive keys and values in effect, from the message text and the `x-emulate` header. */
  directives: Record<string, string>;
  /** HTTP status answered, once the response has started. */
  status?: number;
  /** `true` when the client closed the connection before the response was complete. */
  clientAborted: boolean;
}

/** Marker that replaces credential values in recorded headers and query parameters. */
export const REDACTED = '[redacted]';

const CREDENTIAL_HEADERS = new Set([
  'authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'x-amz-security-token',
  'proxy-authorization',
  'cookie',
]);

/** Copies headers with credential values replaced by {@link REDACTED}. */
export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    const key = name.toLowerCase();
    out[key] = CREDENTIAL_HEADERS.has(key) ? REDACTED : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * A bounded log of requests: once full, each new request evicts the oldest. The array is
 * exposed as is, so tests can read it and also empty it (`requests.length = 0`).
 */
export class RequestLog {
  readonly entries: RecordedRequest[] = [];
  private seq = 0;

  constructor(private readonly capacity: number) {}

  /** Appends a request, assigning its sequence number. */
  add(entry: Omit<RecordedRequest, 'seq'>): RecordedRequest {
    this.seq += 1;
    const recorded: RecordedRequest = { seq: this.seq, ...entry };
    this.entries.push(recorded);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    return recorded;
  }
}
