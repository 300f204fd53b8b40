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
export const MAX_YAML_BYTES = 512 * 1024;
/** Deepest nesting of lists and objects accepted (guards the parsers and readers against stack exhaustion). */
export const MAX_DEPTH = 64;
/** Most uses of one YAML anchor through aliases, aliases nested in it counted (guards against alias bombs). */
export const MAX_YAML_ALIASES = 100;

const ACCEPT_FILE = `a YAML (at most ${MAX_YAML_BYTES / 1024} KiB) or JSON (at most ${MAX_FILE_BYTES / 1024 / 1024} MiB) price or override file`;

function fileProblem(file: string, line: number | undefined, problem: string, accepted = ACCEPT_FILE): PriceFileError {
  return new PriceFileError(file, line, '', undefined, accepted, problem);
}

/** Reads at most `limit` bytes (`MAX_FILE_BYTES`), with the size checked on the open file before reading. */
export function readBounded(file: string, limit = MAX_FILE_BYTES, readable = 'a readable YAML or JSON file'): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw fileProblem(file, undefined, 'is not a regular file');
    if (stat.size > limit) throw fileProblem(file, undefined, `is too large (${stat.size} bytes)`);
    // Read one byte more than allowed, so a file that grew after the check is still caught.
    const buf = Buffer.allocUnsafe(Math.min(stat.size, limit) + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n === buf.length) break;
    }
    if (n > limit) throw fileProblem(file, undefined, `is too large (more than ${limit} bytes)`);
    return buf.toString('utf8', 0, n);
  } catch (err) {
    if (err instanceof PriceFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw fileProblem(file, undefined, `cannot be read (${code})`, readable);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Reads and parses a YAML or JSON file. JSON takes a fast path (`JSON.parse`, and a scan of the
 * text for the line of a field when one is asked for). Throws `PriceFileError` (one line) when the
 * file cannot be read, is larger than `limit` (`MAX_YAML_BYTES` for YAML), is empty, is
 * not valid YAML or JSON, or expands more than `MAX_YAML_ALIASES` aliases.
 */
export function readSourceDoc(file: string): SourceDoc {
  let text = readBounded(file);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw fileProblem(file, undefined, 'is empty');
  const deep = tooDeepAt(text);
  if (deep !== undefined) {
    throw fileProblem(
      file,
      deep,
      `nests lists and objects more than ${MAX_DEPTH} levels deep`,
      `a document nested at most ${MAX_DEPTH} levels deep`,
    );
  }
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
      return { file, value, text, lineOf: (path) => jsonLineOf(text, path) };
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
        `a YAML document using each anchor (&name) through aliases (*name) at most ${MAX_YAML_ALIASES} times, aliases nested in it counted`,
      );
    }
    throw fileProblem(file, undefined, `is not valid YAML or JSON (${oneLine(err)})`, 'valid YAML or JSON');
  }
  if (value === null || value === undefined) throw fileProblem(file, undefined, 'is empty (no YAML or JSON value)');
  return { file, value, text, lineOf: (path) => lines.lineOf(path) };
}

/**
 * The line where brackets (`[`, `{`) first nest deeper than `MAX_DEPTH`, or `undefined`. Quoted
 * strings and YAML comments are skipped; a stray bracket in a plain YAML scalar counts, which only
 * matters for documents already close to the limit.
 */
function tooDeepAt(text: string): number | undefined {
  // Character codes, not one-character strings: the bundled data (340 KB) is scanned at start-up.
  const NL = 10;
  const DQ = 34;
  const SQ = 39;
  const HASH = 35;
  const BS = 92;
  let depth = 0;
  let line = 1;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === NL) line++;
    else if (c === DQ) {
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === DQ) break;
        if (d === BS) i++;
        else if (d === NL) line++;
      }
    } else if (c === SQ && (i === 0 || /[\s[{,:]/.test(text[i - 1]))) {
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === NL) line++;
        else if (d === SQ) {
          if (text.charCodeAt(i + 1) !== SQ) break;
          i++;
        }
      }
    } else if (c === HASH && (i === 0 || /\s/.test(text[i - 1]))) {
      while (i + 1 < n && text.charCodeAt(i + 1) !== NL) i++;
    } else if (c === 91 || c === 123) {
      // [ or {
      if (++depth > MAX_DEPTH) return line;
    } else if ((c === 93 || c === 125) && depth > 0) depth--; // ] or }
  }
  return undefined;
}

/**
 * Line of a field in valid JSON text (of its nearest existing parent when it is missing), found by
 * scanning the text once up to the field: linear, so a large file with a problem stays quick.
 */
export function jsonLineOf(text: string, path: FieldPath): number | undefined {
  let pos = skipSpace(text, 0);
  let found = pos;
  for (const seg of path) {
    const open = text[pos];
    let next = -1;
    if (open === '{' && typeof seg === 'string') {
      pos = skipSpace(text, pos + 1);
      while (pos < text.length && text[pos] === '"') {
        const keyEnd = skipString(text, pos);
        const key = JSON.parse(text.slice(pos, keyEnd)) as string;
        const valueAt = skipSpace(text, skipSpace(text, keyEnd) + 1);
        if (key === seg) {
          found = pos;
          next = valueAt;
          break;
        }
        pos = skipSpace(text, skipValue(text, valueAt));
        if (text[pos] === ',') pos = skipSpace(text, pos + 1);
      }
    } else if (open === '[' && typeof seg === 'number') {
      pos = skipSpace(text, pos + 1);
      for (let i = 0; pos < text.length && text[pos] !== ']'; i++) {
        if (i === seg) {
          found = pos;
          next = pos;
          break;
        }
        pos = skipSpace(text, skipValue(text, pos));
        if (text[pos] === ',') pos = skipSpace(text, pos + 1);
      }
    }
    if (next < 0) break;
    pos = next;
  }
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < found; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  return i;
}

/** `text[i]` is an opening quote; returns the index after the closing one (`text.length` if none). */
export function skipString(text: string, i: number): number {
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 34) return i + 1;
  }
  return i;
}

function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    while (i < text.length) {
      const ch = text[i];
      if (ch === '"') {
        i = skipString(text, i);
        continue;
      }
      if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return i;
  }
  while (i < text.length && !',}] \t\r\n'.includes(text[i])) i++;
  return i;
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
