/**
 * `tokenomics collector ottl [--models a,b] [--prices FILE] [--output FILE]`: writes the `transform`
 * processor configuration that prices GenAI spans inside a stock Collector.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { PriceBook } from '@tokenomics/pricing/price-book';
import { parse } from 'yaml';
import { generateOttl } from './generate';
import { buildPriceTable } from './price-table';

/** Where the command writes its messages. */
interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** The `tokenomics collector ottl --help` text. */
export const OTTL_USAGE = `Usage: tokenomics collector ottl [--models a,b] [--prices FILE] [--pipeline NAME] [--output FILE]

Writes a transform processor configuration (OpenTelemetry Collector, contrib distribution) that
prices GenAI spans with OTTL from the price book, with the same cost attributes as the hook. Calls
it cannot price exactly are left without a cost and marked tokenomics.unpriced_reason for the
collector stage or the exporter. Current prices only.

Options:
  --models a,b      only these price-book models (ids or model strings); default all
  --prices FILE     a price file (newer data, or overrides with negotiated rates) over the bundled book
  --name NAME       processor name (default transform/tokenomics)
  --pipeline NAME   also set service.pipelines.NAME.processors to memory_limiter, the processor,
                    batch (as in the shipped gateway.yaml), for a file merged over a gateway config
  --output FILE     write to FILE instead of standard output`;

/** Alias names an override file defines (the statements leave calls naming them to the stage). */
function aliasNames(file: string): string[] {
  try {
    const doc = parse(readFileSync(file, 'utf8')) as unknown;
    if (doc === null || typeof doc !== 'object' || !Object.hasOwn(doc, 'aliases')) return [];
    const list = (doc as { aliases?: unknown }).aliases;
    if (!Array.isArray(list)) return [];
    return list
      .map((a: unknown) =>
        a !== null && typeof a === 'object' && Object.hasOwn(a, 'alias') ? (a as { alias?: unknown }).alias : undefined,
      )
      .filter((a): a is string => typeof a === 'string' && a.trim() !== '')
      .map((a) => a.trim());
  } catch {
    return [];
  }
}

/** Runs `tokenomics collector ottl`; resolves with the exit code. */
export function runOttlCommand(args: readonly string[], output: Output): number {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') {
      output.out(OTTL_USAGE);
      return 0;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (!['--models', '--prices', '--name', '--pipeline', '--output'].includes(name)) {
      output.err(`tokenomics collector ottl: unknown option ${name}\n${OTTL_USAGE}`);
      return 2;
    }
    if (value === undefined) {
      output.err(`tokenomics collector ottl: ${name} needs a value`);
      return 2;
    }
    if (flags.has(name)) {
      output.err(`tokenomics collector ottl: ${name} given more than once`);
      return 2;
    }
    flags.set(name, value);
  }
  const pricesFile = flags.get('--prices');
  let book: PriceBook;
  try {
    book = pricesFile === undefined ? PriceBook.bundled() : PriceBook.load({ pricesFile });
  } catch (err) {
    output.err(`tokenomics collector ottl: ${(err as Error).message}`);
    return 1;
  }
  const models = flags
    .get('--models')
    ?.split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  const table = buildPriceTable(book, { models });
  if (models !== undefined) {
    const found = new Set(table.entries.flatMap((e) => [e.model.toLowerCase(), ...e.literals.map((l) => l.toLowerCase())]));
    const missing = models.filter((m) => !found.has(m.toLowerCase()));
    if (missing.length > 0) {
      output.err(`tokenomics collector ottl: not in the price book: ${missing.join(', ')} (see \`tokenomics prices list\`)`);
      return 1;
    }
  }
  const command = [
    'tokenomics collector ottl',
    ...args.filter((a, i) => a !== '--output' && args[i - 1] !== '--output' && !a.startsWith('--output=')),
  ];
  const yaml = generateOttl(table, {
    processorName: flags.get('--name'),
    pipeline: flags.get('--pipeline'),
    aliases: pricesFile === undefined ? [] : aliasNames(pricesFile),
    command: command.join(' '),
  });
  const file = flags.get('--output');
  if (file === undefined) output.out(yaml.trimEnd());
  else {
    try {
      writeFileSync(file, yaml);
    } catch (err) {
      output.err(`tokenomics collector ottl: cannot write ${file}: ${(err as Error).message}`);
      return 1;
    }
    output.err(`tokenomics collector ottl: wrote ${file} (${table.entries.length} provider/model entries, price book ${table.version})`);
  }
  return 0;
}
