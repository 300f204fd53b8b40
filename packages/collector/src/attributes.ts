import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { int64ToNumber, type AnyValueMessage, type KeyValueMessage } from './otlp-messages';

/**
 * Decoded OTLP attributes as an OpenTelemetry `Attributes` object: strings, booleans, numbers and
 * homogeneous arrays of them. Values of other kinds (maps, bytes) are left out: no reader of GenAI
 * usage looks at them. Readers look up fixed GenAI names only, so a plain object is safe.
 */
export function toAttributes(list: readonly KeyValueMessage[] | null | undefined): Attributes {
  const out: Attributes = {};
  if (!list) return out;
  for (const kv of list) {
    const key = kv.key;
    // `__proto__` would set the object's prototype rather than an own property: never a GenAI key.
    if (typeof key !== 'string' || key === '' || key === '__proto__' || !kv.value) continue;
    const value = toAttributeValue(kv.value);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function toAttributeValue(v: AnyValueMessage): AttributeValue | undefined {
  if (present(v.stringValue)) return v.stringValue;
  if (present(v.boolValue)) return v.boolValue;
  if (present(v.intValue)) return int64ToNumber(v.intValue);
  if (present(v.doubleValue)) return v.doubleValue;
  if (present(v.arrayValue)) {
    const values = v.arrayValue.values ?? [];
    const out: (string | number | boolean)[] = [];
    for (const item of values) {
      const x = toAttributeValue(item);
      if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out.push(x);
    }
    return out as AttributeValue;
  }
  return undefined;
}

/**
 * An attribute as an OTLP `KeyValue`, the way the OpenTelemetry JS OTLP exporters write it
 * (integers as `intValue`, other numbers as `doubleValue`), so that a span the stage prices reads
 * the same as one the hook priced.
 */
export function toKeyValue(key: string, value: AttributeValue): KeyValueMessage {
  return { key, value: toAnyValue(value) };
}

function toAnyValue(value: AttributeValue): AnyValueMessage {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: value } : { doubleValue: value };
  const values: AnyValueMessage[] = [];
  for (const item of value as ReadonlyArray<unknown>) {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') values.push(toAnyValue(item));
  }
  return { arrayValue: { values } };
}

function present<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}
