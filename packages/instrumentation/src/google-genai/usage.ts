import type { Usage } from '@tokenomics/pricing/types';
import { CountReader } from '@tokenomics/pricing/usage-validation';

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
 * billing units. Returns undefined when the value holds no counts. A count that is not a valid
 * token count (a string, null, a fraction, a negative or absurd number) makes the usage invalid
 * (`usage.invalid` names the field and the problem), never dropped.
 */
export function geminiUsage(raw: unknown): Usage | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) return { invalid: 'usageMetadata:wrong_type' };
  const u = raw as Obj;
  const r = new CountReader();
  const prompt = r.count(u.promptTokenCount, 'promptTokenCount');
  const candidates =
    u.candidatesTokenCount !== undefined
      ? r.count(u.candidatesTokenCount, 'candidatesTokenCount')
      : r.count(u.responseTokenCount, 'responseTokenCount');
  const toolUse = r.count(u.toolUsePromptTokenCount, 'toolUsePromptTokenCount');
  const thoughts = r.count(u.thoughtsTokenCount, 'thoughtsTokenCount');
  const cached = r.count(u.cachedContentTokenCount, 'cachedContentTokenCount');
  if (prompt === undefined && candidates === undefined && toolUse === undefined && thoughts === undefined && r.problem === undefined)
    return undefined;
  const usage: Usage = {};
  if (prompt !== undefined || toolUse !== undefined) usage.inputTokens = (prompt ?? 0) + (toolUse ?? 0);
  if (candidates !== undefined || thoughts !== undefined) usage.outputTokens = (candidates ?? 0) + (thoughts ?? 0);
  if (cached) usage.cacheReadTokens = cached;
  if (thoughts) usage.reasoningTokens = thoughts;
  const audioIn = modality(r, u.promptTokensDetails, 'promptTokensDetails') - modality(r, u.cacheTokensDetails, 'cacheTokensDetails');
  if (audioIn > 0) usage.inputAudioTokens = audioIn;
  const outKey = u.candidatesTokensDetails !== undefined ? 'candidatesTokensDetails' : 'responseTokensDetails';
  const audioOut = modality(r, u[outKey], outKey);
  if (audioOut > 0) usage.outputAudioTokens = audioOut;
  return r.finish(usage);
}

/** The service tier a Gemini API response reports it was served at, when not the standard one. */
export function geminiServiceTier(raw: unknown): string | undefined {
  const tier = raw && typeof raw === 'object' ? (raw as Obj).serviceTier : undefined;
  if (typeof tier !== 'string') return undefined;
  const t = tier.toLowerCase();
  return t === 'flex' || t === 'priority' || t === 'batch' ? t : undefined;
}

/** Audio tokens of a per-modality list; a list or count of the wrong type is a problem of `r`. */
function modality(r: CountReader, details: unknown, field: string): number {
  if (details === undefined || details === null) return 0;
  if (!Array.isArray(details)) {
    r.fail(field, 'wrong_type');
    return 0;
  }
  let n = 0;
  for (const d of details as unknown[]) {
    if (d && typeof d === 'object' && (d as Obj).modality === 'AUDIO') n += r.count((d as Obj).tokenCount, `${field}.tokenCount`) ?? 0;
  }
  return n;
}
