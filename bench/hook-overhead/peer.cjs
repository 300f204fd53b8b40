// Preload of a peer instrumentation as its users run it: `node --require ./tracing.cjs app.js`
// with NodeSDK, the peer's instrumentation and NodeSDK's batch span processor exporting OTLP
// http/protobuf to a local sink (HOOK_BENCH_SINK, answers 200). HOOK_BENCH_PEER names the peer:
// `otel` (@opentelemetry/instrumentation-openai) or `openllmetry` (@traceloop/instrumentation-openai,
// content capture off, as in the other set-ups).
const { createRequire } = require('node:module');
const { join } = require('node:path');

// NodeSDK and the OTLP exporter are installed with the end-to-end tests; the peers with the benchmarks.
const fromTest = createRequire(join(__dirname, '..', '..', 'test', 'package.json'));
const { NodeSDK } = fromTest('@opentelemetry/sdk-node');
const { OTLPTraceExporter } = fromTest('@opentelemetry/exporter-trace-otlp-proto');

const peer = process.env.HOOK_BENCH_PEER;
let instrumentation;
if (peer === 'otel') {
  const { OpenAIInstrumentation } = require('@opentelemetry/instrumentation-openai');
  instrumentation = new OpenAIInstrumentation();
} else if (peer === 'openllmetry') {
  const { OpenAIInstrumentation } = require('@traceloop/instrumentation-openai');
  instrumentation = new OpenAIInstrumentation({ traceContent: false });
} else {
  throw new Error(`HOOK_BENCH_PEER: unknown peer "${peer}"`);
}
const sdk = new NodeSDK({
  serviceName: 'hook-bench',
  traceExporter: new OTLPTraceExporter({ url: `${process.env.HOOK_BENCH_SINK}/v1/traces` }),
  instrumentations: [instrumentation],
});
sdk.start();
process.env.HOOK_BENCH_INSTRUMENTATION = `${instrumentation.instrumentationName}@${instrumentation.instrumentationVersion}`;
