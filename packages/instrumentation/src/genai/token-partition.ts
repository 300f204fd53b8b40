import type { BillingUnit, Usage } from '@tokenomics/pricing';

/** The token units of a partition, in the order of {@link partitionTokens}' output. */
export const TOKEN_UNITS = [
  'input',
  'cache_read',
  'cache_write',
  'cache_write_1h',
  'input_audio',
  'output',
  'reasoning',
  'output_audio',
] as const satisfies ReadonlyArray<Exclude<BillingUnit, 'request'>>;

/**
 * Splits semconv usage (input includes cache and audio tokens, output includes reasoning and audio
 * tokens) into disjoint units, so that sums over units never double count. Writes the count of
 * `TOKEN_UNITS[i]` to `out[i]` (0 when absent) and returns `out`: no allocation per call.
 */
export function partitionTokens(usage: Usage, out: Float64Array = new Float64Array(TOKEN_UNITS.length)): Float64Array {
  const cacheRead = nonNegative(usage.cacheReadTokens);
  const cacheWrite = nonNegative(usage.cacheWriteTokens);
  const cacheWrite1h = nonNegative(usage.cacheWrite1hTokens);
  const inputAudio = nonNegative(usage.inputAudioTokens);
  const reasoning = nonNegative(usage.reasoningTokens);
  const outputAudio = nonNegative(usage.outputAudioTokens);
  out[0] = Math.max(0, nonNegative(usage.inputTokens) - cacheRead - cacheWrite - cacheWrite1h - inputAudio);
  out[1] = cacheRead;
  out[2] = cacheWrite;
  out[3] = cacheWrite1h;
  out[4] = inputAudio;
  out[5] = Math.max(0, nonNegative(usage.outputTokens) - reasoning - outputAudio);
  out[6] = reasoning;
  out[7] = outputAudio;
  return out;
}

function nonNegative(n: number | undefined): number {
  return typeof n === 'number' && n > 0 && Number.isFinite(n) ? n : 0;
}
