import type { Usage } from '@tokenomics/pricing/types';
import type { UsageEstimate } from './call';

/**
 * Usage to count locally for a call whose usage never arrived: input from `request` (any shape
 * `estimateRequestTokens` knows: `messages`, `prompt`, `input`), output from the text generated
 * (`undefined` for calls without output, such as embeddings). Counted by the token worker, off the
 * app's path; always flagged as estimated. A heuristic for models whose tokenizer is not public.
 */
export function textCallEstimate(model: string, request: unknown, generatedText: string | undefined): UsageEstimate {
  return {
    job: { model, request, text: generatedText },
    toUsage: ({ requestTokens, textTokens }) => {
      const usage: Usage = {};
      if (requestTokens !== undefined) usage.inputTokens = requestTokens;
      if (generatedText !== undefined) usage.outputTokens = textTokens;
      return usage.inputTokens !== undefined || usage.outputTokens !== undefined ? usage : undefined;
    },
  };
}

/** Chat messages (`{ role, content }`, content a string or text parts) in the semconv message shape, for content capture (opt-in). */
export function chatInputMessages(messages: unknown, system?: unknown): unknown[] {
  const out: unknown[] = [];
  if (typeof system === 'string' && system.length > 0) out.push({ role: 'system', parts: [{ type: 'text', content: system }] });
  if (!Array.isArray(messages)) return out;
  for (const m of messages as Array<Record<string, unknown> | null>) {
    if (!m || typeof m !== 'object') continue;
    out.push({ role: typeof m.role === 'string' ? m.role : 'user', parts: textParts(m.content) });
  }
  return out;
}

function textParts(content: unknown): unknown[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  if (!Array.isArray(content)) return [];
  return (content as Array<Record<string, unknown> | null>).map((part) =>
    part && typeof part === 'object' && typeof part.text === 'string' ? { type: 'text', content: part.text } : { type: 'unknown' },
  );
}
