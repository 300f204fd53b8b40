import { getEncoder } from './encoder-cache';
import { resolveModelEncoding, type EncodingName } from './encodings';

/**
 * A token count and how far it can be trusted.
 */
export interface TokenCount {
  /** Number of tokens. */
  tokens: number;
  /**
   * `true` when the count used the model's own tokenizer and only text the accounting rules
   * cover; `false` for heuristic counts (non-OpenAI models, unknown models, images, tool
   * definitions and other content whose billing is not published).
   */
  exact: boolean;
  /** The tiktoken encoding the count was made with. */
  encoding: EncodingName;
}

/**
 * Number of tokens in `text` in the given encoding. Special-token text such as
 * `<|endoftext|>` is counted as ordinary text, as the APIs do for user content.
 */
export function encodeLength(text: string, encoding: EncodingName): number {
  if (text.length === 0) return 0;
  return getEncoder(encoding).encode_ordinary(text).length;
}

/**
 * Counts the tokens of a piece of text.
 *
 * @param text - the text to count.
 * @param model - model whose tokenizer to use; without it the count is made in `o200k_base`.
 * @returns the count, flagged `exact: false` when `model` is not an OpenAI model.
 * @throws TypeError when `text` is not a string.
 *
 * @example countTokens('Hello, world!', 'gpt-4o') // { tokens: 4, exact: true, encoding: 'o200k_base' }
 */
export function countTokens(text: string, model?: string): TokenCount {
  if (typeof text !== 'string') {
    throw new TypeError(`countTokens: text must be a string, got ${describe(text)}`);
  }
  const { encoding, exact } = resolveModelEncoding(model);
  return { tokens: encodeLength(text, encoding), exact, encoding };
}

/** Short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
