import type { CallResult } from '../genai/call';
import { choiceIndex } from '../genai/choice-index';
import { geminiServiceTier, geminiUsage } from './usage';

type Obj = Record<string, unknown>;

/**
 * Fills `result` from a `GenerateContentResponse` (a whole response, or one streamed chunk: each
 * chunk carries the usage so far, so the last one seen wins).
 */
export function applyGenerateContent(response: unknown, result: CallResult): void {
  if (!response || typeof response !== 'object') return;
  const r = response as Obj;
  if (typeof r.modelVersion === 'string' && r.modelVersion) result.responseModel = r.modelVersion;
  if (typeof r.responseId === 'string' && r.responseId) result.responseId = r.responseId;
  const usage = geminiUsage(r.usageMetadata);
  if (usage) {
    result.usage = usage;
    result.usageEstimated = false;
    const tier = geminiServiceTier(r.usageMetadata);
    if (tier) result.serviceTier = tier;
  }
}

/** Lower-cased finish reason of each candidate of a response, by candidate index. */
export function finishReasons(response: unknown, into: string[] = []): string[] {
  const candidates = (response as Obj | null)?.candidates;
  if (!Array.isArray(candidates)) return into;
  candidates.forEach((c: Obj | null, i) => {
    if (c && typeof c.finishReason === 'string') into[choiceIndex(c.index, i)] = c.finishReason.toLowerCase();
  });
  return into;
}

/** Text of each candidate of a response, by candidate index (thought parts left out). */
export function candidateTexts(response: unknown): Array<string | undefined> {
  const candidates = (response as Obj | null)?.candidates;
  if (!Array.isArray(candidates)) return [];
  const out: Array<string | undefined> = [];
  candidates.forEach((c: Obj | null, i) => {
    const parts = (c?.content as Obj | undefined)?.parts;
    if (!Array.isArray(parts)) return;
    let text = '';
    for (const p of parts as Obj[]) if (p && typeof p.text === 'string' && p.thought !== true) text += p.text;
    out[choiceIndex(c?.index, i)] = text;
  });
  return out;
}

/** Output messages in the semconv shape, for content capture (opt-in only). */
export function outputMessages(texts: Array<string | undefined>, reasons: string[]): unknown {
  const out: unknown[] = [];
  const n = Math.max(texts.length, reasons.length);
  for (let i = 0; i < n; i++) {
    out.push({ role: 'assistant', parts: texts[i] ? [{ type: 'text', content: texts[i] }] : [], finish_reason: reasons[i] });
  }
  return out;
}

/**
 * Input tokens of an `EmbedContentResponse`: the sum of `statistics.tokenCount` over its
 * embeddings (Vertex AI reports them; the Gemini API reports none).
 */
export function embeddingInputTokens(response: unknown): number | undefined {
  const embeddings = (response as Obj | null)?.embeddings;
  if (!Array.isArray(embeddings)) return undefined;
  let total = 0;
  let seen = false;
  for (const e of embeddings as Obj[]) {
    const n = (e?.statistics as Obj | undefined)?.tokenCount;
    if (typeof n === 'number' && Number.isFinite(n) && n >= 0) {
      total += n;
      seen = true;
    }
  }
  return seen ? total : undefined;
}
