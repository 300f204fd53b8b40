/**
 * Validation of token counts read from untrusted sources (provider responses, span attributes).
 * One module, used by the instrumentation's usage normalisers, the recorder, the exporter and the
 * pricing engine, so that every path accepts and rejects exactly the same values.
 *
 * A count is valid when it is a number, an integer, non-negative and at most
 * {@link MAX_TOKENS_PER_CALL}. A usage record is valid when every count is, its subsets fit in
 * their totals (cache read + cache writes + input audio/image <= input; reasoning + output
 * audio/image <= output), and, when the model's context window is known, input + output is at most
 * {@link CONTEXT_WINDOW_MARGIN} times that window.
 *
 * Reasons are bounded strings: `<field>:<problem>` for one count (`prompt_tokens:wrong_type`,
 * `input_tokens:too_large`), where the field is a name fixed in code and the problem one of
 * {@link CountProblem}, or one of {@link UsageConsistencyProblem} for the record as a whole.
 */
import type { Usage } from './types';

/**
 * Most tokens one call may report in any single count. No model bills anywhere near this in one
 * call (the largest context windows are a few million tokens); a count above it is garbage or
 * hostile, and pricing it would put billions of dollars on one call.
 */
export const MAX_TOKENS_PER_CALL = 50_000_000;

/**
 * How far above a model's context window input + output may go before the usage is invalid. Some
 * calls legitimately bill more than one window (server-side tool loops in the Responses API and
 * Anthropic's server tools add up several model turns), so only a clear excess is rejected.
 */
export const CONTEXT_WINDOW_MARGIN = 10;

/**
 * Why a single count is unusable. `wrong_type`: not a number (a string, null, an object, ...);
 * `not_finite`: NaN or an infinity; `negative`; `not_integer`: a fraction; `too_large`: above
 * {@link MAX_TOKENS_PER_CALL} (this includes integers beyond 2^53).
 */
export type CountProblem = 'wrong_type' | 'not_finite' | 'negative' | 'not_integer' | 'too_large';

/** Why a usage record whose counts are each valid is still unusable. */
export type UsageConsistencyProblem = 'cache_exceeds_input' | 'reasoning_exceeds_output' | 'exceeds_context_window';

/** The problem of one count, or `undefined` when `value` is a valid count. */
export function countProblem(value: unknown): CountProblem | undefined {
  if (typeof value !== 'number') return 'wrong_type';
  if (value !== value || value === Infinity || value === -Infinity) return 'not_finite';
  if (value < 0) return 'negative';
  if (!Number.isInteger(value)) return 'not_integer';
  if (value > MAX_TOKENS_PER_CALL) return 'too_large';
  return undefined;
}

/**
 * Reads the counts of one usage object and remembers the first problem met, so a normaliser
 * keeps its shape (`const n = reader.count(raw.prompt_tokens, 'prompt_tokens')`) and never drops a
 * bad field silently. Field names passed in must be fixed strings (they end up in metric labels).
 */
export class CountReader {
  /** The first problem met, as `<field>:<problem>`. */
  problem: string | undefined;

  /**
   * A required-shape count: `undefined` when absent, the count when valid; anything else (null
   * included) is recorded as a problem and reads as `undefined`.
   */
  count(value: unknown, field: string): number | undefined {
    if (value === undefined) return undefined;
    return this.check(value, field);
  }

  /** A count the source may send as `null` when it has none (read as absent). */
  optional(value: unknown, field: string): number | undefined {
    if (value === undefined || value === null) return undefined;
    return this.check(value, field);
  }

  /** Records a problem found by the caller (e.g. a details object of the wrong type). */
  fail(field: string, problem: CountProblem): void {
    this.problem ??= `${field}:${problem}`;
  }

