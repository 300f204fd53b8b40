import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { createOtlpSpanExporter } from '../src/trace-exporters';

// The serializer itself is property-tested in packages/exporter/test/otlp-span-serializer.test.ts;
// here, how the hook's http/protobuf span exporter uses it. It is loaded the way the hook loads it
// (by package name, through Node's own `require`), so the module read here is the one the exporter
// uses.
interface TraceSerializer {
  serializeRequest(request: unknown[]): Uint8Array | undefined;
  deserializeResponse(data: Uint8Array): unknown;
}
const require = createRequire(import.meta.url);
const { serializerCacheSize } = require('@tokenomics/exporter/otlp-span-serializer') as { serializerCacheSize(): { keys: number } };
// The official serializer the hook falls back on, as the hook resolves it, and the version the
// exporter base it builds the exporter from was made with.
const { ProtobufTraceSerializer } = require('@opentelemetry/otlp-transformer') as { ProtobufTraceSerializer: TraceSerializer };
const transformerVersion = (require('@opentelemetry/otlp-transformer/package.json') as { version: string }).version;
const fromExporterBase = createRequire(require.resolve('@opentelemetry/otlp-exporter-base'));

describe('OTLP span serialiser in the hook', () => {
  it('is checked against the @opentelemetry/otlp-transformer version the OTLP trace exporter of the hook uses', () => {
    const exporterPackage = JSON.parse(readFileSync(new URL('../../exporter/package.json', import.meta.url), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(exporterPackage.devDependencies['@opentelemetry/otlp-transformer']).toBe(transformerVersion);
    expect((fromExporterBase('@opentelemetry/otlp-transformer/package.json') as { version: string }).version).toBe(transformerVersion);
  });

  it('is what the http/protobuf exporter the hook builds encodes requests and reads responses with, as the official serialiser does', () => {
    const exporter = createOtlpSpanExporter({ protocol: 'http/protobuf', url: 'http://127.0.0.1:4318/v1/traces', headers: {} });
    const serializer = (exporter as unknown as { _delegate: { _serializer: TraceSerializer } })._delegate._serializer;
    const exported = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exported)] }).getTracer('wired');
    tracer.startSpan('chat', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 12 } }).end();
    const spans = exported.getFinishedSpans();
    const before = serializerCacheSize().keys;
    expect(Buffer.from(serializer.serializeRequest(spans)!).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!))).toBe(
      true,
    );
    // Names it encoded are cached: the request went through this serialiser.
    expect(serializerCacheSize().keys).toBeGreaterThan(before);
    const response = Buffer.from([0x0a, 0x05, 0x08, 0x03, 0x12, 0x01, 0x78]); // partial success: 3 rejected, "x"
    expect(serializer.deserializeResponse(response)).toStrictEqual({ partialSuccess: { rejectedSpans: 3, errorMessage: 'x' } });
    expect(serializer.deserializeResponse(response)).toStrictEqual(ProtobufTraceSerializer.deserializeResponse(response));
    void exporter.shutdown();
  });
});
