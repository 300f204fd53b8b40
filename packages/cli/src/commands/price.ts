/** `tokenomics price MODEL ...`: the cost of one call, unit by unit. */
import { PriceFileError } from '@tokenomics/pricing/price-file-error';
import type { BillingUnit, Usage } from '@tokenomics/pricing/types';
import { countOf, parseArgs, parseAt, UsageError, type FlagKind } from './price-args';
import { PRICE_BOOK_FLAGS, PRICE_BOOK_HELP, priceBookFor } from './price-book-flags';
import { formatCount, formatRate, formatUsdColumn, renderTable, roundUsd } from './price-format';
import { processOutput, type Output } from './price-output';

export const PRICE_USAGE = `Usage: tokenomics price MODEL [--provider P] --input N --output N [options]

Prints the cost of one call, unit by unit. --input counts all input tokens, cache reads and
writes included; --output counts all output tokens, reasoning included (as the OpenTelemetry
GenAI conventions report them). Each subset is priced once, at its own rate.

  --provider P          gen_ai.provider.name (openai, anthropic, gcp.gemini, gcp.vertex_ai,
                        aws.bedrock, azure.ai.openai, mistral_ai, ...); searched when omitted
  --input N             input tokens (required)
  --output N            output tokens (required)
  --cache-read N        input tokens read from the prompt cache
  --cache-write N       input tokens written to the cache (5-minute lifetime)
  --cache-write-1h N    input tokens written to the cache with a 1-hour lifetime
  --reasoning N         reasoning tokens (part of --output)
  --input-audio N       audio input tokens (part of --input)
  --output-audio N      audio output tokens (part of --output)
  --web-search N        web searches billed per call
  --response-model M    model the provider reported (used for Azure deployment names)
  --at YYYY-MM-DD       date of the call (default: now)
  --tier T              standard | batch | flex | priority (default: standard)
  --json                print an object: amount (USD), breakdown, tokens, model, ... or
                        unpriced: true with a reason
${PRICE_BOOK_HELP}

Exit status: 0 priced, 1 unpriced or bad price file, 2 usage error.`;

const FLAGS: Record<string, FlagKind> = {
  provider: 'string',
  input: 'count',
  output: 'count',
  'cache-read': 'count',
  'cache-write': 'count',
  'cache-write-1h': 'count',
  reasoning: 'count',
  'input-audio': 'count',
  'output-audio': 'count',
  'web-search': 'count',
  'response-model': 'string',
  at: 'string',
  tier: 'string',
  json: 'switch',
  help: 'switch',
  ...PRICE_BOOK_FLAGS,
};

const TIERS = ['standard', 'batch', 'flex', 'priority'];

/** Runs `tokenomics price`; returns the exit code. */
export function runPrice(argv: string[], io: Output = processOutput, env: NodeJS.ProcessEnv = process.env): number {
  let args;
  let at: Date;
  try {
    args = parseArgs(argv, FLAGS);
    if (args.switches.has('help')) {
      io.out(PRICE_USAGE);
      return 0;
    }
    if (args.positionals.length === 0) throw new UsageError('missing MODEL');
    if (args.positionals.length > 1) throw new UsageError(`expected one MODEL, got ${args.positionals.map((p) => `"${p}"`).join(' ')}`);
    for (const required of ['input', 'output']) {
      if (!args.values.has(required)) throw new UsageError(`missing --${required} N`);
    }
    const tier = args.values.get('tier');
    if (tier !== undefined && !TIERS.includes(tier)) throw new UsageError(`--tier must be one of ${TIERS.join(', ')}, got "${tier}"`);
    const atValue = args.values.get('at');
    at = atValue === undefined ? new Date() : parseAt(atValue);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`tokenomics price: ${err.message}\n\n${PRICE_USAGE}`);
      return 2;
    }
    throw err;
  }

  let book;
  try {
    book = priceBookFor(args, env);
  } catch (err) {
    if (err instanceof PriceFileError) {
      io.err(`tokenomics price: ${err.message}`);
      return 1;
    }
    throw err;
  }

  const model = args.positionals[0];
  const provider = args.values.get('provider');
  const usage: Usage = { inputTokens: countOf(args, 'input'), outputTokens: countOf(args, 'output') };
  const optional: [string, keyof Usage][] = [
    ['cache-read', 'cacheReadTokens'],
    ['cache-write', 'cacheWriteTokens'],
    ['cache-write-1h', 'cacheWrite1hTokens'],
    ['reasoning', 'reasoningTokens'],
    ['input-audio', 'inputAudioTokens'],
    ['output-audio', 'outputAudioTokens'],
  ];
  for (const [flag, field] of optional) {
    const n = countOf(args, flag);
    if (n !== undefined) (usage as Record<string, number>)[field] = n;
  }
  const searches = countOf(args, 'web-search');
  if (searches !== undefined) usage.requests = { web_search: searches };
  const serviceTier = args.values.get('tier') ?? 'standard';
  const responseModel = args.values.get('response-model');
  const cost = book.price(usage, { model, provider, at, serviceTier, ...(responseModel ? { responseModel } : {}) });
  const json = args.switches.has('json');
  const day = at.toISOString().slice(0, 10);

  if (!cost.priced) {
    if (json) {
      io.out(
        JSON.stringify(
          {
            unpriced: true,
            reason: cost.reason,
            detail: cost.detail,
            model,
            provider: cost.provider ?? provider ?? null,
            matchedModel: cost.matchedModel ?? null,
            serviceTier,
            at: day,
            priceBookVersion: cost.priceBookVersion,
          },
          null,
          2,
        ),
      );
    } else {
      io.out(`${model}: unpriced (${cost.reason}): ${cost.detail}\nprice book ${cost.priceBookVersion}`);
    }
    return 1;
  }

  if (json) {
    io.out(
      JSON.stringify(
        {
          unpriced: false,
          amount: roundUsd(cost.amount),
          currency: cost.currency,
          model,
          provider: cost.provider,
          matchedModel: cost.matchedModel,
          serviceTier: cost.serviceTier,
          at: day,
          breakdown: Object.fromEntries(Object.entries(cost.breakdown).map(([unit, usd]) => [unit, roundUsd(usd as number)])),
          tokens: cost.tokens,
          ...(cost.unpricedRequests ? { unpricedRequests: cost.unpricedRequests } : {}),
          priceBookVersion: cost.priceBookVersion,
        },
        null,
        2,
      ),
    );
    return 0;
  }

  const entries = Object.entries(cost.breakdown) as [BillingUnit, number][];
  const usdCells = formatUsdColumn([...entries.map(([, usd]) => usd), cost.amount]);
  const rows: string[][] = [['unit', 'tokens', 'USD per 1M', 'USD']];
  let tokenTotal = 0;
  entries.forEach(([unit, usd], i) => {
    const n = cost.tokens[unit] ?? 0;
    if (unit === 'request') {
      rows.push(['request', formatCount(n), `${formatRate(usd / n)} each`, usdCells[i]]);
    } else {
      tokenTotal += n;
      rows.push([unit, formatCount(n), formatRate((usd / n) * 1e6), usdCells[i]]);
    }
  });
  rows.push(['total', formatCount(tokenTotal), '', usdCells[entries.length]]);
  const lines = [`${model} -> ${cost.provider}/${cost.matchedModel} (${cost.serviceTier} tier, ${day})`, renderTable(rows)];
  if (cost.unpricedRequests) lines.push(`not charged (no fee in the price book): ${cost.unpricedRequests.join(', ')}`);
  lines.push(`price book ${cost.priceBookVersion}`);
  io.out(lines.join('\n'));
  return 0;
}
