import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Document, Node } from 'yaml';
import { PriceFileError } from './price-file-error';

/** A path into a document: object keys and array indexes. */
export type FieldPath = (string | number)[];

/** Renders a path as `models[0].prices.input`. */
export function fieldName(path: FieldPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

/** A parsed price or override document that can tell the line of any field. */
export interface SourceDoc {
  /** File name as given, or a label for inline objects. */
  readonly file: string;
  /** The parsed value. */
  readonly value: unknown;
  /** Raw text, for versioning; absent for inline objects. */
  readonly text: string | undefined;
  /** 1-based line of a field (of its nearest existing parent when it is missing). */
  lineOf(path: FieldPath): number | undefined;
}

/** Builds the error for a field of a document. */
export function fieldError(
  doc: SourceDoc,
  path: FieldPath,
  value: unknown,
  accepted: string,
  problem?: string,
  level: 'error' | 'warning' = 'error',
): PriceFileError {
  return new PriceFileError(doc.file, doc.lineOf(path), fieldName(path), value, accepted, problem, level);
}

/** Wraps an in-memory object (inline overrides); no line numbers. */
export function inlineDoc(value: unknown, label = '(inline overrides)'): SourceDoc {
  return { file: label, value, text: undefined, lineOf: () => undefined };
}

/** Largest price or override file read, in bytes (checked before reading). */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** Largest file parsed as YAML, in bytes: the YAML parser is much slower than `JSON.parse`. */
export const MAX_YAML_BYTES = 1024 * 1024;
/** Most YAML alias expansions in one document (guards against alias bombs). */
export const MAX_YAML_ALIASES = 100;

const ACCEPT_FILE = `a YAML (at most ${MAX_YAML_BYTES / 1024 / 1024} MiB) or JSON (at most ${MAX_FILE_BYTES / 1024 / 1024} MiB) price or override file`;

function fileProblem(file: string, line: number | undefined, problem: string, accepted = ACCEPT_FILE): PriceFileError {
  return new PriceFileError(file, line, '', undefined, accepted, problem);
}

/** Reads at most `MAX_FILE_BYTES`, with the size checked on the open file before reading. */
function readBounded(file: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw fileProblem(file, undefined, 'is not a regular file');
    if (stat.size > MAX_FILE_BYTES) throw fileProblem(file, undefined, `is too large (${stat.size} bytes)`);
    // Read one byte more than allowed, so a file that grew after the check is still caught.
    const buf = Buffer.allocUnsafe(Math.min(stat.size, MAX_FILE_BYTES) + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n === buf.length) break;
    }
    if (n > MAX_FILE_BYTES) throw fileProblem(file, undefined, `is too large (more than ${MAX_FILE_BYTES} bytes)`);
    return buf.toString('utf8', 0, n);
  } catch (err) {
    if (err instanceof PriceFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw fileProblem(file, undefined, `cannot be read (${code})`, 'a readable YAML or JSON file');
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Reads and parses a YAML or JSON file. JSON takes a fast path (`JSON.parse`); line numbers are
 * then computed from a YAML parse only when asked for. Throws `PriceFileError` (one line) when the
 * file cannot be read, is larger than `MAX_FILE_BYTES` (`MAX_YAML_BYTES` for YAML), is empty, is
 * not valid YAML or JSON, or expands more than `MAX_YAML_ALIASES` aliases.
 */
export function readSourceDoc(file: string): SourceDoc {
  let text = readBounded(file);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw fileProblem(file, undefined, 'is empty');
  const looksJson = /\.json$/i.test(file) || /^\s*[[{]/.test(text);
  if (looksJson) {
    let value: unknown;
    let parsed = false;
    try {
      value = JSON.parse(text);
      parsed = true;
    } catch {
      // Fall through: the YAML parser reports the position of the syntax error.
    }
    if (parsed) {
      if (value === null) throw fileProblem(file, 1, 'is empty (null)');
      let lines: YamlLines | undefined;
      return {
        file,
        value,
        text,
        lineOf: (path) => {
          try {
            return (lines ??= yamlLines(text)).lineOf(path);
          } catch {
            return undefined;
          }
        },
      };
    }
  }
  if (Buffer.byteLength(text) > MAX_YAML_BYTES) {
    throw fileProblem(file, undefined, `is too large for YAML (${Buffer.byteLength(text)} bytes)`);
  }
  let lines: YamlLines;
  try {
    lines = yamlLines(text);
  } catch (err) {
    // The parser's own limits (nesting depth, ...) surface as exceptions: still one line.
    throw fileProblem(file, undefined, `is not valid YAML or JSON (${oneLine(err)})`, 'valid YAML or JSON');
  }
  if (lines.error) {
    throw new PriceFileError(file, lines.error.line, '', undefined, 'valid YAML or JSON', lines.error.message);
  }
  let value: unknown;
  try {
    value = lines.doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) as unknown;
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      throw fileProblem(
        file,
        lines.firstAliasLine(),
        'expands too many YAML aliases',
        `a YAML document whose aliases (*name) expand to at most ${MAX_YAML_ALIASES} nodes`,
      );
    }
    throw fileProblem(file, undefined, `is not valid YAML or JSON (${oneLine(err)})`, 'valid YAML or JSON');
  }
  if (value === null || value === undefined) throw fileProblem(file, undefined, 'is empty (no YAML or JSON value)');
  return { file, value, text, lineOf: (path) => lines.lineOf(path) };
}

function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split(/\r?\n/)[0];
  return first.length > 120 ? `${first.slice(0, 117)}...` : first;
}

interface YamlLines {
  doc: Document;
  error: { line: number | undefined; message: string } | undefined;
  lineOf(path: FieldPath): number | undefined;
  /** Line of the first alias (`*name`) in the document. */
  firstAliasLine(): number | undefined;
}

/** The YAML parser, loaded on first use (JSON files with no problems never need it). */
function yaml(): typeof import('yaml') {
  return require('yaml') as typeof import('yaml');
}

function yamlLines(text: string): YamlLines {
  const { LineCounter, isMap, isScalar, isSeq, parseDocument, visit } = yaml();
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: true, logLevel: 'silent' });
  const first = doc.errors[0];
  const error = first
    ? {
        line: first.linePos?.[0]?.line,
        message: `is not valid YAML or JSON (${first.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')})`,
      }
    : undefined;
  const lineAt = (offset: number | undefined) => (offset === undefined ? undefined : counter.linePos(offset).line);
  return {
    doc,
    error,
    firstAliasLine() {
      let line: number | undefined;
      visit(doc, {
        Alias(_key, node) {
          line = lineAt(node.range?.[0]);
          return visit.BREAK;
        },
      });
      return line;
    },
    lineOf(path) {
      let node: unknown = doc.contents;
      let line = lineAt((node as Node | null)?.range?.[0]);
      for (const seg of path) {
        if (isMap(node)) {
          const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
          if (!pair) break;
          line = lineAt((pair.key as Node | null)?.range?.[0]) ?? line;
          node = pair.value;
        } else if (isSeq(node) && typeof seg === 'number') {
          const item = node.items[seg] as Node | undefined;
          if (!item) break;
          line = lineAt(item.range?.[0]) ?? line;
          node = item;
        } else {
          break;
        }
      }
      return line;
    },
  };
}
