import type { Tiktoken } from 'tiktoken/lite';
import type { EncodingName } from './encodings';

interface EncoderDefinition {
  pat_str: string;
  special_tokens: Record<string, number>;
  bpe_ranks: string;
}

type TiktokenConstructor = typeof Tiktoken;

let tiktokenConstructor: TiktokenConstructor | undefined;
const encoders = new Map<EncodingName, Tiktoken>();

/**
 * Loads the rank table of one encoding. Each `require` names its file literally so
 * bundlers can see it; only the requested table is read.
 */
function loadDefinition(name: EncodingName): EncoderDefinition {
  switch (name) {
    case 'o200k_base':
      return require('tiktoken/encoders/o200k_base') as EncoderDefinition;
    case 'cl100k_base':
      return require('tiktoken/encoders/cl100k_base') as EncoderDefinition;
    case 'p50k_base':
      return require('tiktoken/encoders/p50k_base') as EncoderDefinition;
    case 'p50k_edit':
      return require('tiktoken/encoders/p50k_edit') as EncoderDefinition;
    case 'r50k_base':
      return require('tiktoken/encoders/r50k_base') as EncoderDefinition;
    case 'gpt2':
      return require('tiktoken/encoders/gpt2') as EncoderDefinition;
    default:
      throw new TypeError(`unknown encoding ${JSON.stringify(String(name))}`);
  }
}

/**
 * The encoder for `name`, created on first use and cached for the life of the process.
 * The WASM module (tiktoken's lite build) is instantiated on the first call of all.
 * Encoders are never freed: they are shared by every later call.
 */
export function getEncoder(name: EncodingName): Tiktoken {
  const cached = encoders.get(name);
  if (cached !== undefined) return cached;
  if (tiktokenConstructor === undefined) {
    tiktokenConstructor = (require('tiktoken/lite') as { Tiktoken: TiktokenConstructor }).Tiktoken;
  }
  const definition = loadDefinition(name);
  const encoder = new tiktokenConstructor(definition.bpe_ranks, definition.special_tokens, definition.pat_str);
  encoders.set(name, encoder);
  return encoder;
}

/** Encodings loaded so far, in load order. Nothing is loaded until a count is asked for. */
export function loadedEncodings(): EncodingName[] {
  return [...encoders.keys()];
}
