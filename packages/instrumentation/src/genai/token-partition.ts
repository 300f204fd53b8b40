import type { BillingUnit, Usage } from '@tokenomics/pricing';

/** Token units of one call as a partition: each token is counted in exactly one unit. */
export type TokenPartition = Partial<Record<Exclude<BillingUnit, 'request'>, number>>;

/**
 * Splits semconv usage (input includes cache and audio tokens, output includes reasoning and audio
 * tokens) into disjoint units, so that sums over units never double count.
 */
export function partitionTokens(usage: Usage): TokenPartition {
  const cacheRead = nonNegative(usage.cacheReadTokens);
  const cacheWrite = nonNegative(usage.cacheWriteTokens);
  const cacheWrite1h = nonNegative(usage.cacheWrite1hTokens);
  const inputAudio = nonNegative(usage.inputAudioTokens);
  const reasoning = nonNegative(usage.reasoningTokens);
  const outputAudio = nonNegative(usage.outputAudioTokens);
  const input = Math.max(0, nonNegative(usage.inputTokens) - cacheRead - cacheWrite - cacheWrite1h - inputAudio);
  const output = Math.max(0, nonNegative(usage.outputTokens) - reasoning - outputAudio);
  const parts: TokenPartition = {};
  if (input > 0) parts.input = input;
  if (cacheRead > 0) parts.cache_read = cacheRead;
  if (cacheWrite > 0) parts.cache_write = cacheWrite;
  if (cacheWrite1h > 0) parts.cache_write_1h = cacheWrite1h;
  if (inputAudio > 0) parts.input_audio = inputAudio;
  if (output > 0) parts.output = output;
  if (reasoning > 0) parts.reasoning = reasoning;
  if (outputAudio > 0) parts.output_audio = outputAudio;
  return parts;
}

function nonNegative(n: number | undefined): number {
  return typeof n === 'number' && n > 0 && Number.isFinite(n) ? n : 0;
}
