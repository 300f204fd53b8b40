/**
 * The hook next to an ESM app that registers the import-in-the-middle loader hook itself, as the
 * OpenTelemetry ESM instructions say, before or after `--import @tokenomics/node/register`: the
 * app's `import`ed `openai` is instrumented, and the app's own loader hook keeps working.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { backendsForSuite, gpt4oMiniUsd, ourAndServerSpans, ownSdkAppEnv, OUR_SCOPE } from './support/coexist';
import { otlpExportEnv } from './support/examples';
import { OTLP_SPAN_KIND, type OtlpSpan } from './support/otlp-receiver';
import { REGISTER_SPECIFIER, runApp, type AppResult } from './support/run-app';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/coexist/${name}`, import.meta.url));
const APP = fixture('app.mjs');
const APP_LOADER = fixture('register-loader.mjs');

// import-in-the-middle's own warning when its loader is initialised a second time.
const IITM_WARNING =
  /^\(node:\d+\) Warning: The 'import-in-the-middle' hook has already been initialized\n\(Use `node --trace-warnings \.\.\.` to show where the warning was created\)\n$/;

const ORDERS = [
  // The app's loader serves the instrumentations; the hook registers none: nothing on stderr.
  { order: "the app's loader hook registered first", nodeArgs: ['--import', APP_LOADER, '--import', REGISTER_SPECIFIER], stderr: /^$/ },
  // The app's registration goes through with its own module list; import-in-the-middle says once
  // that it was initialised twice.
  {
    order: "the app's loader hook registered after the hook",
    nodeArgs: ['--import', REGISTER_SPECIFIER, '--import', APP_LOADER],
    stderr: IITM_WARNING,
  },
];

describe.each(ORDERS)('an ESM app with its own import-in-the-middle loader hook: $order', ({ nodeArgs, stderr }) => {
  const backends = backendsForSuite();
  let result: AppResult;
  let span: OtlpSpan;

  beforeAll(async () => {
    result = await runApp({
      app: APP,
      hook: 'none',
      nodeArgs,
      timeoutMs: 60_000,
      env: {
        OPENAI_BASE_URL: backends.emulator.openaiBaseURL,
        OPENAI_API_KEY: 'sk-coexist-000',
        OTEL_SERVICE_NAME: 'esm-shop',
        OTEL_LOG_LEVEL: 'warn',
        ...otlpExportEnv(backends.receiver.url, 'http/json'),
      },
    });
    span = await backends.receiver.waitFor((r) => {
      const s = r.spans().find((x) => x.scope.name === OUR_SCOPE);
      return s && r.metricPoints('tokenomics.cost').length > 0 ? s : undefined;
    }, 20_000);
  }, 90_000);

  it('runs with no error on stderr', () => {
    expect(result.stderr).toMatch(stderr);
    expect([result.code, result.signal]).toEqual([0, null]);
  });

  it("records the ESM openai call with the exact tokens and cost, and the app's own loader hook still sees its module", () => {
    const m = result.stdout.match(/chat gpt-4o-mini: (\d+) in \/ (\d+) out/);
    expect(m, result.stdout).not.toBeNull();
    const [input, output] = [Number(m![1]), Number(m![2])];
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.kind).toBe(OTLP_SPAN_KIND.CLIENT);
    expect(span.resource['service.name']).toBe('esm-shop');
    expect([span.attributes['gen_ai.usage.input_tokens'], span.attributes['gen_ai.usage.output_tokens']]).toEqual([input, output]);
    expect(span.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(gpt4oMiniUsd(input, output), 12);
    const cost = backends.receiver.metricPoints('tokenomics.cost');
    expect(cost.reduce((n, p) => n + (p.value ?? 0), 0)).toBeCloseTo(gpt4oMiniUsd(input, output), 12);
    expect(backends.receiver.spans().filter((s) => s.scope.name === OUR_SCOPE)).toHaveLength(1);
    expect(result.stdout).toContain('app hook saw node:os: true');
  });
});

const APP_SERVER = fixture('app-server.mjs');
const APP_TRACING = fixture('tracing.mjs');

// The app follows the upstream ESM instructions: its loader hook, then its NodeSDK, both given to
// --import, before or after the hook.
const SDK_ORDERS = [
  {
    order: "the hook first, then the app's loader hook and tracing module",
    nodeArgs: ['--import', REGISTER_SPECIFIER, '--import', APP_LOADER, '--import', APP_TRACING],
    stderr: IITM_WARNING,
  },
  {
    order: "the app's loader hook and tracing module first, then the hook",
    nodeArgs: ['--import', APP_LOADER, '--import', APP_TRACING, '--import', REGISTER_SPECIFIER],
    stderr: /^$/,
  },
];

describe.each(SDK_ORDERS)('an ESM app with its own NodeSDK and auto-instrumentations (--import): $order', ({ nodeArgs, stderr }) => {
  const backends = backendsForSuite();
  let result: AppResult;
  let ours: OtlpSpan;
  let server: OtlpSpan;

  beforeAll(async () => {
    result = await runApp({ app: APP_SERVER, hook: 'none', nodeArgs, timeoutMs: 60_000, env: await ownSdkAppEnv(backends) });
    [ours, server] = await ourAndServerSpans(backends.receiver);
  }, 90_000);

  it("keeps the app's SDK (no error, its service.name, its HTTP server span) and records the ESM openai call through it, inside the request's trace", () => {
    expect(result.stderr).toMatch(stderr);
    expect([result.code, result.signal]).toEqual([0, null]);
    for (const span of backends.receiver.spans()) expect(span.resource['service.name']).toBe('coexist-shop');
    const m = result.stdout.match(/chat gpt-4o-mini: (\d+) in \/ (\d+) out/);
    expect(m, result.stdout).not.toBeNull();
    const [input, output] = [Number(m![1]), Number(m![2])];
    expect([ours.attributes['gen_ai.usage.input_tokens'], ours.attributes['gen_ai.usage.output_tokens']]).toEqual([input, output]);
    expect(ours.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(gpt4oMiniUsd(input, output), 12);
    expect(ours.traceId).toBe(server.traceId);
    const cost = backends.receiver.metricPoints('tokenomics.cost');
    expect(cost.reduce((n, p) => n + (p.value ?? 0), 0)).toBeCloseTo(gpt4oMiniUsd(input, output), 12);
    expect(cost.every((p) => p.resource['service.name'] === 'coexist-shop')).toBe(true);
  });
});
