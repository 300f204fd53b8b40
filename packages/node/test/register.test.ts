import { PriceBook } from '@tokenomics/pricing';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort, isListening } from '../../../test/support/free-port';
import { OTLP_SPAN_KIND, startOtlpReceiver, type OtlpReceiver } from '../../../test/support/otlp-receiver';
import { runApp, startApp, stopAllApps } from '../../../test/support/run-app';

const CJS_APP = fileURLToPath(new URL('./fixtures/telemetry-app.cjs', import.meta.url));
const ESM_APP = fileURLToPath(new URL('./fixtures/telemetry-app.mjs', import.meta.url));
const OWN_SDK = fileURLToPath(new URL('./fixtures/own-sdk.cjs', import.meta.url));

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await startOtlpReceiver();
});
afterEach(async () => {
  stopAllApps();
  await receiver.close();
});

/** GET /metrics, retrying for up to 3 s while the endpoint (started asynchronously) is not yet listening. */
async function scrape(port: number): Promise<string> {
  const deadline = Date.now() + 3_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      return await res.text();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('register hook with no configuration', () => {
  it('serves metrics on 127.0.0.1:9464, prints nothing and exports no traces', async (ctx) => {
    if (await isListening('127.0.0.1', 9464)) ctx.skip(); // the default port is taken on this machine
    const app = startApp({ app: CJS_APP, args: ['--wait'] });
    await app.waitForOutput('ready\n');
    const text = await scrape(9464);
    expect(text).toContain('fixture_requests_total{route="/quote",otel_scope_name="fixture-app"} 3');
    expect(await isListening('127.0.0.2', 9464)).toBe(false);
    app.kill('SIGTERM');
    const result = await app.result;
    expect(result).toMatchObject({ code: null, signal: 'SIGTERM', stdout: 'ready\n', stderr: '' });
  });

  it('binds the Prometheus endpoint to loopback only, on OTEL_EXPORTER_PROMETHEUS_PORT', async () => {
    const port = await freePort();
    const app = startApp({ app: CJS_APP, args: ['--wait'], env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port) } });
    await app.waitForOutput('ready\n');
    const text = await scrape(port);
    expect(text).toContain('# TYPE fixture_requests_total counter');
    expect(text).toContain('fixture_requests_total{route="/quote",otel_scope_name="fixture-app"} 3');
    expect(text).toMatch(/^target_info\{.*service_name="unknown_service:[^"]+".*\} 1$/m);
    expect(await isListening('127.0.0.1', port)).toBe(true);
    expect(await isListening('127.0.0.2', port)).toBe(false);
    app.kill('SIGTERM');
    expect((await app.result).stderr).toBe('');
  });

  it('runs the app normally and silently when the Prometheus port is taken', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    try {
      const port = (blocker.address() as { port: number }).port;
      const result = await runApp({ app: CJS_APP, env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port), FIXTURE_EXIT_CODE: '5' } });
      expect(result).toEqual({ code: 5, signal: null, stdout: '', stderr: '', timedOut: false });
    } finally {
      blocker.close();
    }
  });

  it.each(['require', 'import'] as const)('prints nothing to stdout or stderr (--%s)', async (hook) => {
    const port = await freePort();
    const result = await runApp({
      app: hook === 'require' ? CJS_APP : ESM_APP,
      hook,
      env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port) },
    });
    expect(result).toEqual({ code: 0, signal: null, stdout: '', stderr: '', timedOut: false });
  });
});

