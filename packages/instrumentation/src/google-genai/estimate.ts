import type { Usage } from '@tokenomics/pricing';
import { countTokens, estimateRequestTokens } from '@tokenomics/tokens';
import { estimationRequest, type GeminiOperation } from './request';

/**
 * Usage counted locally when Gemini reported none (a stream cut short before its first usage, or
 * Gemini API embeddings, which report no usage): input from the request text, output from the
 * text seen. A heuristic for Gemini's tokenizer; always flagged as estimated by the caller.
 */
export function estimateGeminiUsage(op: GeminiOperation, params: Record<string, unknown>, model: string, outputText?: string): Usage {
  let input = 0;
  try {
    input = estimateRequestTokens(estimationRequest(params), model).tokens;
  } catch {
    input = 0; // contents of a shape the estimator does not know: count nothing rather than guess
  }
  if (op === 'embeddings') return { inputTokens: input };
  return { inputTokens: input, outputTokens: outputText ? countTokens(outputText, model).tokens : 0 };
}
