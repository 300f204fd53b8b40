/**
 * OTLP/JSON request bodies to protobuf, through the generated message classes' `fromObject` (which
 * type-checks every field). OTLP/JSON spells trace and span ids in hex where protobuf JSON uses
 * base64; they are converted first. Everything downstream then reads one encoding.
 */
import { logsRequestType } from './otlp-logs';
import { otlpMessages, type MessageType } from './otlp-messages';
import type { Signal } from './stats';

const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Thrown for a body that is not a valid OTLP/JSON request; the message is the reason for the 400. */
export class OtlpJsonError extends Error {}

/** The protobuf encoding of an OTLP/JSON export request. */
export function jsonToProtobuf(signal: Signal, body: Uint8Array): Uint8Array {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (err) {
    throw new OtlpJsonError(`body is not JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new OtlpJsonError('body is not a JSON object');
  const type = requestType(signal);
  let message: unknown;
  try {
    message = type.fromObject(convertIds(parsed, 0) as Record<string, unknown>);
  } catch (err) {
    throw new OtlpJsonError(`not an OTLP ${signal} request: ${(err as Error).message}`);
  }
  return type.encode(message).finish();
}

function requestType(signal: Signal): MessageType {
  const m = otlpMessages();
  return signal === 'traces' ? m.traceRequest : signal === 'metrics' ? m.metricsRequest : logsRequestType();
}

function convertIds(value: unknown, depth: number): unknown {
  if (depth > 64) throw new OtlpJsonError('JSON nested too deeply');
  if (Array.isArray(value)) return value.map((v) => convertIds(v, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    // Not an OTLP field, and as a key of `out` it would set its prototype: the message would then
    // inherit whatever fields the sender put under it. Dropped, as unknown fields are.
    if (key === '__proto__') continue;
    const v = (value as Record<string, unknown>)[key];
    if (ID_KEYS.has(key) && typeof v === 'string') {
      if (!HEX.test(v)) throw new OtlpJsonError(`${key} "${v.slice(0, 40)}" is not hex`);
      out[key] = Buffer.from(v, 'hex').toString('base64');
    } else {
      out[key] = convertIds(v, depth + 1);
    }
  }
  return out;
}
