import type { Usage } from '@tokenomics/pricing/types';
import type { UsageEstimate } from '../genai/call';

/**
 * Usage to count locally for a call whose usage never arrived (a heuristic for non-OpenAI
 * tokenizers): input from `request` (in a shape `@tokenomics/tokens` estimates) unless `partial`
 * has it, output from the generated text, at least the output `partial` reports. Counted by the
 * token worker, off the app's path. Never throws.
 *
 * @param alwaysOutput - record the output count even when it is 0 and the input is unknown
 *   (streams); otherwise such a call gets no usage.
 */
export function estimateUsage(
  request: Record<string, unknown> | undefined,
  model: string,
  texts: readonly string[],
  partial: Usage = {},
  alwaysOutput = true,
): UsageEstimate {
  const hasPartial = partial.inputTokens !== undefined || partial.outputTokens !== undefined;
  return {
    job: { model, request, text: texts.length ? texts.join('') : undefined },
    toUsage: ({ requestTokens, textTokens }) => {
      const usage: Usage = { ...partial };
      if (usage.inputTokens === undefined) {
        if (requestTokens !== undefined) usage.inputTokens = requestTokens;
        else delete usage.inputTokens;
      }
      if (usage.inputTokens === undefined && !alwaysOutput && texts.length === 0 && !hasPartial) return undefined;
      usage.outputTokens = Math.max(usage.outputTokens ?? 0, textTokens);
      return usage;
    },
    known: hasPartial ? partial : undefined,
  };
}
