import type { Usage } from '@tokenomics/pricing/types';
import type { UsageEstimate } from '../genai/call';

type Obj = Record<string, unknown>;

/**
 * Usage to count locally for a Messages call whose final usage never arrived: input from the
 * request (system prompt, messages and tool definitions) unless `known` has the billed input;
 * output from the streamed content (`streamed`: text, thinking and tool input), at least the
 * output `known` reports. A heuristic for Claude, whose tokenizer is not public; counted by the
 * token worker, off the app's path. Never throws.
 *
 * @param streamed - the streamed output; `undefined` when no output was seen (input only).
 * @param known - usage reported so far (e.g. by `message_start`), recorded if counting fails.
 */
export function estimateMessageUsage(body: Obj, model: string, streamed: readonly string[] | undefined, known?: Usage): UsageEstimate {
  let request: Obj | undefined;
  try {
    request = { system: body.system, messages: body.messages, tools: body.tools };
  } catch {
    request = undefined;
  }
  const knownUsage =
    known && (known.inputTokens !== undefined || known.outputTokens !== undefined || known.invalid !== undefined) ? known : undefined;
  return {
    job: { model, request, text: streamed ? streamed.join('') : undefined },
    toUsage: ({ requestTokens, textTokens }) => {
      const usage: Usage = { ...known };
      if (usage.inputTokens === undefined) {
        if (requestTokens !== undefined) usage.inputTokens = requestTokens;
        else delete usage.inputTokens;
      }
      if (streamed) usage.outputTokens = Math.max(usage.outputTokens ?? 0, textTokens);
      return usage.inputTokens !== undefined || usage.outputTokens !== undefined || usage.invalid !== undefined ? usage : undefined;
    },
    known: knownUsage,
  };
}