  /**
   * `usage` marked invalid when a problem was met (see {@link Usage.invalid}), else `usage` as is.
   * A usage with no counts is still returned when it is invalid, so the call is recorded as such.
   */
  finish(usage: Usage | undefined): Usage | undefined {
    if (this.problem === undefined) return usage;
    const out = usage ?? {};
    out.invalid ??= this.problem;
    return out;
  }

  private check(value: unknown, field: string): number | undefined {
    const problem = countProblem(value);
    if (problem === undefined) return value as number;
    this.problem ??= `${field}:${problem}`;
    return undefined;
  }
}

/**
 * Why `usage` cannot be priced or counted, or `undefined` when it is valid: the reason a normaliser
 * recorded ({@link Usage.invalid}), a bad count (`input_tokens:too_large`), `requests:<problem>`
 * for a bad per-request count, or an inconsistency between totals and subsets. `contextWindow`,
 * when known, bounds input + output at {@link CONTEXT_WINDOW_MARGIN} windows.
 */
export function usageProblem(usage: Usage, contextWindow?: number): string | undefined {
  if (usage.invalid !== undefined) return typeof usage.invalid === 'string' && usage.invalid.length > 0 ? usage.invalid : 'invalid';
  // Unrolled: this runs for every recorded call and every price().
  let p: CountProblem | undefined;
  if (usage.inputTokens !== undefined && (p = countProblem(usage.inputTokens))) return `input_tokens:${p}`;
  if (usage.outputTokens !== undefined && (p = countProblem(usage.outputTokens))) return `output_tokens:${p}`;
  if (usage.cacheReadTokens !== undefined && (p = countProblem(usage.cacheReadTokens))) return `cache_read_tokens:${p}`;
  if (usage.cacheWriteTokens !== undefined && (p = countProblem(usage.cacheWriteTokens))) return `cache_write_tokens:${p}`;
  if (usage.cacheWrite1hTokens !== undefined && (p = countProblem(usage.cacheWrite1hTokens))) return `cache_write_1h_tokens:${p}`;
  if (usage.reasoningTokens !== undefined && (p = countProblem(usage.reasoningTokens))) return `reasoning_tokens:${p}`;
  if (usage.inputAudioTokens !== undefined && (p = countProblem(usage.inputAudioTokens))) return `input_audio_tokens:${p}`;
  if (usage.outputAudioTokens !== undefined && (p = countProblem(usage.outputAudioTokens))) return `output_audio_tokens:${p}`;
  if (usage.inputImageTokens !== undefined && (p = countProblem(usage.inputImageTokens))) return `input_image_tokens:${p}`;
  if (usage.outputImageTokens !== undefined && (p = countProblem(usage.outputImageTokens))) return `output_image_tokens:${p}`;
  const requests = usage.requests;
  if (requests !== undefined && requests !== null) {
    if (typeof requests !== 'object') return 'requests:wrong_type';
    for (const name in requests) {
      if (!Object.hasOwn(requests, name)) continue;
      const problem = countProblem(requests[name]);
      if (problem !== undefined) return `requests:${problem}`;
    }
  }
  const input = usage.inputTokens;
  const output = usage.outputTokens;
  if (input !== undefined) {
    const subsets =
      (usage.cacheReadTokens ?? 0) +
      (usage.cacheWriteTokens ?? 0) +
      (usage.cacheWrite1hTokens ?? 0) +
      (usage.inputAudioTokens ?? 0) +
      (usage.inputImageTokens ?? 0);
    if (subsets > input) return 'cache_exceeds_input';
  }
  if (output !== undefined) {
    const subsets = (usage.reasoningTokens ?? 0) + (usage.outputAudioTokens ?? 0) + (usage.outputImageTokens ?? 0);
    if (subsets > output) return 'reasoning_exceeds_output';
  }
  if (contextWindow !== undefined && contextWindow > 0 && (input ?? 0) + (output ?? 0) > contextWindow * CONTEXT_WINDOW_MARGIN) {
    return 'exceeds_context_window';
  }
  return undefined;
}
