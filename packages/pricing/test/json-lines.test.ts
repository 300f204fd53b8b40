/**
 * Line numbers in JSON price files come from a linear scan of the text (a YAML parse of a large
 * file took seconds); they must agree with the YAML parser's positions for every field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { jsonLineOf, type FieldPath } from '../src/source-doc';

/** Line of a field by the YAML parser (YAML is a superset of JSON). */
function yamlLine(text: string, path: FieldPath): number | undefined {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  let node: unknown = doc.contents;
  let offset = (node as Node).range?.[0];
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
      if (!pair) break;
      offset = (pair.key as Node).range?.[0];
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0];
      node = item;
    } else break;
  }
  return offset === undefined ? undefined : counter.linePos(offset).line;
}

/** Every path in a value, including one missing key per object. */
function paths(value: unknown, prefix: FieldPath = []): FieldPath[] {
  const out: FieldPath[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
    out.push([...prefix, 'no such key']);
  }
  return out;
}

describe('jsonLineOf', () => {
  it('agrees with the YAML parser on every field of generated JSON documents', () => {
    const key = fc.string({ unit: fc.constantFrom('a', 'b', '"', '\\', '{', ']', ',', ':', ' ', '\n', 'é'), maxLength: 4 });
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(null, true, false),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.string({ unit: fc.constantFrom('x', '"', '\\', '\n', '}', '[', ',') }),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(key, tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(json, fc.constantFrom(0, 1, 2, '\t'), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        for (const path of paths(value)) expect(jsonLineOf(text, path), JSON.stringify(path)).toBe(yamlLine(text, path));
      }),
      { numRuns: 300 },
    );
  });
});
