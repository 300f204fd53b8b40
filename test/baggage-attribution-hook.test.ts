import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpExportEnv } from './support/examples';
import { startOtlpReceiver, type OtlpReceiver, type OtlpSpan } from './support/otlp-receiver';
import { E2E_DIR, runApp, startApp, stopAllApps, type AppResult } from './support/run-app';

// Two services, each a child process with the hook: a gateway that attributes each request to a
// tenant and calls a downstream service over HTTP with the W3C baggage header, and the downstream
// service, which makes the LLM call. Attribution crosses the wire only when the gateway asks.
const GATEWAY = join(E2E_DIR, 'fixtures', 'baggage', 'gateway.cjs');
const DOWNSTREAM = join(E2E_DIR, 'fixtures', 'baggage', 'downstream.cjs');

// gpt-4o-mini list prices, USD per million tokens: $0.15 input, $0.60 output.
const usd = (input: number, output: number) => (input * 0.15 + output * 0.6) / 1e6;

describe('attribution from OpenTelemetry Baggage across two services over HTTP', () => {
  let emulator: Emulator;
  let receiver: OtlpReceiver;
  let gateway: AppResult;
  let downstream: AppResult;
  let spans: OtlpSpan[];

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    receiver = await startOtlpReceiver();
    const env = (service: string) => ({
      ...otlpExportEnv(receiver.url, 'http/protobuf'),
      OTEL_SERVICE_NAME: service,
      OPENAI_BASE_URL: emulator.openaiBaseURL,
    });
    const served = startApp({ app: DOWNSTREAM, args: ['3'], env: env('search-api'), timeoutMs: 60_000 });
    await served.waitForOutput('listening ', 30_000);
    const port = /listening (\d+)/.exec(served.stdout())![1];
    gateway = await runApp({ app: GATEWAY, args: [port], env: env('gateway'), timeoutMs: 60_000 });
    downstream = await served.result;
    spans = await receiver.waitFor((r) => {
      const s = r.spans().filter((x) => x.scope.name === '@tokenomics/instrumentation-openai');
      return s.length === 3 && r.metricPoints('tokenomics.cost').length > 0 ? s : undefined;
    }, 30_000);
  }, 120_000);

  afterAll(async () => {
    stopAllApps();
    await receiver?.close();
    await emulator?.close();
  });

  const byRoute = (route: string) => {
    const found = spans.filter((s) => s.attributes['tokenomics.attribution.route'] === route);
    expect(found, route).toHaveLength(1);
    return found[0];
  };

  it('runs both services to completion with nothing on stderr', () => {
    expect(gateway.stderr).toBe('');
    expect(gateway.code).toBe(0);
    expect(downstream.stderr).toBe('');
    expect(downstream.code).toBe(0);
    expect(gateway.stdout).toMatch(/^propagated 200 \{/m);
  });

  it("attributes the downstream service's LLM call to the tenant and feature the gateway set with propagate: true", () => {
    const span = byRoute('propagated');
    expect(span.resource['service.name']).toBe('search-api');
    expect(span.attributes['tokenomics.attribution.tenant']).toBe('acme');
    expect(span.attributes['tokenomics.attribution.feature']).toBe('search');
    const usage = JSON.parse(/^propagated 200 (.*)$/m.exec(gateway.stdout)![1]) as { prompt_tokens: number; completion_tokens: number };
    expect(span.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(usd(usage.prompt_tokens, usage.completion_tokens), 15);
  });

  it('keeps attribution in the gateway when withAttribution() is not asked to propagate', () => {
    const span = byRoute('local');
    expect(span.attributes['tokenomics.attribution.tenant']).toBeUndefined();
    expect(span.attributes['tokenomics.attribution.feature']).toBeUndefined();
  });

  it('cuts a baggage value to 128 characters', () => {
    expect(byRoute('long').attributes['tokenomics.attribution.tenant']).toBe('t'.repeat(128));
  });

  it('puts the propagated tenant and feature on the downstream cost metric, and the route (not allow-listed) on no metric', () => {
    const points = receiver.metricPoints('tokenomics.cost').filter((p) => p.resource['service.name'] === 'search-api');
    const acme = points.filter((p) => p.attributes['tokenomics.attribution.tenant'] === 'acme');
    expect(acme.length).toBeGreaterThan(0);
    for (const p of acme) expect(p.attributes['tokenomics.attribution.feature']).toBe('search');
    const span = byRoute('propagated');
    const total = acme.reduce((sum, p) => sum + (p.value ?? 0), 0);
    expect(total).toBeCloseTo(span.attributes['gen_ai.usage.cost.amount'] as number, 15);
    for (const p of points) expect(p.attributes['tokenomics.attribution.route']).toBeUndefined();
  });
});
