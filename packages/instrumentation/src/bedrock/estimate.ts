import { countTokens, estimateRequestTokens } from '@tokenomics/tokens';

/**
 * Input tokens of a request counted locally (a heuristic for non-OpenAI tokenizers), for calls
 * whose usage never arrived; undefined when the request has no shape the estimator knows.
 */
export function estimateInputTokens(request: Record<string, unknown> | undefined, model: string): number | undefined {
  if (!request) return undefined;
  try {
    return estimateRequestTokens(request, model).tokens;
  } catch {
    return undefined;
  }
}

/** Output tokens counted locally from the streamed text. */
export function estimateOutputTokens(texts: readonly string[], model: string): number {
  return texts.length ? countTokens(texts.join(''), model).tokens : 0;
}
