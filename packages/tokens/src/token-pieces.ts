import { getEncoder } from './encoder-cache';
import { resolveModelEncoding } from './encodings';
import { describe } from './token-count';

const decoder = new TextDecoder('utf-8');

/**
 * Splits text into the strings of its tokens, in order, so that joining them gives back
 * `text`. Used to stream a reply one token per chunk.
 *
 * A token that ends inside a multi-byte character is merged with the following tokens
 * until the character is complete, so for non-ASCII text there can be fewer pieces than
 * tokens; for ASCII text there is exactly one piece per token.
 *
 * @param text - the text to split.
 * @param model - model whose tokenizer to use (default: `o200k_base`).
 * @throws TypeError when `text` is not a string.
 */
export function tokenPieces(text: string, model?: string): string[] {
  if (typeof text !== 'string') {
    throw new TypeError(`tokenPieces: text must be a string, got ${describe(text)}`);
  }
  const encoder = getEncoder(resolveModelEncoding(model).encoding);
  const pieces: string[] = [];
  let pending: number[] = [];
  for (const id of encoder.encode_ordinary(text)) {
    for (const byte of encoder.decode_single_token_bytes(id)) pending.push(byte);
    const bytes = Uint8Array.from(pending);
    if (completeUtf8(bytes)) {
      pieces.push(decoder.decode(bytes));
      pending = [];
    }
  }
  if (pending.length > 0) pieces.push(decoder.decode(Uint8Array.from(pending)));
  return pieces;
}

/** `true` when `bytes` does not end inside a multi-byte UTF-8 sequence. */
function completeUtf8(bytes: Uint8Array): boolean {
  let index = bytes.length - 1;
  let continuation = 0;
  while (index >= 0 && (bytes[index] & 0xc0) === 0x80 && continuation < 3) {
    index -= 1;
    continuation += 1;
  }
  if (index < 0) return false;
  const lead = bytes[index];
  const expected = lead < 0x80 ? 0 : lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
  return continuation >= expected;
}
