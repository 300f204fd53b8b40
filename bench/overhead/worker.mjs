// One configuration and one scenario in a fresh process (patches never meet):
//
//   node --expose-gc bench/overhead/worker.mjs <configuration> <scenario> <warm-up calls> <timed calls>
//   node --expose-gc bench/overhead/worker.mjs <configuration> <scenario> soak <calls> <sample every>
//
// Prints one JSON line: per-call times of the timed calls (µs: mean, p50, p99), spans exported
// against calls made, metric points collected, heap after GC. Soak mode prints heap after GC every
// <sample every> calls instead of timings.
import { createRequire } from 'node:module';
import { CONFIGURATIONS, describeInstrumentations } from './configurations.mjs';
import { SCENARIOS } from './scenarios.mjs';
import { startTelemetry } from './telemetry.mjs';
import { summarise } from './stats.mjs';

const require = createRequire(import.meta.url);
const [configName, scenarioName, mode, arg1, arg2] = process.argv.slice(2);
const config = CONFIGURATIONS[configName];
const scenario = SCENARIOS[scenarioName];
if (!config || !scenario) {
  console.error(`usage: worker.mjs <${Object.keys(CONFIGURATIONS).join('|')}> <${Object.keys(SCENARIOS).join('|')}> <warm-up> <calls>`);
  process.exit(2);
}
if (typeof global.gc !== 'function') {
  console.error('run with node --expose-gc');
  process.exit(2);
}

/** Heap after GC, with turns of the event loop in between so finalization callbacks run. */
async function heapAfterGC() {
  for (let i = 0; i < 3; i++) {
    global.gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  global.gc();
  return process.memoryUsage().heapUsed;
}

const telemetry = config.otel ? startTelemetry() : undefined;
let instrumentations = [];
if (config.instrumentations) {
  instrumentations = config.instrumentations(scenario.provider);
  const { registerInstrumentations } = require('@opentelemetry/instrumentation');
  registerInstrumentations({
    instrumentations,
    tracerProvider: telemetry.tracerProvider,
    meterProvider: telemetry.meterProvider,
  });
}

// Loaded after registration, through require, so the module hooks patch it.
let call = scenario.make(require);
if (config.wrapInContext) {
  const { api } = telemetry;
  const key = api.createContextKey('bench.call');
  const inner = call;
  call = () => api.context.with(api.context.active().setValue(key, true), inner);
}
if (config.wrapInSpan) {
  const { api, tracerProvider } = telemetry;
  const tracer = tracerProvider.getTracer('bench-floor');
  const inner = call;
  call = () => {
    const span = tracer.startSpan('call', { kind: api.SpanKind.CLIENT });
    return api.context.with(api.trace.setSpan(api.context.active(), span), inner).finally(() => span.end());
  };
}

const out = {
  configuration: configName,
  scenario: scenarioName,
  instrumentations: describeInstrumentations(instrumentations),
  node: process.version,
};

if (mode === 'soak') {
  const total = Number(arg1);
  const every = Number(arg2);
  const samples = [];
  const started = performance.now();
  for (let i = 0; i < 2_000; i++) await call(); // warm-up, not counted
  const warm = 2_000;
  samples.push({ calls: 0, heapBytes: await heapAfterGC() });
  for (let done = 0; done < total;) {
    const end = Math.min(total, done + every);
    for (; done < end; done++) await call();
    if (telemetry) await telemetry.tracerProvider.forceFlush();
    samples.push({ calls: done, heapBytes: await heapAfterGC(), seconds: (performance.now() - started) / 1000 });
  }
  out.calls = total + warm;
  out.seconds = (performance.now() - started) / 1000;
  out.samples = samples;
} else {
  const warmup = Number(mode);
  const calls = Number(arg1);
  for (let i = 0; i < warmup; i++) await call();
  const times = new Float64Array(calls);
  global.gc();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await call();
    times[i] = performance.now() - t0;
  }
  const cpu = process.cpuUsage(cpu0);
  Object.assign(out, summarise(times));
  // CPU time of the whole process (main thread, GC and export included) per timed call: unlike
  // wall time it does not grow when other processes take the cores.
  out.cpuUs = (cpu.user + cpu.system) / calls;
  out.calls = warmup + calls;
}

if (telemetry) {
  const { spans, metricPoints, lastSpan } = await telemetry.finish();
  out.spans = spans;
  out.metricPoints = metricPoints;
  if (lastSpan)
    out.lastSpan = {
      name: lastSpan.name,
      attributes: Object.keys(lastSpan.attributes).length,
      cost: lastSpan.attributes['gen_ai.usage.cost.amount'],
    };
}
out.heapBytes = await heapAfterGC();
process.stdout.write(`${JSON.stringify(out)}\n`);
