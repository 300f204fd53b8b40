/** Finds telemetry-name string literals in TypeScript source, skipping comments. */

export interface NameLiteral {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  /** The literal is the first element of a pair (`['spelling', value]`): a spelling being mapped. */
  readonly pairKey: boolean;
}

/** Literals that name process-internal keys (context keys, global symbols), not telemetry. */
const KEY_CALLS = [/createContextKey\(\s*$/, /Symbol\.for\(\s*$/];

/**
 * Every string literal (quoted or template) in `source` whose text starts with one of `prefixes`,
 * outside comments, except arguments of `createContextKey(...)` and `Symbol.for(...)`.
 */
export function nameLiterals(file: string, source: string, prefixes: readonly string[]): NameLiteral[] {
  const found: NameLiteral[] = [];
  let line = 1;
  let i = 0;
  const n = source.length;
  // Depth of `${` nesting inside template literals: at each level, the brace depth of the code.
  const templateStack: number[] = [];
  let braceDepth = 0;

  const report = (start: number, text: string, startLine: number): void => {
    if (!prefixes.some((p) => text.startsWith(p))) return;
    const before = source.slice(Math.max(0, start - 40), start);
    if (KEY_CALLS.some((re) => re.test(before))) return;
    const pairKey = /\[\s*$/.test(before) && /^\s*,/.test(source.slice(i, i + 8));
    found.push({ file, line: startLine, text, pairKey });
  };

  const readTemplate = (): void => {
    // At the character after a backtick or after the `}` closing a substitution.
    const start = i;
    const startLine = line;
    let text = '';
    while (i < n) {
      const c = source[i];
      if (c === '\\') {
        text += source.slice(i, i + 2);
        i += 2;
        continue;
      }
      if (c === '\n') line++;
      if (c === '`') {
        i++;
        report(start, text, startLine);
        return;
      }
      if (c === '$' && source[i + 1] === '{') {
        i += 2;
        report(start, text, startLine);
        templateStack.push(braceDepth);
        return;
      }
      text += c;
      i++;
    }
  };

  while (i < n) {
    const c = source[i];
    const next = source[i + 1];
    if (c === '\n') {
      line++;
      i++;
    } else if (c === '/' && next === '/') {
      while (i < n && source[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      i += 2;
      while (i < n && !(source[i] === '*' && source[i + 1] === '/')) {
        if (source[i] === '\n') line++;
        i++;
      }
      i += 2;
    } else if (c === "'" || c === '"') {
      const start = i;
      const startLine = line;
      i++;
      let text = '';
      while (i < n && source[i] !== c && source[i] !== '\n') {
        if (source[i] === '\\') {
          text += source.slice(i, i + 2);
          i += 2;
        } else text += source[i++];
      }
      i++;
      report(start, text, startLine);
    } else if (c === '`') {
      i++;
      readTemplate();
    } else if (c === '{') {
      braceDepth++;
      i++;
    } else if (c === '}') {
      if (templateStack.length > 0 && templateStack[templateStack.length - 1] === braceDepth) {
        templateStack.pop();
        i++;
        readTemplate();
      } else {
        braceDepth--;
        i++;
      }
    } else i++;
  }
  return found;
}
