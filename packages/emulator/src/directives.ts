/**
 * Behaviour a request asks of the emulator, written as `[emulate key=value ...]` in the
 * last user message or as an `x-emulate: key=value;key=value` request header.
 */
export interface Directives {
  /** Answer with this HTTP error status instead of a completion. */
  error?: number;
  /** `retry-after` seconds sent with 429 (default 0) and, when given, with 5xx errors. */
  retryAfter?: number;
  /** Apply `error` only to the first N identical requests, then answer normally. */
  errorTimes?: number;
  /** Reply with exactly this many output tokens. */
  outputTokens?: number;
  /** Report this many cached prompt tokens (capped at the prompt tokens). */
  cached?: number;
  /** Add this many reasoning (thinking) tokens to the output tokens. */
  reasoning?: number;
  /** Stream this many content chunks, then stall until the client disconnects. */
  stallAfter?: number;
  /** Stream this many content chunks, then an error event, then close. */
  streamErrorAfter?: number;
  /** Delay before the response (headers, for streams), in milliseconds. */
  latencyMs?: number;
  /** Delay between the stream's headers and its first chunk, in milliseconds. */
  ttfcMs?: number;
  /** Delay between stream chunks, in milliseconds. */
  chunkIntervalMs?: number;
  /** Anthropic: prompt tokens written to the 5-minute cache. */
  cacheWrite?: number;
  /** Anthropic: prompt tokens written to the 1-hour cache. */
  cacheWrite1h?: number;
  /** Anthropic / Bedrock: prompt tokens read from the cache. */
  cacheRead?: number;
  /** Anthropic: number of web search requests made by the server tool. */
  webSearch?: number;
  /** Gemini: tokens of tool-use prompts (`toolUsePromptTokenCount`). */
  toolUsePrompt?: number;
  /** Bedrock InvokeModel: `0` leaves out the `x-amzn-bedrock-*-token-count` response headers (as a proxy that drops them would). */
  tokenHeaders?: number;
  /** Azure OpenAI: the model behind the deployment called (reported in `model`, counted with its tokenizer). */
  deploymentModel?: string;
}

/** Error statuses the `error` directive accepts. */
export const DIRECTIVE_ERROR_STATUSES: readonly number[] = [400, 401, 403, 404, 429, 500, 503, 529];

type NumericKey = Exclude<keyof Directives, 'error' | 'deploymentModel'>;

const NUMERIC_KEYS: Readonly<Record<string, NumericKey>> = {
  retry_after: 'retryAfter',
  error_times: 'errorTimes',
  output_tokens: 'outputTokens',
  cached: 'cached',
  reasoning: 'reasoning',
  stall_after: 'stallAfter',
  stream_error_after: 'streamErrorAfter',
  latency_ms: 'latencyMs',
  ttfc_ms: 'ttfcMs',
  chunk_interval_ms: 'chunkIntervalMs',
  cache_write: 'cacheWrite',
  cache_write_1h: 'cacheWrite1h',
  cache_read: 'cacheRead',
  web_search: 'webSearch',
  tool_use_prompt: 'toolUsePrompt',
  token_headers: 'tokenHeaders',
};

/** Keys accepted in a directive, in documentation order. */
export const DIRECTIVE_KEYS: readonly string[] = ['error', ...Object.keys(NUMERIC_KEYS), 'deployment_model'];

/** A model name a `deployment_model` directive may give. */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** A directive that could not be understood; answered with a 400 in the provider's format. */
export class DirectiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DirectiveError';
  }
}

const BLOCK_PATTERN = /\[emulate\b([^\]]*)\]/g;

/**
 * Reads every `[emulate ...]` block in a text. Returns the raw `key=value` pairs in order.
 */
export function directivePairsInText(text: string): string[] {
  const pairs: string[] = [];
  for (const match of text.matchAll(BLOCK_PATTERN)) {
    pairs.push(...match[1].split(/[\s;,]+/).filter((pair) => pair.length > 0));
  }
  return pairs;
}

/** Splits an `x-emulate` header value (`key=value;key=value`, spaces also allowed). */
export function directivePairsInHeader(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.split(/[\s;,]+/).filter((pair) => pair.length > 0);
}

/**
 * Parses `key=value` pairs into directives. Later pairs override earlier ones.
 *
 * @throws DirectiveError naming the pair and what is accepted when a key or value is invalid.
 */
export function parseDirectives(pairs: readonly string[]): Directives {
  const directives: Directives = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new DirectiveError(`emulate directive '${pair}' is not key=value; accepted keys: ${DIRECTIVE_KEYS.join(', ')}`);
    }
    const key = pair.slice(0, eq).toLowerCase();
    const raw = pair.slice(eq + 1);
    if (key === 'error') {
      const status = Number(raw);
      if (!DIRECTIVE_ERROR_STATUSES.includes(status)) {
        throw new DirectiveError(`emulate directive error=${raw} is not supported; accepted: ${DIRECTIVE_ERROR_STATUSES.join(', ')}`);
      }
      directives.error = status;
      continue;
    }
    if (key === 'deployment_model') {
      if (!MODEL_NAME.test(raw)) {
        throw new DirectiveError(
          `emulate directive deployment_model=${raw} is invalid; accepted: a model name of letters, digits, '.', '_', ':' and '-'`,
        );
      }
      directives.deploymentModel = raw;
      continue;
    }
    const field = NUMERIC_KEYS[key];
    if (field === undefined) {
      throw new DirectiveError(`emulate directive key '${key}' is unknown; accepted keys: ${DIRECTIVE_KEYS.join(', ')}`);
    }
    const value = Number(raw);
    const fractionAllowed = field === 'retryAfter';
    if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || (!fractionAllowed && !Number.isInteger(value))) {
      throw new DirectiveError(
        `emulate directive ${key}=${raw} is invalid; accepted: a ${fractionAllowed ? 'non-negative number' : 'non-negative integer'}`,
      );
    }
    directives[field] = value;
  }
  return directives;
}

/** Directive keys and values as sent, for the request log. */
export function directivePairsRecord(pairs: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq > 0) record[pair.slice(0, eq).toLowerCase()] = pair.slice(eq + 1);
  }
  return record;
}
