/** `tokenomics prices list|check|diff`: browse the price book, validate a price or override file, compare with another table. */
import { PriceFileError } from '@tokenomics/pricing/price-file-error';
import type { ModelInfo, RateCard } from '@tokenomics/pricing/types';
import { validatePriceFile } from '@tokenomics/pricing/validate-file';
import { parseArgs, UsageError, type FlagKind } from './price-args';
import { PRICE_BOOK_FLAGS, PRICE_BOOK_HELP, priceBookFor } from './price-book-flags';
import { formatRate, renderTable } from './price-format';
import { processOutput, type Output } from './price-output';
import { PRICES_DIFF_USAGE, runPricesDiff } from './prices-diff';

export const PRICES_USAGE = `Usage: tokenomics prices list [--provider P] [--json]
       tokenomics prices check FILE [--json]
       tokenomics prices diff TABLE [--threshold PCT] [--json]

  list    models in the price book with their current standard rates (USD per 1M tokens)
  check   validate a price data file or a YAML/JSON override file; every problem is printed
          in line order with file, line, field, value and what is accepted: errors, and
          "warning:" lines for entries that load but may not do what was meant
  diff    compare the price book with another published price table on standard workloads
          (see "tokenomics prices diff --help")

  --provider P          only this provider (gen_ai.provider.name, e.g. openai, aws.bedrock)
  --json                machine-readable output
${PRICE_BOOK_HELP}

Exit status: 0 ok (warnings alone do not fail a check), 1 failed check or bad price file, 2 usage error.`;

const LIST_FLAGS: Record<string, FlagKind> = { provider: 'string', json: 'switch', help: 'switch', ...PRICE_BOOK_FLAGS };
const CHECK_FLAGS: Record<string, FlagKind> = { json: 'switch', help: 'switch' };

function usageError(io: Output, message: string): number {
  io.err(`tokenomics prices: ${message}\n\n${PRICES_USAGE}`);
  return 2;
}

/** Runs `tokenomics prices ...`; returns the exit code. */
export function runPrices(argv: string[], io: Output = processOutput, env: NodeJS.ProcessEnv = process.env): number {
  const [sub, ...rest] = argv;
  if (sub === undefined) return usageError(io, 'missing subcommand (list, check or diff)');
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(PRICES_USAGE);
    return 0;
  }
  try {
    if (sub === 'list') return runList(rest, io, env);
    if (sub === 'check') return runCheck(rest, io);
    if (sub === 'diff') return runPricesDiff(rest, io, env);
  } catch (err) {
    if (err instanceof UsageError) {
      if (sub === 'diff') {
        io.err(`tokenomics prices diff: ${err.message}\n\n${PRICES_DIFF_USAGE}`);
        return 2;
      }
      return usageError(io, err.message);
    }
    throw err;
  }
  return usageError(io, `unknown subcommand "${sub}" (accepted: list, check, diff)`);
}

function rateCell(card: RateCard, key: keyof RateCard): string {
  const v = card[key];
  return typeof v === 'number' ? formatRate(v) : '-';
}

function runList(argv: string[], io: Output, env: NodeJS.ProcessEnv): number {
  const args = parseArgs(argv, LIST_FLAGS);
  if (args.switches.has('help')) {
    io.out(PRICES_USAGE);
    return 0;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  let book;
  try {
    book = priceBookFor(args, env);
  } catch (err) {
    if (err instanceof PriceFileError) {
      io.err(`tokenomics prices: ${err.message}`);
      return 1;
    }
    throw err;
  }
  const provider = args.values.get('provider');
  if (provider !== undefined && !book.hasProvider(provider)) throw new UsageError(`unknown provider "${provider}"`);
  const models: ModelInfo[] = book.list(provider);
  if (args.switches.has('json')) {
    io.out(JSON.stringify({ priceBookVersion: book.version, models }, null, 2));
    return 0;
  }
  const rows: string[][] = [['provider', 'model', 'input', 'output', 'cache read', 'cache write', 'cache 1h', 'long context', 'tiers']];
  for (const m of models) {
    rows.push([
      m.provider,
      m.model,
      rateCell(m.rates, 'input'),
      rateCell(m.rates, 'output'),
      rateCell(m.rates, 'cacheRead'),
      rateCell(m.rates, 'cacheWrite'),
      rateCell(m.rates, 'cacheWrite1h'),
      m.longContext ? m.longContext.map((t) => `>${t.above}`).join(' ') : '-',
      m.serviceTiers.filter((t) => t !== 'standard').join(',') || '-',
    ]);
  }
  // Provider and model columns are text: left-align both.
  const widths = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length))];
  const table = renderTable(rows.map((r) => [`${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}`, ...r.slice(2)]));
  io.out(`${table}\n${models.length} models, USD per 1M tokens; price book ${book.version}`);
  return 0;
}

function runCheck(argv: string[], io: Output): number {
  const args = parseArgs(argv, CHECK_FLAGS);
  if (args.switches.has('help')) {
    io.out(PRICES_USAGE);
    return 0;
  }
  if (args.positionals.length === 0) throw new UsageError('missing FILE');
  if (args.positionals.length > 1) throw new UsageError(`expected one FILE, got ${args.positionals.length}`);
  const file = args.positionals[0];
  const result = validatePriceFile(file);
  const errors = result.ok ? [] : result.errors;
  const { warnings } = result;
  if (args.switches.has('json')) {
    const entry = (e: PriceFileError) => ({
      line: e.line ?? null,
      field: e.field,
      value: e.value ?? null,
      accepted: e.accepted,
      message: e.message,
    });
    io.out(
      JSON.stringify(
        result.ok
          ? { ok: true, file, kind: result.kind, summary: result.summary, warnings: warnings.map(entry) }
          : { ok: false, file, errors: errors.map(entry), warnings: warnings.map(entry) },
        null,
        2,
      ),
    );
    return result.ok ? 0 : 1;
  }
  // Errors and warnings together, in line order; warnings are marked as such.
  const all = [...errors, ...warnings].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  if (all.length > 0) io.out(all.map((e) => (e.level === 'warning' ? `warning: ${e.message}` : e.message)).join('\n'));
  const warned = warnings.length === 0 ? '' : `${warnings.length} warning${warnings.length === 1 ? '' : 's'}`;
  if (result.ok) {
    io.out(`${file}: ok (${result.summary})${warned ? `; ${warned}` : ''}`);
    return 0;
  }
  io.out(`${file}: ${errors.length} problem${errors.length === 1 ? '' : 's'}${warned ? `, ${warned}` : ''}`);
  return 1;
}
