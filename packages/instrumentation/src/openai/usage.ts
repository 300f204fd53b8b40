import type { Usage } from '@tokenomics/pricing';

/**
 * Usage of any OpenAI response shape (chat and legacy completions, embeddings, Responses API)
 * in semconv terms: input includes cached tokens, output includes reasoning tokens.
 * Returns undefined when the value holds no usable counts.
 */
export function openAIUsage(raw: unknown): Usage | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const u = raw as Record<string, unknown>;
  const input = count(u.prompt_tokens ?? u.input_tokens);
  const output = count(u.completion_tokens ?? u.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  const usage: Usage = {};
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  const inDetails = (u.prompt_tokens_details ?? u.input_tokens_details) as Record<string, unknown> | null | undefined;
  const outDetails = (u.completion_tokens_details ?? u.output_tokens_details) as Record<string, unknown> | null | undefined;
  if (inDetails && typeof inDetails === 'object') {
    const cached = count(inDetails.cached_tokens);
    if (cached !== undefined) usage.cacheReadTokens = cached;
    const audio = count(inDetails.audio_tokens);
    if (audio) usage.inputAudioTokens = audio;
  }
  if (outDetails && typeof outDetails === 'object') {
    const reasoning = count(outDetails.reasoning_tokens);
    if (reasoning !== undefined) usage.reasoningTokens = reasoning;
    const audio = count(outDetails.audio_tokens);
    if (audio) usage.outputAudioTokens = audio;
  }
  return usage;
}

function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}
