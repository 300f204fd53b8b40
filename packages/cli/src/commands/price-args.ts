/**
 * Plain argument parsing for the `price` and `prices` commands: `--flag value`, `--flag=value`,
 * boolean switches and positionals, with usage errors as messages rather than exceptions.
 */

/** How a flag takes its value. */
export type FlagKind = 'count' | 'string' | 'switch';

export interface ParsedArgs {
  positionals: string[];
  values: Map<string, string>;
  switches: Set<string>;
}

/** A usage error: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parses `argv` against the flags a command accepts; throws `UsageError` on unknown or incomplete flags. */
export function parseArgs(argv: string[], flags: Record<string, FlagKind>): ParsedArgs {
  const parsed: ParsedArgs = { positionals: [], values: new Map(), switches: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      parsed.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-' && !/^-\d/.test(arg)) throw new UsageError(`unknown option ${arg}`);
      parsed.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const kind = flags[name];
    if (kind === undefined) throw new UsageError(`unknown option --${name}`);
    if (kind === 'switch') {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      parsed.switches.add(name);
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || (value.startsWith('--') && value.length > 2)) throw new UsageError(`--${name} needs a value`);
      i++;
    }
    if (parsed.values.has(name)) throw new UsageError(`--${name} given twice`);
    if (kind === 'count' && !/^\d+$/.test(value.replace(/_/g, ''))) {
      throw new UsageError(`--${name} must be a whole number of tokens (0 or more), got "${value}"`);
    }
    parsed.values.set(name, value);
  }
  return parsed;
}

/** A count flag's value, or `undefined` when absent. */
export function countOf(args: ParsedArgs, name: string): number | undefined {
  const v = args.values.get(name);
  return v === undefined ? undefined : Number(v.replace(/_/g, ''));
}

/** Parses `--at`: `YYYY-MM-DD` (UTC midnight) or an ISO 8601 timestamp. */
export function parseAt(value: string): Date {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? new Date(`${value}T00:00:00Z`)
    : /^\d{4}-\d{2}-\d{2}T/.test(value)
      ? new Date(value)
      : undefined;
  if (!date || Number.isNaN(date.getTime()) || (value.length === 10 && date.toISOString().slice(0, 10) !== value)) {
    throw new UsageError(`--at must be a date YYYY-MM-DD or an ISO 8601 timestamp, got "${value}"`);
  }
  return date;
}
