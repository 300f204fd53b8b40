import type { Usage } from '@tokenomics/pricing';

type Obj = Record<string, unknown>;

/**
 * Usage of a Gemini `usageMetadata` in semconv terms.
 *
 * Gemini reports `promptTokenCount` with the cached content included
 * (`cachedContentTokenCount` is a subset), tool-use prompt tokens apart from the prompt, and
 * thinking tokens apart from the candidates, while billing both as input and output
 * respectively (`totalTokenCount` = prompt + candidates + tool-use prompt + thoughts). So:
 * input = prompt + tool-use prompt, output = candidates + thoughts, cache read = cached content,
 * reasoning = thoughts. Uncached audio in the prompt and audio in the candidates are their own
 * billing units. Returns undefined when the value holds no usable counts.
 */
export function geminiUsage(raw: unknown): Usage | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const u = raw as Obj;
  const prompt = count(u.promptTokenCount);
  const candidates = count(u.candidatesTokenCount ?? u.responseTokenCount);
  const toolUse = count(u.toolUsePromptTokenCount);
  const thoughts = count(u.thoughtsTokenCount);
  if (prompt === undefined && candidates === undefined && toolUse === undefined && thoughts === undefined) return undefined;
  const usage: Usage = {};
  if (prompt !== undefined || toolUse !== undefined) usage.inputTokens = (prompt ?? 0) + (toolUse ?? 0);
  if (candidates !== undefined || thoughts !== undefined) usage.outputTokens = (candidates ?? 0) + (thoughts ?? 0);
  const cached = count(u.cachedContentTokenCount);
  if (cached) usage.cacheReadTokens = cached;
  if (thoughts) usage.reasoningTokens = thoughts;
  const audioIn = modality(u.promptTokensDetails, 'AUDIO') - modality(u.cacheTokensDetails, 'AUDIO');
  if (audioIn > 0) usage.inputAudioTokens = audioIn;
  const audioOut = modality(u.candidatesTokensDetails ?? u.responseTokensDetails, 'AUDIO');
  if (audioOut > 0) usage.outputAudioTokens = audioOut;
  return usage;
}

/** The service tier a Gemini API response reports it was served at, when not the standard one. */
export function geminiServiceTier(raw: unknown): string | undefined {
  const tier = raw && typeof raw === 'object' ? (raw as Obj).serviceTier : undefined;
  if (typeof tier !== 'string') return undefined;
  const t = tier.toLowerCase();
  return t === 'flex' || t === 'priority' || t === 'batch' ? t : undefined;
}

function modality(details: unknown, name: string): number {
  if (!Array.isArray(details)) return 0;
  let n = 0;
  for (const d of details as Obj[]) {
    if (d && d.modality === name) n += count(d.tokenCount) ?? 0;
  }
  return n;
}

function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}
