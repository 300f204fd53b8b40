import { countTokens } from '@tokenomics/tokens/token-count';
import { tokenPieces } from '@tokenomics/tokens/token-pieces';
import { REPLY_CORPUS } from './reply-corpus';
import { hashText, seededRandom } from './seeded-random';

/** Number of corpus sentences in a reply when no length is asked for. */
export const DEFAULT_REPLY_SENTENCES = 2;

/** A generated reply, split into the tokens it is streamed as. */
export interface Reply {
  /** Full reply text. */
  text: string;
  /** The text of each token, in order; one stream chunk each. */
  pieces: string[];
  /** Output tokens of the text (equals `pieces.length` for the ASCII corpus). */
  tokens: number;
  /** `true` when the reply was cut short by a max-tokens limit. */
  truncated: boolean;
}

/** What shapes a reply. */
export interface ReplyRequest {
  /** Text the reply is derived from (the prompt); the same seed gives the same reply. */
  seed: string;
  /** Model whose tokenizer counts the reply. */
  model?: string | undefined;
  /** Exact number of output tokens wanted (the `output_tokens` directive). */
  outputTokens?: number | undefined;
  /** The request's max-tokens limit, if any. */
  maxTokens?: number | undefined;
}

/**
 * Builds a deterministic reply: sentences from a fixed corpus picked by a hash of the seed.
 * By default {@link DEFAULT_REPLY_SENTENCES} sentences; with `outputTokens`, exactly that many
 * tokens; never more than `maxTokens` tokens (then `truncated` is set).
 */
export function composeReply(request: ReplyRequest): Reply {
  const random = seededRandom(hashText(request.seed));
  const nextSentence = (): string => REPLY_CORPUS[Math.floor(random() * REPLY_CORPUS.length)];
  const wanted = request.outputTokens;
  let text = nextSentence();
  if (wanted === undefined) {
    for (let i = 1; i < DEFAULT_REPLY_SENTENCES; i += 1) text += ` ${nextSentence()}`;
  }
  let pieces = tokenPieces(text, request.model);
  if (wanted !== undefined) {
    while (pieces.length < wanted) {
      text += ` ${nextSentence()}`;
      pieces = tokenPieces(text, request.model);
    }
    pieces = pieces.slice(0, wanted);
  }
  let truncated = false;
  if (request.maxTokens !== undefined && pieces.length > request.maxTokens) {
    pieces = pieces.slice(0, request.maxTokens);
    truncated = true;
  }
  const joined = pieces.join('');
  return { text: joined, pieces, tokens: countTokens(joined, request.model).tokens, truncated };
}
