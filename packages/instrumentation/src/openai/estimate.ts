import type { Usage } from '@tokenomics/pricing/types';
import type { UsageEstimate } from '../genai/call';
import type { OpenAIOperation } from './operations';

/**
 * Usage to count locally when the provider reported none (a stream cut short, or usage not
 * requested): input from the request with tiktoken; output from the streamed text when kept, else
 * one token per content chunk (OpenAI streams one token per chunk). Counted by the token worker,
 * off the app's path; always flagged as estimated. Never throws.
 */
export function estimateUsage(
  op: OpenAIOperation,
  body: Record<string, unknown>,
  model: string,
  texts: string[] | undefined,
  contentChunks: number,
): UsageEstimate {
  const request = requestOf(op, body);
  const text = texts ? texts.join('') : undefined;
  return {
    job: { model, request, text },
    toUsage: ({ requestTokens, textTokens }) => {
      if (op === 'embeddings') return requestTokens === undefined ? undefined : { inputTokens: requestTokens };
      const usage: Usage = {};
      if (requestTokens !== undefined) usage.inputTokens = requestTokens;
      usage.outputTokens = texts ? textTokens : contentChunks;
      return usage;
    },
    // Without a count, the content chunks seen are still a count of the output.
    known: op === 'embeddings' || texts ? undefined : { outputTokens: contentChunks },
  };
}

/** The request in a shape the estimator knows; `undefined` when it cannot be read. */
function requestOf(op: OpenAIOperation, body: Record<string, unknown>): unknown {
  try {
    return op === 'responses' ? responsesRequest(body) : body;
  } catch {
    return undefined;
  }
}

function responsesRequest(body: Record<string, unknown>): unknown {
  const messages: Array<{ role: string; content: unknown }> = [];
  if (typeof body.instructions === 'string') messages.push({ role: 'system', content: body.instructions });
  if (typeof body.input === 'string') messages.push({ role: 'user', content: body.input });
  else if (Array.isArray(body.input)) {
    for (const item of body.input as unknown[]) {
      if (!item || typeof item !== 'object') continue;
      const { role, content } = item as { role?: unknown; content?: unknown };
      messages.push({ role: typeof role === 'string' ? role : 'user', content });
    }
  }
  return { messages };
}
