// Preload of the SDK floor: the OpenTelemetry components the hook registers in its set-up, built
// from the same packages the same way, with no Tokenomics code. What any implementation of the
// hook's signals on the OpenTelemetry SDK pays before doing anything of its own:
//   - always: the AsyncLocalStorage context manager, the W3C propagators, a resource, a
//     MeterProvider read by the Prometheus exporter (OTEL_EXPORTER_PROMETHEUS_PORT), and
//     `@opentelemetry/instrumentation` hooking the loading of `openai` (patching nothing);
//   - with OTEL_TRACES_EXPORTER=otlp: the trace SDK's tracer provider with a batch span processor
//     and an http/protobuf exporter built from `@opentelemetry/otlp-exporter-base` (the hook's
//     transport), whose serializer writes nothing: the least an OTLP span exporter encodes.
// The app (HOOK_BENCH_WRAP=sdk-floor) records one duration histogram point per call with the four
// attributes the GenAI conventions put on it and, with spans, runs the call in one empty span.
const { createRequire } = require('node:module');
const { join } = require('node:path');

// The OpenTelemetry packages as the hook resolves them (dependencies of @tokenomics/node).
const fromHook = createRequire(join(__dirname, '..', '..', 'packages', 'node', 'package.json'));
const api = fromHook('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = fromHook('@opentelemetry/context-async-hooks');
const { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } = fromHook('@opentelemetry/core');
const { defaultResource, resourceFromAttributes } = fromHook('@opentelemetry/resources');
const { MeterProvider } = fromHook('@opentelemetry/sdk-metrics');
const { PrometheusExporter } = fromHook('@opentelemetry/exporter-prometheus');
const { InstrumentationBase, InstrumentationNodeModuleDefinition } = fromHook('@opentelemetry/instrumentation');

const manager = new AsyncLocalStorageContextManager();
manager.enable();
api.context.setGlobalContextManager(manager);
api.propagation.setGlobalPropagator(
  new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
);
const resource = defaultResource().merge(resourceFromAttributes({ 'service.name': 'hook-bench' }));
api.metrics.setGlobalMeterProvider(
  new MeterProvider({
    resource,
    readers: [new PrometheusExporter({ port: Number(process.env.OTEL_EXPORTER_PROMETHEUS_PORT) })],
  }),
);

class FloorInstrumentation extends InstrumentationBase {
  constructor() {
    super('sdk-floor', '0.0.0', {});
  }
  init() {
    return [new InstrumentationNodeModuleDefinition('openai', ['*'], (exports) => exports)];
  }
}
new FloorInstrumentation().enable();

if (process.env.OTEL_TRACES_EXPORTER === 'otlp') {
  const { BatchSpanProcessor } = fromHook('@opentelemetry/sdk-trace-base');
  const traceSdk = createRequire(fromHook.resolve('@opentelemetry/sdk-trace-base'))('@opentelemetry/sdk-trace');
  const base = fromHook('@opentelemetry/otlp-exporter-base');
  const http = fromHook('@opentelemetry/otlp-exporter-base/node-http');
  const empty = new Uint8Array(0);
  const serializer = { serializeRequest: () => empty, deserializeResponse: () => ({}) };
  const delegate = http.createOtlpHttpExportDelegate(
    http.convertLegacyHttpOptions({}, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
    serializer,
    'otlp_http_span_exporter',
    { name: 'span', countItems: (spans) => spans.length },
    undefined,
  );
  const provider = new traceSdk.TracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new base.OTLPExporterBase(delegate))] });
  api.trace.setGlobalTracerProvider(provider);
}
