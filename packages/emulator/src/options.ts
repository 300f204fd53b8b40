import type { RecordedRequest } from './request-log';

/**
 * Options of {@link startEmulator}.
 */
export interface EmulatorOptions {
  /** TCP port; `0` (the default) picks a free one. */
  port?: number;
  /** Interface to listen on (default `127.0.0.1`). */
  host?: string;
  /** Delay before every response (for streams: before the headers), in milliseconds. Default 0. */
  latencyMs?: number;
  /** Delay between a stream's headers and its first chunk, in milliseconds. Default 0. */
  timeToFirstChunkMs?: number;
  /** Delay between stream chunks, in milliseconds. Default 0. */
  chunkIntervalMs?: number;
  /** Capacity of the request log; older requests are dropped. Default 1000. */
  maxRecordedRequests?: number;
}

/**
 * A running emulator.
 */
export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:8787`. */
  url: string;
  /** The port listened on. */
  port: number;
  /** `baseURL` for the `openai` client: `url + '/v1'`. */
  openaiBaseURL: string;
  /** `endpoint` for the `openai` client's `AzureOpenAI` (the emulator serves `/openai/...` under it). */
  azureEndpoint: string;
  /** `baseURL` for the `@anthropic-ai/sdk` client. */
  anthropicBaseURL: string;
  /** `httpOptions.baseUrl` for the `@google/genai` client. */
  geminiBaseURL: string;
  /** `endpoint` for `@aws-sdk/client-bedrock-runtime`. */
  bedrockEndpoint: string;
  /** `serverURL` for the `@mistralai/mistralai` client (the emulator serves Mistral's `/v1/...` under `/mistral`). */
  mistralServerURL: string;
  /** `baseUrl` for the `cohere-ai` client (`CohereClientV2`). */
  cohereBaseURL: string;
  /** `host` for the `ollama` client. */
  ollamaHost: string;
  /** Requests received, oldest first, bounded by `maxRecordedRequests`. */
  requests: RecordedRequest[];
  /** Stops listening and drops open connections (including stalled streams). */
  close(): Promise<void>;
}

/** Options with defaults applied. */
export interface ResolvedOptions {
  port: number;
  host: string;
  latencyMs: number;
  timeToFirstChunkMs: number;
  chunkIntervalMs: number;
  maxRecordedRequests: number;
}

function checkInteger(field: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`EmulatorOptions.${field} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Applies defaults and checks every option.
 * @throws RangeError / TypeError naming the option, its value and what is accepted.
 */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  if (options.host !== undefined && (typeof options.host !== 'string' || options.host.trim() === '')) {
    throw new TypeError(`EmulatorOptions.host must be a non-empty host name or address, got ${JSON.stringify(options.host)}`);
  }
  const maxDelay = 3_600_000;
  return {
    port: checkInteger('port', options.port, 0, 65535, 0),
    host: options.host ?? '127.0.0.1',
    latencyMs: checkInteger('latencyMs', options.latencyMs, 0, maxDelay, 0),
    timeToFirstChunkMs: checkInteger('timeToFirstChunkMs', options.timeToFirstChunkMs, 0, maxDelay, 0),
    chunkIntervalMs: checkInteger('chunkIntervalMs', options.chunkIntervalMs, 0, maxDelay, 0),
    maxRecordedRequests: checkInteger('maxRecordedRequests', options.maxRecordedRequests, 1, 1_000_000, 1000),
  };
}
