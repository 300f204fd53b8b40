/**
 * A problem in a price data file or an override file (or an inline overrides object). The message
 * names the file, line, field and offending value, and says what is accepted:
 *
 * ```text
 * overrides.yaml:12: models[0].prices.input: -3 is not accepted; accepted: a non-negative number (USD per million tokens)
 * ```
 *
 * The message is always one line: line breaks and other control characters in field names and
 * values are escaped. `level` tells an error (the file is rejected) from a warning (the file loads;
 * `tokenomics prices check` shows it, `@tokenomics/node` logs it through `diag`).
 */
export class PriceFileError extends Error {
  /** Path of the file as given, or `(inline overrides)` for an object. */
  readonly file: string;
  /** 1-based line of the offending field; `undefined` when there is no file text. */
  readonly line: number | undefined;
  /** Dotted path of the field, e.g. `models[0].prices.input`; empty for the whole document. */
  readonly field: string;
  /** The offending value (`undefined` when the field is missing). */
  readonly value: unknown;
  /** What the field accepts. */
  readonly accepted: string;
  /** `error`: the file is rejected; `warning`: the file loads, but the entry may not do what was meant. */
  readonly level: 'error' | 'warning';

  constructor(
    file: string,
    line: number | undefined,
    field: string,
    value: unknown,
    accepted: string,
    problem?: string,
    level: 'error' | 'warning' = 'error',
  ) {
    const where = line === undefined ? file : `${file}:${line}`;
    // A problem worded as a verb phrase ("is not a known provider") is said of the value.
    const what =
      problem === undefined
        ? value === undefined
          ? 'is missing'
          : `${describeValue(value)} is not accepted`
        : value !== undefined && /^(is|matches|does|has|adds|changes|sets) /.test(problem)
          ? `${describeValue(value)} ${problem}`
          : problem;
    super(singleLine(`${where}: ${field || '(document)'}: ${what}; accepted: ${accepted}`));
    this.level = level;
    this.name = 'PriceFileError';
    this.file = file;
    this.line = line;
    this.field = field;
    this.value = value;
    this.accepted = accepted;
  }
}

/** Escapes line breaks and other control characters so a message stays on one line. */
function singleLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Short, single-line rendering of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number') return String(value); // JSON would print Infinity and NaN as null
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    try {
      text = String(value);
    } catch {
      text = Array.isArray(value) ? '[...]' : '{...}'; // nested too deeply to print
    }
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
