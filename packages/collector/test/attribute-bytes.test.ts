/**
 * The stage writes the figures it adds to a span (cost amounts, breakdown) straight into one reusable
 * buffer; these tests hold those bytes to what the generated OTLP `Span` class writes for the same
 * attributes.
 */
import { describe, expect, it } from 'vitest';
import { AttributeBytes, toKeyValue } from '../src/attributes';
import { otlpMessages } from '../src/otlp-messages';

function written(bytes: AttributeBytes, out = Buffer.alloc(bytes.pos)): Buffer {
  bytes.copyTo(out, 0, 0, bytes.pos);
  return out;
}

function generated(entries: [string, number | string | boolean | number[]][]): Buffer {
  return Buffer.from(
    otlpMessages()
      .span.encode({ attributes: entries.map(([key, value]) => toKeyValue(key, value)) })
      .finish(),
  );
}

describe('AttributeBytes', () => {
  it('writes doubles, integers of every varint length and the values it hands to the generated class byte for byte as that class does', () => {
    const entries: [string, number | string | boolean | number[]][] = [
      ['gen_ai.usage.cost.amount', 0.00021],
      ['tokenomics.cost.input', 1.5e-7],
      ['tokenomics.cost.output', 0],
      ['tokenomics.cost.output', -0],
      ['tokenomics.cost.cache_read', 127],
      ['tokenomics.cost.cache_read', 128],
      ['tokenomics.cost.cache_read', 16_383],
      ['tokenomics.cost.cache_read', 16_384],
      ['tokenomics.cost.cache_read', 2 ** 31],
      ['tokenomics.cost.cache_read', 2 ** 32 + 5],
      ['tokenomics.cost.cache_read', Number.MAX_SAFE_INTEGER],
      ['tokenomics.cost.cache_read', 2 ** 60],
      ['tokenomics.cost.cache_read', -3],
      ['tokenomics.cost.cache_read', -0.5],
      ['tokenomics.cost.cache_read', Number.MAX_VALUE],
      ['tokenomics.cost.cache_read', Number.MIN_VALUE],
      ['tokenomics.cost.cache_read', Number.NaN],
      ['tokenomics.cost.cache_read', Number.POSITIVE_INFINITY],
      ['tokenomics.pricing.model', 'gpt-4o-mini'],
      ['tokenomics.usage.estimated', true],
      ['a.list', [1, 2, 3]],
      ['k'.repeat(200), 0.25],
      ['ключ', 3],
    ];
    const bytes = new AttributeBytes(16);
    for (const [key, value] of entries) bytes.append(key, value);
    expect(written(bytes).equals(generated(entries))).toBe(true);
  });

  it('grows past its initial size keeping what it wrote, and starts over small after a large request', () => {
    const bytes = new AttributeBytes(8);
    const entries: [string, number][] = Array.from({ length: 1000 }, (_, i) => [`tokenomics.cost.unit${i % 7}`, i / 3]);
    for (const [key, value] of entries) bytes.append(key, value);
    expect(written(bytes).equals(generated(entries))).toBe(true);
    bytes.reset();
    expect(bytes.pos).toBe(0);
    bytes.append('gen_ai.usage.cost.amount', 0.5);
    expect(written(bytes).equals(generated([['gen_ai.usage.cost.amount', 0.5]]))).toBe(true);
  });
});
