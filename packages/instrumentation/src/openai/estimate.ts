import type { Usage } from '@tokenomics/pricing';
import { countTokens, estimateRequestTokens } from '@tokenomics/tokens';
import type { OpenAIOperation } from './operations';

/**
 * Usage counted locally when the provider reported none (a stream cut short, or usage not
 * requested): input from the request with tiktoken; output from the streamed text when kept, else
 * one token per content chunk (OpenAI streams one token per chunk). Always flagged as estimated.
 */
export function estimateUsage(
  op: OpenAIOperation,
  body: Record<string, unknown>,
  model: string,
  texts: string[] | undefined,
  contentChunks: number,
): Usage {
  const input = estimateRequestTokens(op === 'responses' ? responsesRequest(body) : body, model).tokens;
  if (op === 'embeddings') return { inputTokens: input };
  const output = texts ? countTokens(texts.join(''), model).tokens : contentChunks;
  return { inputTokens: input, outputTokens: output };
}

function responsesRequest(body: Record<string, unknown>): unknown {
  const messages: Array<{ role: string; content: unknown }> = [];
  if (typeof body.instructions === 'string') messages.push({ role: 'system', content: body.instructions });
  if (typeof body.input === 'string') messages.push({ role: 'user', content: body.input });
  else if (Array.isArray(body.input)) {
    for (const item of body.input as Array<Record<string, unknown>>) {
      messages.push({ role: String(item.role ?? 'user'), content: item.content });
    }
  }
  return { messages };
}
