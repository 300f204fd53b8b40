import { ContentCounter, REPLY_PRIMING_TOKENS, TOKENS_PER_MESSAGE } from './chat-tokens';
import { resolveModelEncoding } from './encodings';
import { describe, type TokenCount } from './token-count';

/**
 * An item of a Responses API `input` array: a message (`{ role, content }` or
 * `{ type: 'message', role, content }` with `input_text` / `output_text` parts), a
 * `function_call`, a `function_call_output`, or any other item type.
 */
export interface ResponsesInputItemLike {
  type?: string;
  role?: string;
  content?: unknown;
  [key: string]: unknown;
}

/**
 * Counts the input tokens of a Responses API request (`POST /v1/responses`).
 *
 * Uses the chat accounting: `instructions` count as a leading system message, a string
 * `input` as one user message, each message item as 3 framing tokens plus its role and
 * text, and 3 tokens prime the reply. Function calls and their outputs are counted by
 * their text and flag the count inexact, as do items without text (images, files, reasoning).
 *
 * @param input - the request's `input`: a string or an array of input items.
 * @param instructions - the request's `instructions`, if any.
 * @param model - model whose tokenizer to use (default: `o200k_base`).
 * @throws TypeError when `input` is neither a string nor an array of objects.
 */
export function countResponsesInputTokens(
  input: string | ResponsesInputItemLike[],
  instructions?: string | null,
  model?: string,
): TokenCount {
  const { encoding, exact } = resolveModelEncoding(model);
  const counter = new ContentCounter(encoding, exact);
  if (instructions !== undefined && instructions !== null) {
    if (typeof instructions !== 'string') {
      throw new TypeError(`instructions must be a string or null, got ${describe(instructions)}`);
    }
    addMessage(counter, 'system', instructions, 'instructions');
  }
  if (typeof input === 'string') {
    addMessage(counter, 'user', input, 'input');
  } else if (Array.isArray(input)) {
    input.forEach((item: unknown, index) => addItem(counter, item, `input[${index}]`));
  } else {
    throw new TypeError(`input must be a string or an array of input items, got ${describe(input)}`);
  }
  counter.tokens += REPLY_PRIMING_TOKENS;
  return counter.result();
}

function addMessage(counter: ContentCounter, role: string, content: unknown, field: string): void {
  counter.tokens += TOKENS_PER_MESSAGE;
  counter.text(role);
  counter.content(content, field);
}

function addItem(counter: ContentCounter, item: unknown, field: string): void {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw new TypeError(`${field} must be an input item object, got ${describe(item)}`);
  }
  const { type, role, content } = item as ResponsesInputItemLike;
  if ((type === undefined || type === 'message') && typeof role === 'string') {
    addMessage(counter, role, content, `${field}.content`);
    return;
  }
  counter.exact = false;
  if (type === 'function_call') {
    const { name, arguments: args } = item as { name?: unknown; arguments?: unknown };
    counter.tokens += TOKENS_PER_MESSAGE;
    if (typeof name === 'string') counter.text(name);
    if (typeof args === 'string') counter.text(args);
  } else if (type === 'function_call_output') {
    const { output } = item as { output?: unknown };
    counter.tokens += TOKENS_PER_MESSAGE;
    if (typeof output === 'string') counter.text(output);
    else counter.content(output, `${field}.output`);
  }
}
