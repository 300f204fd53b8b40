import { readFileSync } from 'node:fs';
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
export function fieldError(doc: SourceDoc, path: FieldPath, value: unknown, accepted: string, problem?: string): PriceFileError {
  return new PriceFileError(doc.file, doc.lineOf(path), fieldName(path), value, accepted, problem);
}

/** Wraps an in-memory object (inline overrides); no line numbers. */
export function inlineDoc(value: unknown, label = '(inline overrides)'): SourceDoc {
  return { file: label, value, text: undefined, lineOf: () => undefined };
}

/**
 * Reads and parses a YAML or JSON file. JSON takes a fast path (`JSON.parse`); line numbers are
 * then computed from a YAML parse only when asked for. Throws `PriceFileError` when the file cannot
 * be read or parsed.
 */
export function readSourceDoc(file: string): SourceDoc {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new PriceFileError(file, undefined, '', undefined, 'a readable YAML or JSON file', `cannot be read (${code})`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const looksJson = /\.json$/i.test(file) || /^\s*[[{]/.test(text);
  if (looksJson) {
    try {
      const value: unknown = JSON.parse(text);
      let lines: YamlLines | undefined;
      return {
        file,
        value,
        text,
        lineOf: (path) => (lines ??= yamlLines(text)).lineOf(path),
      };
    } catch {
      // Fall through: the YAML parser reports the position of the syntax error.
    }
  }
  const lines = yamlLines(text);
  if (lines.error) {
    throw new PriceFileError(file, lines.error.line, '', undefined, 'valid YAML or JSON', lines.error.message);
  }
  return { file, value: lines.doc.toJS({ maxAliasCount: 1000 }) as unknown, text, lineOf: (path) => lines.lineOf(path) };
}

interface YamlLines {
  doc: Document;
  error: { line: number | undefined; message: string } | undefined;
  lineOf(path: FieldPath): number | undefined;
}

/** The YAML parser, loaded on first use (JSON files with no problems never need it). */
function yaml(): typeof import('yaml') {
  return require('yaml') as typeof import('yaml');
}

function yamlLines(text: string): YamlLines {
  const { LineCounter, isMap, isScalar, isSeq, parseDocument } = yaml();
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: true });
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
