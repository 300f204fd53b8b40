import fc from 'fast-check';

/** A JSON fragment written to the wire as is (`1e999`, `-0`, `01`), for numbers `JSON.stringify` cannot produce. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** Serialises `value` like `JSON.stringify`, writing {@link RawJson} fragments verbatim and own `__proto__` keys as keys. */
export function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const parts: string[] = [];
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) parts.push(`${JSON.stringify(key)}:${toJson(v)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** An object with the given own enumerable keys, `__proto__` included, in order. */
export function objectOf(entries: Array<[string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

/** Keys that name built-in object properties. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', 'prototype', 'isPrototypeOf'];

/** A count as a provider might send it, and every way one could be wrong. */
export const hostileCount: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.nat(4000) },
  { weight: 1, arbitrary: fc.nat() },
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(
      0,
      -1,
      -0,
      -4096,
      1.5,
      0.1,
      1e308,
      -1e308,
      2 ** 53,
      2 ** 53 + 2,
      2 ** 31,
      2 ** 32,
      Number.MAX_SAFE_INTEGER,
      1e21,
      5e-324,
      new RawJson('1e999'),
      new RawJson('-1e999'),
      new RawJson('1E+400'),
      new RawJson('-0'),
      new RawJson('123456789012345678901234567890'),
    ),
  },
  { weight: 1, arbitrary: fc.double({ noNaN: true }) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>('12', '', 'NaN', 'Infinity', '-Infinity', '1e308', '-5', '0x10', ' 7 ', '12abc') },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, true, false, {}, [], [5], { value: 3 }, { __proto__: null, length: 2 }) },
);

/** A usage field: usually present, sometimes missing, with a hostile value. */
export const usageField = fc.option(hostileCount, { nil: undefined, freq: 5 });

/** Model names an app or a provider could use, including names of built-in properties and garbage. */
export function modelName(realistic: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...realistic) },
    { weight: 3, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', ' ', 'unknown', 'gpt-4o-mini\u0000', 'claude-\u{1F600}', 'modèle-ünïcode-名前', 'a/b/../c', '*'),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
    { weight: 1, arbitrary: fc.integer({ min: 200, max: 20_000 }).map((n) => `m${'o'.repeat(n)}del`) },
  );
}

/** A response model: a name, or a value of the wrong type. */
export function responseModel(realistic: string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 8, arbitrary: modelName(realistic) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 42, {}, ['gpt-4o'], { toString: 'x' }) },
  );
}

/** Extra keys added to an object, including prototype names, with hostile values. */
export const hostileExtraKeys: fc.Arbitrary<Array<[string, unknown]>> = fc.array(
  fc.tuple(fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.string({ maxLength: 12 })), hostileCount),
  { maxLength: 3 },
);

/** Adds `extra` keys to `target` as own properties (a later key replaces an earlier one). */
export function withExtraKeys(target: Record<string, unknown>, extra: Array<[string, unknown]>): Record<string, unknown> {
  return objectOf([...Object.entries(target), ...extra]);
}

/** Short text as models write it, with some unicode. */
export const replyText = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('Hello there!', 'Paris.', 'Sure — here you go: 42', 'Ünïcödé ✓ 日本語', '') },
  { weight: 2, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
);

/** A list of text deltas for a stream. */
export const replyDeltas = fc.array(replyText, { minLength: 0, maxLength: 5 });

/** HTTP statuses: mostly success, then the errors providers send. */
export const status = fc.oneof(
  { weight: 14, arbitrary: fc.constant(200) },
  { weight: 1, arbitrary: fc.constantFrom(201, 204, 400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 504, 529) },
);

/** Bodies of error answers, from well-formed to garbage. */
export function errorBody(wellFormed: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constant(wellFormed),
    fc.constantFrom(
      '',
      '<html><body>502 Bad Gateway</body></html>',
      'upstream connect error',
      '{',
      'null',
      '[]',
      '{"error":null}',
      '{"error":"string"}',
      '{"message":{"nested":1}}',
    ),
    fc.string({ maxLength: 40 }),
  );
}

/** A request parameter an app might pass: sane, or NaN, infinite, negative, huge, of the wrong type. */
export const requestNumber: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<unknown>(0, 0.2, 1, 64, 1024) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(Number.NaN, Infinity, -Infinity, -1, 1e308, 2 ** 53, -0, '0.5', null, {}, [1]) },
);

/** Optional sampling parameters of a chat request, each possibly hostile. */
export const requestParams: fc.Arbitrary<Record<string, unknown>> = fc.record(
  { temperature: requestNumber, top_p: requestNumber, max_tokens: requestNumber, frequency_penalty: requestNumber, seed: requestNumber },
  { requiredKeys: [] },
);

/** Chat messages as an app might send them, including shapes the provider would reject. */
export const requestMessages: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constant([{ role: 'user', content: 'Say hello in three words.' }]) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      [],
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'hi' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
            { type: '__proto__' },
            null,
          ],
        },
      ],
      [{ role: 'user', content: null }],
      [{ role: 'user', content: 42 }],
      [{ role: 'constructor', content: { __proto__: { text: 'x' } } }],
      [null, 'text', 7],
      [{ role: 'user', content: 'x'.repeat(5_000) }],
      [{ role: 'user', content: '😀'.repeat(500) }],
      [{ role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":' } }] }],
    ),
  },
);
