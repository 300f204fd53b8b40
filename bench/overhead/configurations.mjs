// What runs around the client in each configuration. Every instrumented configuration gets the same
// SDK set-up (telemetry.mjs) and registers its instrumentations before the client library is loaded.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The Tokenomics instrumentations. `BENCH_TOKENOMICS_DIST` points at another build of
 * `@tokenomics/instrumentation` (its `dist` folder), to compare revisions in the same run.
 */
function tokenomics(dist = process.env.BENCH_TOKENOMICS_DIST) {
  const mod = dist ? require(resolve(dist, 'index.js')) : require('@tokenomics/instrumentation');
  return mod.createInstrumentations();
}

/**
 * `BENCH_TOKENOMICS_BASELINE`: the `dist` folder of an earlier build of `@tokenomics/instrumentation`,
 * run as one more configuration ("Tokenomics, baseline build"), interleaved with the others, for
 * before/after figures from one run.
 */
const BASELINE = process.env.BENCH_TOKENOMICS_BASELINE;

/** Providers whose client library a set of instrumentations patches. */
function patchedProviders(instrumentations) {
  const names = new Set();
  for (const inst of instrumentations) {
    for (const def of inst.getModuleDefinitions?.() ?? []) names.add(def.name);
  }
  const providers = [];
  if (names.has('openai')) providers.push('openai');
  if (names.has('@anthropic-ai/sdk')) providers.push('anthropic');
  return providers;
}

/**
 * The configurations, in table order. `instrumentations(provider)` returns what to register for a
 * scenario of that provider (undefined: the configuration does not cover it).
 */
export const CONFIGURATIONS = {
  bare: {
    label: 'bare client, no OpenTelemetry',
    otel: false,
    covers: () => true,
  },
  context: {
    label: 'OpenTelemetry context only (floor)',
    otel: true,
    // No instrumentation: the SDK set-up, and each call run in a fresh context, as every
    // instrumentation must do to parent the client's own work under its span.
    wrapInContext: true,
    covers: () => true,
  },
  span: {
    label: 'context and one empty span per call (floor of any tracing instrumentation)',
    otel: true,
    // The least a tracing instrumentation does: start a span, run the call in its context, end the
    // span when the call settles. No attributes, no metrics, no response parsing.
    wrapInSpan: true,
    covers: () => true,
  },
  tokenomics: {
    label: 'Tokenomics',
    otel: true,
    covers: (provider) => patchedProviders(tokenomics()).includes(provider),
    instrumentations: () => tokenomics(),
  },
  ...(BASELINE && {
    baseline: {
      label: 'Tokenomics, baseline build',
      otel: true,
      covers: (provider) => patchedProviders(tokenomics(BASELINE)).includes(provider),
      instrumentations: () => tokenomics(BASELINE),
    },
  }),
  otel: {
    label: '@opentelemetry/instrumentation-openai',
    peer: true,
    otel: true,
    covers: (provider) => provider === 'openai',
    instrumentations: () => {
      const { OpenAIInstrumentation } = require('@opentelemetry/instrumentation-openai');
      return [new OpenAIInstrumentation()];
    },
  },
  openllmetry: {
    label: 'OpenLLMetry @traceloop/instrumentation-*',
    peer: true,
    otel: true,
    covers: (provider) => provider === 'openai' || provider === 'anthropic',
    // Content capture off, as in the other configurations (OpenLLMetry records prompts by default).
    instrumentations: (provider) => {
      if (provider === 'openai') {
        const { OpenAIInstrumentation } = require('@traceloop/instrumentation-openai');
        return [new OpenAIInstrumentation({ traceContent: false })];
      }
      const { AnthropicInstrumentation } = require('@traceloop/instrumentation-anthropic');
      return [new AnthropicInstrumentation({ traceContent: false })];
    },
  },
};

/** Name and version of the instrumentation packages a configuration registers. */
export function describeInstrumentations(instrumentations) {
  return instrumentations.map((i) => `${i.instrumentationName}@${i.instrumentationVersion}`);
}
