/**
 * The OTLP/gRPC receiver: the `Export` methods of the OTLP trace, metrics and logs services, declared
 * as `@grpc/grpc-js` generic service definitions. Requests arrive as their protobuf bytes (grpc-js
 * handles message compression) and go through the same path as OTLP/HTTP protobuf. A full queue
 * answers `RESOURCE_EXHAUSTED` with a `RetryInfo` detail (the OTLP specification makes that
 * retryable), shutting down answers `UNAVAILABLE`, malformed input `INVALID_ARGUMENT`.
 */
import {
  Metadata,
  Server,
  ServerCredentials,
  status,
  type ServiceDefinition,
  type sendUnaryData,
  type ServerUnaryCall,
} from '@grpc/grpc-js';
import type { AcceptResult, ListenAddress, TokenomicsCollector } from './collector';
import { encodeStatus, GRPC_INVALID_ARGUMENT, GRPC_RESOURCE_EXHAUSTED, GRPC_UNAVAILABLE } from './rpc-status';
import type { Signal } from './stats';

const SERVICES: readonly [Signal, string][] = [
  ['traces', '/opentelemetry.proto.collector.trace.v1.TraceService/Export'],
  ['metrics', '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export'],
  ['logs', '/opentelemetry.proto.collector.logs.v1.LogsService/Export'],
];

const EMPTY = Buffer.alloc(0);

function serviceDefinition(path: string): ServiceDefinition {
  return {
    Export: {
      path,
      requestStream: false,
      responseStream: false,
      // The request stays bytes: the stage reads only the spans it may change.
      requestDeserialize: (bytes: Buffer) => bytes,
      requestSerialize: (bytes: Buffer) => bytes,
      // Every Export*ServiceResponse without a partial success is the empty message.
      responseSerialize: () => EMPTY,
      responseDeserialize: () => ({}),
    },
  };
}

function errorWithDetails(code: number, message: string, retryAfterMs?: number): { code: number; details: string; metadata: Metadata } {
  const metadata = new Metadata();
  metadata.set('grpc-status-details-bin', Buffer.from(encodeStatus(code, message, retryAfterMs)));
  return { code, details: message, metadata };
}

/** Answers an `Export` call with the stage's verdict on its request. */
function answer(result: AcceptResult, callback: sendUnaryData<unknown>): void {
  switch (result.kind) {
    case 'accepted':
      callback(null, {});
      return;
    case 'malformed':
      callback(errorWithDetails(GRPC_INVALID_ARGUMENT, result.reason));
      return;
    case 'full':
      callback(errorWithDetails(GRPC_RESOURCE_EXHAUSTED, 'the forward queue is full; retry later', result.retryAfterSeconds * 1000));
      return;
    case 'unavailable':
      callback(errorWithDetails(GRPC_UNAVAILABLE, `${result.reason}; retry later`, result.retryAfterSeconds * 1000));
      return;
    case 'stopping':
      callback(errorWithDetails(GRPC_UNAVAILABLE, 'shutting down; retry on another instance', 1000));
      return;
  }
}

/** The OTLP/gRPC receiver of a {@link TokenomicsCollector}. */
export class GrpcReceiver {
  private server: Server | undefined;
  address: string | undefined;

  constructor(
    private readonly collector: TokenomicsCollector,
    private readonly listen: ListenAddress,
    private readonly maxRequestBytes: number,
  ) {}

  async start(): Promise<void> {
    const server = new Server({ 'grpc.max_receive_message_length': this.maxRequestBytes });
    for (const [signal, path] of SERVICES) {
      server.addService(serviceDefinition(path), {
        Export: (call: ServerUnaryCall<Buffer, unknown>, callback: sendUnaryData<unknown>) => {
          this.collector.submit(signal, call.request).then(
            (result) => answer(result, callback),
            (err: unknown) => callback({ code: status.INTERNAL, details: err instanceof Error ? err.message : String(err) }),
          );
        },
      });
    }
    const host = this.listen.host.includes(':') ? `[${this.listen.host}]` : this.listen.host;
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${host}:${this.listen.port}`, ServerCredentials.createInsecure(), (err, bound) =>
        err ? reject(err) : resolve(bound),
      );
    });
    this.address = `${host}:${port}`;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 5_000);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
