import { addChatMessages, ContentCounter, REPLY_PRIMING_TOKENS, TOKENS_PER_MESSAGE } from './chat-tokens';
import { resolveModelEncoding } from './encodings';
import { countResponsesInputTokens, type ResponsesInputItemLike } from './responses-tokens';
import { describe, type TokenCount } from './token-count';

const ACCEPTED_SHAPES =
  '`messages` (chat), `prompt` (string, string[] or token ids), `input` (embeddings: string, string[] or token ids; ' +
  'Responses: item array, or any input with `instructions`) or `contents` (Gemini)';

/**
 * Estimates the prompt tokens of a request body of any supported shape.
 *
 * - `messages`: chat accounting (see {@link countChatTokens}); a top-level `system`
 *   (string or text blocks, as in Anthropic requests) counts as a leading system message.
 *   `tools` definitions are counted as their JSON text and make the estimate inexact.
 * - `prompt` (legacy completions): a string, an array of strings (summed), or token ids.
 * - `input` with `instructions`, or an array of item objects: the Responses API accounting.
 * - `input` otherwise (embeddings): a string, an array of strings (summed), or token ids.
 * - `contents` (Gemini): the text of all parts plus `systemInstruction`, inexact.
 *
 * @param request - the parsed request body.
 * @param model - model whose tokenizer to use; defaults to the request's `model` field.
 * @throws TypeError when `request` is not an object or has none of the shapes above.
 */
export function estimateRequestTokens(request: unknown, model?: string): TokenCount {
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    throw new TypeError(`request must be a request body object with ${ACCEPTED_SHAPES}; got ${describe(request)}`);
  }
  const body = request as Record<string, unknown>;
  const modelName = model ?? (typeof body.model === 'string' ? body.model : undefined);
  const { encoding, exact } = resolveModelEncoding(modelName);

  if (body.messages !== undefined) {
    const counter = new ContentCounter(encoding, exact);
    if (body.system !== undefined && body.system !== null) {
      counter.tokens += TOKENS_PER_MESSAGE;
      counter.text('system');
      counter.content(body.system, 'system');
    }
    addChatMessages(counter, body.messages, 'messages');
    counter.tokens += REPLY_PRIMING_TOKENS;
    if (Array.isArray(body.tools) && body.tools.length > 0) {
      counter.text(JSON.stringify(body.tools));
      counter.exact = false;
    }
    return counter.result();
  }

  if (body.input !== undefined && (body.instructions !== undefined || hasItemObjects(body.input))) {
    return countResponsesInputTokens(
      body.input as string | ResponsesInputItemLike[],
      body.instructions as string | null | undefined,
      modelName,
    );
  }

  for (const field of ['prompt', 'input'] as const) {
    if (body[field] !== undefined) {
      const counter = new ContentCounter(encoding, exact);
      const tokenIds = countTextOrTokenIds(counter, body[field], field);
      counter.tokens += tokenIds;
      return counter.result();
    }
  }

  if (body.contents !== undefined) {
    const counter = new ContentCounter(encoding, false);
    addGeminiContent(counter, body.systemInstruction ?? body.system_instruction, 'systemInstruction');
    if (Array.isArray(body.contents)) {
      body.contents.forEach((content, index) => addGeminiContent(counter, content, `contents[${index}]`));
    } else {
      addGeminiContent(counter, body.contents, 'contents');
    }
    return counter.result();
  }

  throw new TypeError(`request has none of ${ACCEPTED_SHAPES}; got fields ${JSON.stringify(Object.keys(body))}`);
}

function hasItemObjects(input: unknown): boolean {
  return Array.isArray(input) && input.some((item) => item !== null && typeof item === 'object' && !Array.isArray(item));
}

/**
 * Counts a string, an array of strings, an array of token ids, or an array of token-id arrays.
 * Returns the number of token ids; strings are added to the counter directly.
 */
function countTextOrTokenIds(counter: ContentCounter, value: unknown, field: string): number {
  if (typeof value === 'string') {
    counter.text(value);
    return 0;
  }
  if (Array.isArray(value)) {
    if (value.every((entry) => typeof entry === 'number')) return value.length;
    let ids = 0;
    value.forEach((entry: unknown, index) => {
      if (typeof entry === 'string') counter.text(entry);
      else if (Array.isArray(entry) && entry.every((id) => typeof id === 'number')) ids += entry.length;
      else throw new TypeError(`${field}[${index}] must be a string or an array of token ids, got ${describe(entry)}`);
    });
    return ids;
  }
  throw new TypeError(`${field} must be a string, an array of strings or an array of token ids, got ${describe(value)}`);
}

function addGeminiContent(counter: ContentCounter, content: unknown, field: string): void {
  if (content === undefined || content === null) return;
  if (typeof content === 'string') {
    counter.text(content);
    return;
  }
  if (typeof content !== 'object') {
    throw new TypeError(`${field} must be a string or a content object with parts, got ${describe(content)}`);
  }
  const parts = (content as { parts?: unknown }).parts;
  if (!Array.isArray(parts)) return;
  for (const part of parts) {
    const text = (part as { text?: unknown } | null)?.text;
    if (typeof text === 'string') counter.text(text);
  }
}
