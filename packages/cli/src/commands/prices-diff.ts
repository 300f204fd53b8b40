/** `tokenomics prices diff TABLE`: the price book against another published price table. */
import { diffPriceBook, STANDARD_WORKLOADS, type PriceDisagreement } from '@tokenomics/pricing/price-diff';
import { PriceFileError } from '@tokenomics/pricing/price-file-error';
import { readReferenceTable } from '@tokenomics/pricing/reference-table';
import { parseAt, parseArgs, UsageError, type FlagKind } from './price-args';
import { PRICE_BOOK_FLAGS, PRICE_BOOK_HELP, priceBookFor } from './price-book-flags';
import { formatUsdColumn, renderTable, roundUsd } from './price-format';
import type { Output } from './price-output';

const WORKLOAD_HELP = STANDARD_WORKLOADS.map((w) => `    ${w.name.padEnd(12)}${w.description}`).join('\n');

export const PRICES_DIFF_USAGE = `Usage: tokenomics prices diff TABLE [--threshold PCT] [--provider P] [--at DATE] [--missing] [--json]

  Prices the standard workloads with the price book and with TABLE, another published price
  table, model by model, and lists every disagreement: provider, model, workload, our cost,
  theirs, and the difference relative to theirs. TABLE is either the JSON of LiteLLM's
  model_prices_and_context_window.json (USD per token) or a CSV with the header
  provider,model,input_per_mtok,output_per_mtok,cached_input_per_mtok (USD per million tokens).

  Workloads (each where both sides price it):
${WORKLOAD_HELP}

  --threshold PCT       fail when a difference exceeds PCT percent (default 1; "5" or "5%")
  --provider P          only this provider (gen_ai.provider.name, e.g. deepseek, x_ai)
  --at DATE             price at this date (YYYY-MM-DD or ISO 8601; default now)
  --missing             also list the table's models the price book does not price
  --json                machine-readable output
${PRICE_BOOK_HELP}

Exit status: 0 no difference above the threshold, 1 a difference above it (or a model the book
cannot price for a workload), 2 usage error or an unreadable table or price file.`;

const DIFF_FLAGS: Record<string, FlagKind> = {
  threshold: 'string',
  provider: 'string',
  at: 'string',
  missing: 'switch',
  json: 'switch',
  help: 'switch',
  ...PRICE_BOOK_FLAGS,
};

/** `--threshold`: a percentage, `5` or `5%`, as a fraction. */
function parseThreshold(value: string | undefined): number {
  if (value === undefined) return 0.01;
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(value.trim());
  if (!m) throw new UsageError(`--threshold must be a percentage such as 5 or 0.5%, got "${value}"`);
  return Number(m[1]) / 100;
}

/** `+12.5%`, `-69.3%`; more decimals for small differences so none reads as 0.0%. */
export function formatRelative(relative: number): string {
  if (relative === Infinity) return '+inf';
  if (Number.isNaN(relative)) return 'n/a';
  const pct = relative * 100;
  const digits = Math.abs(pct) >= 0.1 ? 1 : 3;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(digits)}%`;
}

function exceeds(d: PriceDisagreement, threshold: number): boolean {
  return d.ours === undefined || !(Math.abs(d.relative) <= threshold);
}

/** Runs `tokenomics prices diff ...`; returns the exit code. */
export function runPricesDiff(argv: string[], io: Output, env: NodeJS.ProcessEnv): number {
  const args = parseArgs(argv, DIFF_FLAGS);
  if (args.switches.has('help')) {
    io.out(PRICES_DIFF_USAGE);
    return 0;
  }
  if (args.positionals.length === 0) throw new UsageError('missing TABLE');
  if (args.positionals.length > 1) throw new UsageError(`expected one TABLE, got ${args.positionals.length}`);
  const threshold = parseThreshold(args.values.get('threshold'));
  const atValue = args.values.get('at');
  const at = atValue === undefined ? undefined : parseAt(atValue);
  let book;
  let table;
  try {
    book = priceBookFor(args, env);
    table = readReferenceTable(args.positionals[0]);
  } catch (err) {
    if (err instanceof PriceFileError) {
      io.err(`tokenomics prices diff: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const provider = args.values.get('provider');
  if (provider !== undefined && !book.hasProvider(provider)) throw new UsageError(`unknown provider "${provider}"`);
  const diff = diffPriceBook(book, table, { at, provider });
  const above = diff.disagreements.filter((d) => exceeds(d, threshold));
  const code = above.length > 0 ? 1 : 0;
  if (args.switches.has('json')) {
    io.out(
      JSON.stringify(
        {
          priceBookVersion: book.version,
          table: { file: table.file, format: table.format, models: table.entries.length, skipped: table.skipped },
          threshold,
          compared: diff.compared,
          comparisons: diff.comparisons,
          disagreements: diff.disagreements.map((d) => ({
            ...d,
            ours: d.ours === undefined ? null : roundUsd(d.ours),
            theirs: roundUsd(d.theirs),
            relative: Number.isFinite(d.relative) ? Math.round(d.relative * 1e6) / 1e6 : null,
            exceedsThreshold: exceeds(d, threshold),
          })),
          missing: diff.missing,
        },
        null,
        2,
      ),
    );
    return code;
  }
  if (diff.disagreements.length > 0) {
    // Both amount columns share one number of decimals so they line up.
    const amounts = formatUsdColumn(diff.disagreements.flatMap((d) => [roundUsd(d.ours ?? 0), roundUsd(d.theirs)]));
    const rows = [['provider', 'model', 'workload', 'ours', 'theirs', 'difference']];
    diff.disagreements.forEach((d, i) => {
      rows.push([
        d.provider,
        d.model === d.matchedModel ? d.model : `${d.model} (as ${d.matchedModel})`,
        d.workload,
        d.ours === undefined ? `unpriced (${d.reason ?? 'unknown'})` : amounts[2 * i],
        amounts[2 * i + 1],
        `${formatRelative(d.relative)}${exceeds(d, threshold) ? '' : ' (within threshold)'}`,
      ]);
    });
    io.out(renderDiffTable(rows));
  }
  if (args.switches.has('missing') && diff.missing.length > 0) {
    io.out(`not in the price book:\n${diff.missing.map((m) => `  ${m.provider} ${m.model}`).join('\n')}`);
  }
  const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  io.out(
    `${table.file} (${table.format}): compared ${plural(diff.compared, 'model')} (${plural(diff.comparisons, 'workload price')}); ` +
      `${plural(diff.disagreements.length, 'disagreement')}, ${above.length} above ${formatThreshold(threshold)}; ` +
      `${plural(diff.missing.length, 'model')} not in the price book; price book ${book.version}`,
  );
  return code;
}

function formatThreshold(threshold: number): string {
  return `${Number((threshold * 100).toPrecision(6))}%`;
}

/** Text columns (provider, model, workload) left-aligned, amounts right-aligned. */
function renderDiffTable(rows: string[][]): string {
  const text = 3;
  const widths = Array.from({ length: text }, (_, i) => Math.max(...rows.map((r) => r[i].length)));
  return renderTable(
    rows.map((r) => [
      r
        .slice(0, text)
        .map((c, i) => c.padEnd(widths[i]))
        .join('  '),
      ...r.slice(text),
    ]),
  );
}
