import { estimateRequestTokens } from '@tokenomics/tokens/request-estimate';
import { countTokens } from '@tokenomics/tokens/token-count';
import { badRequest } from '../provider-api';
import { countRequest } from '../token-accounting';

/**
 * Prompt tokens of a `generateContent` / `countTokens` body: the text of every part of
 * `contents` and `systemInstruction`, plus tool declarations as JSON text, in o200k_base as a
 * stand-in for Gemini's tokenizer.
 */
export function geminiPromptTokens(body: Record<string, unknown>, model: string): number {
  if (body.contents === undefined || body.contents === null) {
    throw badRequest('* GenerateContentRequest.contents: contents is not specified', 'contents');
  }
  const system = body.systemInstruction ?? body.system_instruction;
  let tokens = countRequest(() => estimateRequestTokens({ contents: body.contents, systemInstruction: system }, model)).tokens;
  if (Array.isArray(body.tools) && body.tools.length > 0) tokens += countTokens(JSON.stringify(body.tools), model).tokens;
  return tokens;
}
