/**
 * `google.rpc.Status` with a `google.rpc.RetryInfo` detail, the error body OTLP asks for (HTTP
 * protobuf responses and the gRPC `grpc-status-details-bin` trailer). The message types are declared
 * to the protobufjs runtime that `@opentelemetry/otlp-transformer` ships (as descriptors, from the
 * public googleapis definitions) and encoded by it.
 */
import { createRequire } from 'node:module';

interface Type {
  encode(message: Record<string, unknown>): { finish(): Uint8Array };
  decode(bytes: Uint8Array): Record<string, unknown>;
}

let types: { status: Type; retryInfo: Type } | undefined;

function rpcTypes(): { status: Type; retryInfo: Type } {
  if (types !== undefined) return types;
  const require = createRequire(__filename);
  const fromTransformer = createRequire(require.resolve('@opentelemetry/otlp-transformer/package.json'));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const protobuf = fromTransformer('protobufjs') as any;
  const root = protobuf.Root.fromJSON({
    nested: {
      google: {
        nested: {
          protobuf: {
            nested: {
              Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
              Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
            },
          },
          rpc: {
            nested: {
              Status: {
                fields: {
                  code: { type: 'int32', id: 1 },
                  message: { type: 'string', id: 2 },
                  details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
                },
              },
              RetryInfo: { fields: { retry_delay: { type: 'google.protobuf.Duration', id: 1 } } },
            },
          },
        },
      },
    },
  });
  types = { status: root.lookupType('google.rpc.Status'), retryInfo: root.lookupType('google.rpc.RetryInfo') };
  return types;
}

/** gRPC status codes used by the stage. */
export const GRPC_INVALID_ARGUMENT = 3;
export const GRPC_RESOURCE_EXHAUSTED = 8;
export const GRPC_UNAVAILABLE = 14;

/** An encoded `google.rpc.Status`, with a `RetryInfo` detail when `retryAfterMs` is given. */
export function encodeStatus(code: number, message: string, retryAfterMs?: number): Uint8Array {
  const { status, retryInfo } = rpcTypes();
  const details = [];
  if (retryAfterMs !== undefined) {
    const seconds = Math.floor(retryAfterMs / 1000);
    const value = retryInfo.encode({ retry_delay: { seconds, nanos: (retryAfterMs - seconds * 1000) * 1e6 } }).finish();
    details.push({ type_url: 'type.googleapis.com/google.rpc.RetryInfo', value });
  }
  return status.encode({ code, message, details }).finish();
}

/** Decodes a `google.rpc.Status` (for tests and diagnostics). */
export function decodeStatus(bytes: Uint8Array): { code: number; message: string; retryDelayMs?: number } {
  const { status, retryInfo } = rpcTypes();
  const decoded = status.decode(bytes) as { code?: number; message?: string; details?: { type_url?: string; value?: Uint8Array }[] };
  const out: { code: number; message: string; retryDelayMs?: number } = { code: decoded.code ?? 0, message: decoded.message ?? '' };
  for (const detail of decoded.details ?? []) {
    if (detail.type_url !== 'type.googleapis.com/google.rpc.RetryInfo' || !detail.value) continue;
    const info = retryInfo.decode(detail.value) as { retry_delay?: { seconds?: unknown; nanos?: number } };
    const seconds = Number(String(info.retry_delay?.seconds ?? 0));
    out.retryDelayMs = seconds * 1000 + Math.round((info.retry_delay?.nanos ?? 0) / 1e6);
  }
  return out;
}
