import type { UsageEstimate } from '../genai/call';
import { estimationRequest, type GeminiOperation } from './request';

/**
 * Usage to count locally when Gemini reported none (a stream cut short before its first usage, or
 * Gemini API embeddings, which report no usage): input from the request text, output from the
 * text seen. A heuristic for Gemini's tokenizer, counted by the token worker off the app's path;
 * always flagged as estimated. Never throws.
 */
export function estimateGeminiUsage(
  op: GeminiOperation,
  params: Record<string, unknown>,
  model: string,
  outputText?: string,
): UsageEstimate {
  let request: unknown;
  try {
    request = estimationRequest(params);
  } catch {
    request = undefined;
  }
  return {
    job: { model, request, text: op === 'embeddings' ? undefined : outputText },
    toUsage: ({ requestTokens, textTokens }) => {
      // Contents of a shape the estimator does not know: count nothing rather than guess.
      const input = requestTokens ?? 0;
      if (op === 'embeddings') return { inputTokens: input };
      return { inputTokens: input, outputTokens: outputText ? textTokens : 0 };
    },
  };
}
