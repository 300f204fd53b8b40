/**
 * Token units and their partition: how one call's usage splits into disjoint billing units, so
 * that sums over units never count a token twice. The instrumentation's `tokenomics.tokens` and
 * `tokenomics.cost` points, the price book's breakdown and the exporter all use this one rule.
 *
 * The rule (semconv shape in, disjoint units out):
 * - `inputTokens` includes every input subset: cache read, cache write (5-minute and 1-hour),
 *   audio and image tokens. `input` is what remains (uncached text and anything unclassified).
 * - `outputTokens` includes every output subset: reasoning, audio and image tokens. `output` is
 *   what remains.
 * - Image tokens are a unit of their own (`input_image`, `output_image`), like audio: they are
 *   billed at their own rate where a model has one, and reported under their own unit everywhere,
 *   never folded into `input`/`output`. `inputImageTokens` counts uncached image tokens, so it is
 *   disjoint from the cache units.
 * - A missing total is the sum of its subsets. Subsets larger than their total make a usage invalid
 *   (the price book refuses it); the partition still never yields a negative count (the remainder
 *   is 0).
 * - Counts that are not finite non-negative numbers count as 0.
 */
import type { Usage } from './price-book';

/** Billing units of tokens, in partition order. */
export const TOKEN_UNITS = [
  'input',
  'cache_read',
  'cache_write',
  'cache_write_1h',
  'input_audio',
  'input_image',
  'output',
  'reasoning',
  'output_audio',
  'output_image',
] as const;

/** A billing unit of tokens: the value of `tokenomics.token.type`. */
export type TokenUnit = (typeof TOKEN_UNITS)[number];

/** Billing units of a cost breakdown: the token units and the per-call fee. */
export type BillingUnit = TokenUnit | 'request';

/**
 * `tokenomics.token.type` of a cost counter point for a provider-reported cost: the call as a whole
 * (the provider gives no breakdown by unit).
 */
export const COST_UNIT_TOTAL = 'total';

/** Values of the semconv `gen_ai.token.type` attribute. */
export const GEN_AI_TOKEN_TYPES = ['input', 'output'] as const;
/** A value of `gen_ai.token.type`. */
export type GenAITokenType = (typeof GEN_AI_TOKEN_TYPES)[number];

/** Spellings of `gen_ai.token.type` that other instrumentations write, to the semconv value. */
export const GEN_AI_TOKEN_TYPE_ALIASES: ReadonlyMap<string, GenAITokenType> = new Map([
  ['input', 'input'],
  ['prompt', 'input'],
  ['output', 'output'],
  ['completion', 'output'],
]);

const OUTPUT_UNITS: ReadonlySet<TokenUnit> = new Set(['output', 'reasoning', 'output_audio', 'output_image']);

/** The semconv token type (`input` or `output`) a billing unit belongs to. */
export function tokenTypeOfUnit(unit: TokenUnit): GenAITokenType {
  return OUTPUT_UNITS.has(unit) ? 'output' : 'input';
}

/**
 * Splits a usage into {@link TOKEN_UNITS}: writes the count of `TOKEN_UNITS[i]` to `out[i]` (0 when
 * absent) and returns `out`. Pass a reused `out` to avoid an allocation per call.
 */
export function partitionTokens(usage: Usage, out: Float64Array = new Float64Array(TOKEN_UNITS.length)): Float64Array {
  const cacheRead = count(usage.cacheReadTokens);
  const cacheWrite = count(usage.cacheWriteTokens);
  const cacheWrite1h = count(usage.cacheWrite1hTokens);
  const inputAudio = count(usage.inputAudioTokens);
  const inputImage = count(usage.inputImageTokens);
  const reasoning = count(usage.reasoningTokens);
  const outputAudio = count(usage.outputAudioTokens);
  const outputImage = count(usage.outputImageTokens);
  const inputSubsets = cacheRead + cacheWrite + cacheWrite1h + inputAudio + inputImage;
  const outputSubsets = reasoning + outputAudio + outputImage;
  const input = usage.inputTokens === undefined ? inputSubsets : count(usage.inputTokens);
  const output = usage.outputTokens === undefined ? outputSubsets : count(usage.outputTokens);
  out[0] = Math.max(0, input - inputSubsets);
  out[1] = cacheRead;
  out[2] = cacheWrite;
  out[3] = cacheWrite1h;
  out[4] = inputAudio;
  out[5] = inputImage;
  out[6] = Math.max(0, output - outputSubsets);
  out[7] = reasoning;
  out[8] = outputAudio;
  out[9] = outputImage;
  return out;
}

/** The partition of a usage as an object holding only the units with tokens. */
export function tokenPartition(usage: Usage): Partial<Record<TokenUnit, number>> {
  const parts = partitionTokens(usage);
  const result: Partial<Record<TokenUnit, number>> = {};
  for (let i = 0; i < TOKEN_UNITS.length; i++) if (parts[i] > 0) result[TOKEN_UNITS[i]] = parts[i];
  return result;
}

function count(n: number | undefined): number {
  return typeof n === 'number' && n > 0 && n < Infinity ? n : 0;
}
