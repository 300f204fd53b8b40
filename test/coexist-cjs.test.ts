/**
 * The hook next to an app that starts its own OpenTelemetry SDK (`NodeSDK` with the
 * auto-instrumentations, as the upstream getting-started guide writes it), in every order the two
 * can be loaded: the app's SDK is never refused, and the LLM calls are recorded through it.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsForSuite, gpt4oMiniUsd, ourAndServerSpans, ownSdkAppEnv, OUR_SCOPE, printedUsage } from './support/coexist';
import { otlpExportEnv } from './support/examples';
import { OTLP_SPAN_KIND, type OtlpSpan } from './support/otlp-receiver';
import { E2E_DIR, REGISTER_SPECIFIER, runApp, type AppResult } from './support/run-app';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/coexist/${name}`, import.meta.url));
const APP = fixture('app.cjs');
const TRACING = fixture('tracing.cjs');
const APP_WITH_TRACING = fixture('app-with-tracing.cjs');

const ORDERS = [
  {
    order: "the hook first, then the app's tracing module (--require both)",
    nodeArgs: ['--require', REGISTER_SPECIFIER, '--require', TRACING],
    app: APP,
  },
  {
    order: "the app's tracing module first, then the hook (--require both)",
    nodeArgs: ['--require', TRACING, '--require', REGISTER_SPECIFIER],
    app: APP,
  },
  {
    order: 'the hook, then NodeSDK started at the top of the app',
    nodeArgs: ['--require', REGISTER_SPECIFIER],
    app: APP_WITH_TRACING,
  },
];

describe.each(ORDERS)('an app with its own NodeSDK and auto-instrumentations: $order', ({ nodeArgs, app }) => {
  const backends = backendsForSuite();
  let result: AppResult;
  let ours: OtlpSpan;
  let server: OtlpSpan;

  beforeAll(async () => {
    result = await runApp({ app, hook: 'none', nodeArgs, timeoutMs: 60_000, env: await ownSdkAppEnv(backends) });
    [ours, server] = await ourAndServerSpans(backends.receiver);
  }, 90_000);

  it('runs the app with nothing on stderr: no refused registration, no error', () => {
    expect(result.stderr).toBe('');
    expect([result.code, result.signal]).toEqual([0, null]);
  });

  it("keeps the app's SDK: its service.name on every span, and its HTTP server span", () => {
    expect(backends.receiver.spans().length).toBeGreaterThan(1);
    for (const span of backends.receiver.spans()) expect(span.resource['service.name']).toBe('coexist-shop');
    expect(server.name).toMatch(/^GET/);
  });

  it("records the LLM call as a GenAI span through the app's tracer provider, inside the request's trace, with the exact tokens and cost", () => {
    const { input, output } = printedUsage(result.stdout);
    expect(ours.name).toBe('chat gpt-4o-mini');
    expect(ours.kind).toBe(OTLP_SPAN_KIND.CLIENT);
    expect(ours.attributes['gen_ai.usage.input_tokens']).toBe(input);
    expect(ours.attributes['gen_ai.usage.output_tokens']).toBe(output);
    expect(ours.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(gpt4oMiniUsd(input, output), 12);
    expect(ours.attributes['tokenomics.usage.estimated']).toBe(false);
    expect(ours.traceId).toBe(server.traceId);
    expect(backends.receiver.spans().filter((s) => s.scope.name === OUR_SCOPE)).toHaveLength(1);
  });

  it("records the cost and token metric points through the app's MeterProvider, with the exact value", () => {
    const { input, output } = printedUsage(result.stdout);
    const cost = backends.receiver.metricPoints('tokenomics.cost');
    const costOf = (type: string) => cost.filter((p) => p.attributes['tokenomics.token.type'] === type).map((p) => p.value);
    expect(cost).toHaveLength(2);
    expect(costOf('input')).toEqual([expect.closeTo(gpt4oMiniUsd(input, 0), 12)]);
    expect(costOf('output')).toEqual([expect.closeTo(gpt4oMiniUsd(0, output), 12)]);
    expect(cost.every((p) => p.resource['service.name'] === 'coexist-shop')).toBe(true);
    const tokens = backends.receiver.metricPoints('tokenomics.tokens');
    const byType = (type: string) =>
      tokens.filter((p) => p.attributes['tokenomics.token.type'] === type).reduce((n, p) => n + (p.value ?? 0), 0);
    expect([byType('input'), byType('output')]).toEqual([input, output]);
  });
});

describe('the same app without its own SDK', () => {
  const backends = backendsForSuite();

  it("records the call through the hook's own SDK, with the resource from the environment", async () => {
    const result = await runApp({
      app: APP,
      hook: 'require',
      timeoutMs: 60_000,
      env: {
        OPENAI_BASE_URL: backends.emulator.openaiBaseURL,
        OPENAI_API_KEY: 'sk-coexist-000',
        OTEL_SERVICE_NAME: 'shop-without-sdk',
        ...otlpExportEnv(backends.receiver.url, 'http/protobuf'),
      },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { input, output } = printedUsage(result.stdout);
    const [span, cost] = await backends.receiver.waitFor((r) => {
      const s = r.spans().find((x) => x.scope.name === OUR_SCOPE);
      const c = r.metricPoints('tokenomics.cost');
      return s && c.length > 0 ? ([s, c] as const) : undefined;
    }, 20_000);
    expect(span.resource['service.name']).toBe('shop-without-sdk');
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(input);
    expect(span.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(gpt4oMiniUsd(input, output), 12);
    expect(cost.reduce((n, p) => n + (p.value ?? 0), 0)).toBeCloseTo(gpt4oMiniUsd(input, output), 12);
    // No HTTP instrumentation in this process: the only spans are ours.
    expect(backends.receiver.spans().every((s) => s.scope.name === OUR_SCOPE)).toBe(true);
  });
});

/** The Node.js 22 binary (`npx -y node@22`), or `undefined` when it cannot be fetched. */
function node22(): string | undefined {
  try {
    return execFileSync('npx', ['-y', 'node@22', '-p', 'process.execPath'], {
      encoding: 'utf8',
      timeout: 180_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

/**
 * A copy of the coexistence fixtures whose `node_modules` links the newest openai major (the
 * `openai-v7` alias) under its bare name, next to the app's OpenTelemetry packages and the hook.
 */
function fixturesWithNewestOpenai(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tokenomics-coexist-'));
  for (const name of ['app.cjs', 'tracing.cjs']) copyFileSync(fixture(name), join(dir, name));
  const links: [string, string][] = [
    ['openai', 'openai-v7'],
    ...[
      '@opentelemetry/sdk-node',
      '@opentelemetry/auto-instrumentations-node',
      '@opentelemetry/exporter-trace-otlp-proto',
      '@opentelemetry/exporter-metrics-otlp-proto',
      '@opentelemetry/sdk-metrics',
      '@tokenomics/node',
    ].map((name): [string, string] => [name, name]),
  ];
  for (const [name, installed] of links) {
    const link = join(dir, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(E2E_DIR, 'node_modules', installed), link, 'dir');
  }
  return dir;
}

describe("on Node.js 22 with the newest openai major: the hook first, then the app's NodeSDK", () => {
  const backends = backendsForSuite();
  let dir: string | undefined;

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the app's SDK and records the call through it, with the exact tokens and cost", async (ctx) => {
    const binary = node22();
    if (!binary) {
      console.warn('Node.js 22 could not be fetched with npx; skipping');
      ctx.skip();
      return;
    }
    dir = fixturesWithNewestOpenai();
    const openaiVersion = (createRequire(join(dir, 'app.cjs'))('openai/version') as { VERSION: string }).VERSION;
    expect(openaiVersion).toMatch(/^7\./);
    const result = await runApp({
      app: join(dir, 'app.cjs'),
      hook: 'none',
      execPath: binary,
      cwd: dir,
      nodeArgs: ['--require', REGISTER_SPECIFIER, '--require', './tracing.cjs'],
      timeoutMs: 90_000,
      env: await ownSdkAppEnv(backends),
    });
    expect(result.stderr).toBe('');
    expect([result.code, result.signal]).toEqual([0, null]);
    const { input, output } = printedUsage(result.stdout);
    const [ours, server] = await ourAndServerSpans(backends.receiver);
    expect(ours.resource['service.name']).toBe('coexist-shop');
    expect(ours.resource['process.runtime.version']).toMatch(/^22\./);
    expect(ours.traceId).toBe(server.traceId);
    expect([ours.attributes['gen_ai.usage.input_tokens'], ours.attributes['gen_ai.usage.output_tokens']]).toEqual([input, output]);
    expect(ours.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(gpt4oMiniUsd(input, output), 12);
    const cost = backends.receiver.metricPoints('tokenomics.cost').reduce((n, p) => n + (p.value ?? 0), 0);
    expect(cost).toBeCloseTo(gpt4oMiniUsd(input, output), 12);
  }, 300_000);
});
