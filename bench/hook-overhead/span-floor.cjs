// Preload of the span floor: the least a tracing set-up costs. A tracer provider whose only span
// processor does nothing, and the AsyncLocalStorage context manager; the app (HOOK_BENCH_WRAP=span)
// starts one empty span per call, runs the call in its context and ends it when the call settles.
const api = require('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { BasicTracerProvider, NoopSpanProcessor } = require('@opentelemetry/sdk-trace-base');

api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
api.trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new NoopSpanProcessor()] }));