describe('register hook exporting over OTLP', () => {
  it.each([
    { protocol: 'http/protobuf', encoding: 'protobuf' },
    { protocol: 'http/json', encoding: 'json' },
  ] as const)('sends spans and metrics as $protocol with the resource from the environment', async ({ protocol, encoding }) => {
    const result = await runApp({
      app: CJS_APP,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_SERVICE_NAME: 'quote-service',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=staging,team=pricing%20ops,service.name=overridden',
      },
    });
    expect(result).toMatchObject({ code: 0, signal: null, stdout: '', stderr: '' });

    const span = await receiver.waitFor((r) => r.spanByName('fixture work'));
    expect(span.kind).toBe(OTLP_SPAN_KIND.INTERNAL);
    expect(span.attributes).toEqual({ 'fixture.build': 'cjs' });
    expect(span.scope.name).toBe('fixture-app');
    expect(span.resource).toMatchObject({
      'service.name': 'quote-service',
      'deployment.environment.name': 'staging',
      team: 'pricing ops',
      'telemetry.sdk.language': 'nodejs',
      'process.runtime.name': 'nodejs',
    });
    const [point] = await receiver.waitFor((r) =>
      r.metricPoints('fixture.requests').length > 0 ? r.metricPoints('fixture.requests') : undefined,
    );
    expect(point).toMatchObject({ type: 'sum', value: 3, isMonotonic: true, attributes: { route: '/quote' } });
    expect(point.resource).toMatchObject({ 'service.name': 'quote-service', team: 'pricing ops' });
    expect(new Set(receiver.requests().map((r) => `${r.path} ${r.encoding} ${r.status}`))).toEqual(
      new Set([`/v1/traces ${encoding} 200`, `/v1/metrics ${encoding} 200`]),
    );
  });

  it('sends OTEL_EXPORTER_OTLP_HEADERS and the per-signal headers and endpoints', async () => {
    const other = await startOtlpReceiver();
    try {
      await runApp({
        app: CJS_APP,
        env: {
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
          OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${other.url}/v1/metrics`,
          OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=secret%3D1,x-team=pricing',
          OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-team=traces',
        },
      });
      await receiver.waitFor((r) => r.spanByName('fixture work'));
      await other.waitFor((r) => r.metricPoints('fixture.requests').length > 0);
      const traces = receiver.requests().find((r) => r.path === '/v1/traces')!;
      const metrics = other.requests().find((r) => r.path === '/v1/metrics')!;
      expect([traces.headers['x-api-key'], traces.headers['x-team']]).toEqual(['secret=1', 'traces']);
      expect([metrics.headers['x-api-key'], metrics.headers['x-team']]).toEqual(['secret=1', 'pricing']);
      expect(receiver.metricNames()).toEqual([]);
      expect(other.spans()).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('with OTEL_TRACES_EXPORTER=none and OTEL_METRICS_EXPORTER=otlp sends metrics only', async () => {
    await runApp({
      app: CJS_APP,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'otlp' },
    });
    await receiver.waitFor((r) => r.metricPoints('fixture.requests').length > 0);
    expect(receiver.spans()).toEqual([]);
  });

  it('with an endpoint set, does not open the Prometheus port unless OTEL_METRICS_EXPORTER names it', async () => {
    const port = await freePort();
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_PROMETHEUS_PORT: String(port) };
    const otlpOnly = startApp({ app: CJS_APP, args: ['--wait'], env });
    await otlpOnly.waitForOutput('ready\n');
    await new Promise((resolve) => setTimeout(resolve, 500)); // the endpoint would be up by now
    expect(await isListening('127.0.0.1', port)).toBe(false);
    otlpOnly.kill('SIGTERM');
    await otlpOnly.result;

    const both = startApp({ app: CJS_APP, args: ['--wait'], env: { ...env, OTEL_METRICS_EXPORTER: 'otlp,prometheus' } });
    await both.waitForOutput('ready\n');
    expect(await scrape(port)).toContain('fixture_requests_total{route="/quote",otel_scope_name="fixture-app"} 3');
    both.kill('SIGTERM');
    await both.result;
    await receiver.waitFor((r) => r.metricPoints('fixture.requests').length > 0);
  });
});

describe('register hook with bad configuration', () => {
  it.each(['require', 'import'] as const)(
    'fails fast before the app runs, naming variable, value and accepted values (--%s)',
    async (hook) => {
      const result = await runApp({ app: hook === 'require' ? CJS_APP : ESM_APP, hook, env: { OTEL_METRICS_EXPORTER: 'promethus' } });
      expect(result).toEqual({
        code: 1,
        signal: null,
        stdout: '',
        stderr: '@tokenomics/node: OTEL_METRICS_EXPORTER=promethus: unknown exporter; accepted: otlp, prometheus, console, none\n',
        timedOut: false,
      });
    },
  );

  it('fails fast on a price override file that cannot be read, naming variable and file', async () => {
    const missing = fileURLToPath(new URL('./fixtures/no-such-overrides.yaml', import.meta.url));
    const result = await runApp({ app: CJS_APP, env: { TOKENOMICS_PRICE_OVERRIDES: missing } });
    // The file problem is worded by @tokenomics/pricing; the hook prefixes the variable.
    let problem = '';
    try {
      PriceBook.load({ overridesFile: missing });
    } catch (err) {
      problem = (err as Error).message;
    }
    expect(problem).toContain(missing);
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: `@tokenomics/node: TOKENOMICS_PRICE_OVERRIDES: ${problem}\n` });
  });

  it('lists every problem, one line each, and never echoes header values', async () => {
    const result = await runApp({
      app: CJS_APP,
      env: {
        OTEL_TRACES_EXPORTER: 'otlp,zipkin',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/xml',
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer s3cr3t,justatoken',
        OTEL_EXPORTER_PROMETHEUS_PORT: '99999',
        TOKENOMICS_OPENAI_STREAM_USAGE: 'yes',
      },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toEqual([
      '@tokenomics/node: OTEL_EXPORTER_OTLP_PROTOCOL=http/xml: unknown protocol; accepted: http/protobuf, http/json, grpc',
      '@tokenomics/node: OTEL_EXPORTER_OTLP_HEADERS (value not shown): entry 2 of 2 is not key=value; accepted: comma-separated key=value pairs with percent-encoded values, e.g. key1=value1,key2=value%202',
      '@tokenomics/node: OTEL_TRACES_EXPORTER=otlp,zipkin: unknown exporter "zipkin"; accepted: otlp, console, none',
      '@tokenomics/node: OTEL_EXPORTER_PROMETHEUS_PORT=99999: not accepted; accepted: a TCP port number from 1 to 65535',
      '@tokenomics/node: TOKENOMICS_OPENAI_STREAM_USAGE=yes: unknown value; accepted: inject, off',
      '',
    ]);
    expect(result.stderr).not.toContain('s3cr3t');
    expect(result.stderr).not.toContain('justatoken');
  });
});

describe('register hook with ESM and CommonJS', () => {
  it('--import patches both the ESM and the CommonJS build of a client library, distinct classes', async () => {
    const port = await freePort();
    const result = await runApp({
      app: ESM_APP,
      hook: 'import',
      env: { FIXTURE_REPORT: '1', OTEL_EXPORTER_PROMETHEUS_PORT: String(port) },
    });
    expect(result).toMatchObject({ code: 0, stderr: '', stdout: 'mode=sdk distinct-builds=true esm-patched=true cjs-patched=true\n' });
  });

  it('--require alone patches the CommonJS build only (ESM builds need --import)', async () => {
    const port = await freePort();
    const result = await runApp({
      app: ESM_APP,
      hook: 'require',
      env: { FIXTURE_REPORT: '1', OTEL_EXPORTER_PROMETHEUS_PORT: String(port) },
    });
    expect(result).toMatchObject({ code: 0, stderr: '', stdout: 'mode=sdk distinct-builds=true esm-patched=false cjs-patched=true\n' });
  });

  it('--require with a CommonJS app patches the client library', async () => {
    const port = await freePort();
    const result = await runApp({
      app: CJS_APP,
      hook: 'require',
      env: { FIXTURE_REPORT: '1', OTEL_EXPORTER_PROMETHEUS_PORT: String(port) },
    });
    expect(result).toMatchObject({ code: 0, stderr: '', stdout: 'mode=sdk openai-patched=true\n' });
  });

  it('--require and --import together start one SDK and patch both builds', async () => {
    const result = await runApp({
      app: ESM_APP,
      hook: 'both',
      env: { FIXTURE_REPORT: '1', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_LOG_LEVEL: 'info' },
    });
    // With OTEL_LOG_LEVEL, diag lines go to the console too.
    expect(result.stdout.split('\n').filter((l) => l.startsWith('mode='))).toEqual([
      'mode=sdk distinct-builds=true esm-patched=true cjs-patched=true',
    ]);
    expect((result.stdout + result.stderr).match(/@tokenomics\/node: started;/g)).toHaveLength(1);
    expect(result.stderr).toBe('');
    await receiver.waitFor((r) => r.spanByName('fixture work'));
    await receiver.waitFor((r) => r.metricPoints('fixture.requests').length > 0);
    expect(receiver.spans().map((s) => s.name)).toEqual(['fixture work']);
    expect(receiver.metricPoints('fixture.requests')).toHaveLength(1);
  });

  it('an ESM app exports over OTLP through --import', async () => {
    await runApp({ app: ESM_APP, hook: 'import', env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'esm-app' } });
    const span = await receiver.waitFor((r) => r.spanByName('fixture work'));
    expect(span.attributes).toEqual({ 'fixture.build': 'esm' });
    expect(span.resource['service.name']).toBe('esm-app');
  });
});

describe('register hook when the app already registered an SDK', () => {
  it('starts no second SDK and registers its instrumentations against the existing providers', async () => {
    const port = await freePort();
    const result = await runApp({
      app: CJS_APP,
      nodeArgs: ['--require', OWN_SDK],
      env: {
        OWN_SDK_OTLP_URL: receiver.url,
        FIXTURE_REPORT: '1',
        OTEL_LOG_LEVEL: 'info',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      },
    });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      '@tokenomics/node: an OpenTelemetry SDK is already registered (global TracerProvider and MeterProvider); not starting another. ' +
        "Tokenomics instrumentations were registered against the existing providers; exporters, resource and flushing stay the app's.",
      'mode=existing-sdk openai-patched=true',
      '',
    ]);
    expect(result.stderr).toBe('');
    const span = await receiver.waitFor((r) => r.spanByName('fixture work'));
    await receiver.waitFor((r) => r.metricPoints('fixture.requests').length > 0);
    expect(span.resource).toEqual({ 'service.name': 'own-sdk' });
    expect(receiver.spans()).toHaveLength(1);
    expect(receiver.metricPoints('fixture.requests')).toHaveLength(1);
  });
});
