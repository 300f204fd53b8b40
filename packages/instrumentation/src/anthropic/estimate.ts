import { countTokens, estimateRequestTokens } from '@tokenomics/tokens';

type Obj = Record<string, unknown>;

/**
 * Input tokens of a Messages request counted locally (system prompt, messages and tool
 * definitions), for calls whose usage never arrived. A heuristic for Claude, whose tokenizer is not
 * public; undefined when the request cannot be counted.
 */
export function estimateInputTokens(body: Obj, model: string): number | undefined {
  try {
    return estimateRequestTokens({ system: body.system, messages: body.messages, tools: body.tools }, model).tokens;
  } catch {
    return undefined;
  }
}

/** Output tokens of streamed text seen so far, counted locally (a heuristic for Claude). */
export function estimateOutputTokens(texts: readonly string[], model: string): number {
  if (texts.length === 0) return 0;
  return countTokens(texts.join(''), model).tokens;
}
