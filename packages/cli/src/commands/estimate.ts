/** `tokenomics estimate`: tokens and cost of a request before it is sent. */
import { readFileSync } from 'node:fs';
import { PriceFileError } from '@tokenomics/pricing/price-file-error';
import { estimateRequestTokens } from '@tokenomics/tokens/request-estimate';
import { countTokens, type TokenCount } from '@tokenomics/tokens/token-count';
import { countOf, parseArgs, UsageError, type FlagKind } from './price-args';
import { PRICE_BOOK_FLAGS, PRICE_BOOK_HELP, priceBookFor } from './price-book-flags';
import { processOutput, type Output } from './price-output';

export const ESTIMATE_USAGE = `Usage: tokenomics estimate [FILE | -] [--model M] [--provider P] [--output N] [--json]

Counts the input tokens of a request with tiktoken and prices them, with --output N expected
output tokens, before anything is sent. FILE (or standard input with -) holds a request body as
JSON (chat "messages", Responses "input", legacy "prompt", embeddings "input") or plain text.
The model comes from --model, else from the body's "model".

Counts for OpenAI models are exact (their tokenizers are public); for other models they are a
tiktoken approximation and are reported as estimated.

  --model M             model to count and price for
  --provider P          gen_ai.provider.name; searched when omitted
  --output N            expected output tokens to price as well (default 0)
  --json                print an object: model, inputTokens, outputTokens, exact, encoding,
                        amount (USD) or unpriced: true with a reason
${PRICE_BOOK_HELP}

Exit status: 0 priced, 1 unpriced or unreadable input, 2 usage error.`;

const FLAGS: Record<string, FlagKind> = {
  model: 'string',
  provider: 'string',
  output: 'count',
  json: 'switch',
  help: 'switch',
  ...PRICE_BOOK_FLAGS,
};

/** Runs `tokenomics estimate`; returns the exit code. */
export function runEstimate(argv: string[], io: Output = processOutput, env: NodeJS.ProcessEnv = process.env, stdin = 0): number {
  let args;
  try {
    args = parseArgs(argv, FLAGS);
    if (args.switches.has('help')) {
      io.out(ESTIMATE_USAGE);
      return 0;
    }
    if (args.positionals.length > 1) throw new UsageError(`expected at most one FILE, got ${args.positionals.length}`);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`tokenomics estimate: ${err.message}\n\n${ESTIMATE_USAGE}`);
      return 2;
    }
    throw err;
  }
  const source = args.positionals[0] ?? '-';
  let text: string;
  try {
    text = readFileSync(source === '-' ? stdin : source, 'utf8');
  } catch (err) {
    io.err(`tokenomics estimate: cannot read ${source === '-' ? 'standard input' : source}: ${(err as Error).message}`);
    return 1;
  }
  const body = parseBody(text);
  const model = args.values.get('model') ?? (typeof body?.model === 'string' ? body.model : undefined);
  if (!model) {
    io.err(`tokenomics estimate: no model: pass --model M or a body with "model"\n\n${ESTIMATE_USAGE}`);
    return 2;
  }
  let book;
  try {
    book = priceBookFor(args, env);
  } catch (err) {
    if (err instanceof PriceFileError) {
      io.err(`tokenomics estimate: ${err.message}`);
      return 1;
    }
    throw err;
  }
  const count: TokenCount = body ? estimateRequestTokens(body, model) : countTokens(text, model);
  const outputTokens = countOf(args, 'output') ?? 0;
  const provider = args.values.get('provider');
  const cost = book.price({ inputTokens: count.tokens, outputTokens }, { model, provider, estimated: true });
  const result = {
    model,
    provider: cost.priced ? cost.provider : (provider ?? null),
    inputTokens: count.tokens,
    outputTokens,
    exact: count.exact,
    encoding: count.encoding,
    ...(cost.priced
      ? { unpriced: false, amount: cost.amount, currency: cost.currency, breakdown: cost.breakdown, matchedModel: cost.matchedModel }
      : { unpriced: true, reason: cost.reason, detail: cost.detail }),
    priceBookVersion: cost.priceBookVersion,
  };
  if (args.switches.has('json')) io.out(JSON.stringify(result, null, 2));
  else {
    const counted = `${count.tokens} input tokens (${count.encoding}${count.exact ? '' : ', approximate'})`;
    const priced = cost.priced
      ? `$${cost.amount.toFixed(8)} with ${outputTokens} output tokens (${cost.provider}/${cost.matchedModel})`
      : `unpriced (${cost.reason}): ${cost.detail}`;
    io.out(`${model}: ${counted}; ${priced}\nprice book ${cost.priceBookVersion}`);
  }
  return cost.priced ? 0 : 1;
}

function parseBody(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(trimmed) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
