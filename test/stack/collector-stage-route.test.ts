/**
 * The shipped fleet route for real: services -> agent Collector -> Tokenomics collector stage ->
 * gateway Collector -> Prometheus, on the shipped configs (agent.yaml, tokenomics-stage.yaml run by
 * `tokenomics collector --config`, gateway.yaml) with test ports, and a real OpenTelemetry Collector
 * built from Go modules (scripts/build-otelcol.mjs).
 *
 * Two services: the example app under the Tokenomics hook, and a service instrumented with the
 * official contrib `@opentelemetry/instrumentation-openai` (no cost of its own). The hook's spans
 * pass the stage untouched (priced once, by the hook); the contrib service's GenAI spans arrive
 * priced by the stage at the list prices; the app's own span arrives as it was sent; the stage's cost
 * counters reach Prometheus through the gateway with the span figures, under the stage replica's
 * `instance`. The contrib service also sends `gen_ai.client.token.usage` histograms: by default the
 * stage counts its cost from the spans only, so its spend is counted once.
 *
 * List prices, USD per million tokens: gpt-4o-mini $0.15 in / $0.60 out; gpt-4o $2.50 in / $10 out
 * (the contrib instrumentation does not report the cached share: priced at the uncached rate);
 * text-embedding-3-small $0.02 in.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { EXAMPLES, otlpExportEnv } from '../support/examples';
import { startOtlpReceiver, type OtlpReceiver, type OtlpSpan } from '../support/otlp-receiver';
import { OTEL_CONFIG_DIR, otelcolBinary, startCollector, type RunningCollector } from '../support/otelcol';
import { runApp } from '../support/run-app';
import { freePort, Service, tools, waitFor } from './support/processes';
import { PromClient, startPrometheus, sumOf } from './support/prometheus';

const OTELCOL = otelcolBinary();
if (!OTELCOL) console.warn('collector stage route tests skipped: no Collector was built (node scripts/build-otelcol.mjs)');
const ROOT = join(__dirname, '..', '..');
const HOOKED = 'bike-shop-support';
const CONTRIB = 'bike-shop-contrib';
const STAGE_INSTANCE = 'tokenomics-stage-0';
const CONTRIB_APP = join(__dirname, '..', 'fixtures', 'collector', 'openai-sdk-app.cjs');
const RATES: Record<string, { input: number; output: number }> = {
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
};
interface ApiUsage {
  prompt_tokens: number;
  completion_tokens?: number;
}

describe.skipIf(!OTELCOL)('hook and contrib services -> agent -> collector stage -> gateway -> Prometheus, on the shipped configs', () => {
  let tmp: string;
  let emulator: Emulator;
  let traces: OtlpReceiver;
  let agent: RunningCollector | undefined;
  let gateway: RunningCollector | undefined;
  let stage: Service | undefined;
  let prometheus: Service | undefined;
  let prom: PromClient | undefined;
  let gatewayMetrics: string;
  let stageTelemetry: string;
  let contribUsage: Record<string, ApiUsage>;

  const context = () =>
    [agent?.service, stage, gateway?.service, prometheus]
      .filter((s): s is Service => s !== undefined)
      .map((s) => s.tail(20))
      .join('\n');
  const spansOf = (service: string) => traces.spans().filter((s) => s.resource['service.name'] === service);
  const isGenAi = (s: OtlpSpan) => s.attributes['gen_ai.request.model'] !== undefined;
  const cost = (s: OtlpSpan) => Number(s.attributes['gen_ai.usage.cost.amount'] ?? 0);

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'tokenomics-stage-route-'));
    emulator = await startEmulator({ port: 0 });
    traces = await startOtlpReceiver();
    const ports = await Promise.all(Array.from({ length: 12 }, () => freePort()));
    const [gwGrpc, gwHttp, gwProm, gwHealth, gwSelf, agGrpc, agHttp, agHealth, agSelf, stHttp, stGrpc, stTelemetry] = ports;
    const selfMetrics = (port: number) => ({ metrics: { readers: [{ pull: { exporter: { prometheus: { host: '127.0.0.1', port } } } }] } });
    gatewayMetrics = `127.0.0.1:${gwProm}`;
    stageTelemetry = `127.0.0.1:${stTelemetry}`;

    gateway = await startCollector(OTELCOL!, {
      name: 'gateway',
      configs: [join(OTEL_CONFIG_DIR, 'gateway.yaml')],
      health: `127.0.0.1:${gwHealth}`,
      overrides: {
        receivers: { otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${gwGrpc}` }, http: { endpoint: `127.0.0.1:${gwHttp}` } } } },
        exporters: { prometheus: { endpoint: gatewayMetrics }, 'otlphttp/test': { endpoint: traces.url, compression: 'none' } },
        extensions: { health_check: { endpoint: `127.0.0.1:${gwHealth}` } },
        service: {
          pipelines: { traces: { exporters: ['otlphttp/test'] }, 'metrics/remote_write': { exporters: ['debug'] } },
          telemetry: selfMetrics(gwSelf),
        },
      },
    });

    // The stage as shipped, on test addresses, sending its cost counters every second.
    const stageConfig = parse(readFileSync(join(OTEL_CONFIG_DIR, 'tokenomics-stage.yaml'), 'utf8'));
    stageConfig.receivers.http.endpoint = `127.0.0.1:${stHttp}`;
    stageConfig.receivers.grpc.endpoint = `127.0.0.1:${stGrpc}`;
    stageConfig.telemetry.endpoint = stageTelemetry;
    stageConfig.metrics_interval = '1s';
    stageConfig.instance_id = STAGE_INSTANCE;
    const stageFile = join(tmp, 'tokenomics-stage.yaml');
    writeFileSync(stageFile, stringify(stageConfig));
    stage = new Service(
      'stage',
      process.execPath,
      [join(ROOT, 'packages', 'cli', 'bin', 'tokenomics.js'), 'collector', '--config', stageFile],
      {
        env: { ...process.env, TOKENOMICS_FORWARD_ENDPOINT: `http://127.0.0.1:${gwHttp}` },
      },
    );
    await waitFor('the stage to be healthy', async () => (await fetch(`http://${stageTelemetry}/health`)).ok, 60_000, context, 200);

    // The agent as shipped: both pipelines go to the stage, named through its documented variable.
    agent = await startCollector(OTELCOL!, {
      name: 'agent',
      configs: [join(OTEL_CONFIG_DIR, 'agent.yaml')],
      health: `127.0.0.1:${agHealth}`,
      env: { TOKENOMICS_STAGE_ENDPOINT: `http://127.0.0.1:${stHttp}` },
      overrides: {
        receivers: { otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${agGrpc}` }, http: { endpoint: `127.0.0.1:${agHttp}` } } } },
        extensions: { health_check: { endpoint: `127.0.0.1:${agHealth}` } },
        service: { telemetry: selfMetrics(agSelf) },
      },
    });

    const hooked = await runApp({
      app: join(EXAMPLES, 'openai-cjs', 'app.js'),
      env: {
        OPENAI_BASE_URL: emulator.openaiBaseURL,
        OPENAI_API_KEY: 'sk-e2e-secret-000',
        OTEL_SERVICE_NAME: HOOKED,
        ...otlpExportEnv(`http://127.0.0.1:${agHttp}`, 'http/protobuf'),
      },
      timeoutMs: 60_000,
    });
    expect(hooked.code, hooked.stderr).toBe(0);
    const contrib = await runApp({
      app: CONTRIB_APP,
      hook: 'none',
      env: {
        APP_INSTRUMENTATION: 'contrib',
        OPENAI_BASE_URL: emulator.openaiBaseURL,
        OTEL_SERVICE_NAME: CONTRIB,
        ...otlpExportEnv(`http://127.0.0.1:${agHttp}`, 'http/protobuf'),
        OTEL_LOGS_EXPORTER: 'none',
      },
      timeoutMs: 60_000,
    });
    expect(contrib.code, contrib.stderr).toBe(0);
    contribUsage = JSON.parse(contrib.stdout.trim().split('\n').at(-1) as string) as Record<string, ApiUsage>;
    await traces.waitFor((r) => {
      const hookSpans = r.spans().filter((s) => s.resource['service.name'] === HOOKED && isGenAi(s));
      const contribSpans = r.spans().filter((s) => s.resource['service.name'] === CONTRIB);
      return hookSpans.length === 7 && contribSpans.length === 4;
    }, 60_000);

    if (tools.prometheus) {
      ({ service: prometheus, client: prom } = await startPrometheus(
        tmp,
        {
          global: { scrape_interval: '1s', scrape_timeout: '900ms' },
          scrape_configs: [{ job_name: 'otel-gateway', honor_labels: true, static_configs: [{ targets: [gatewayMetrics] }] }],
        },
        context,
      ));
    }
  }, 240_000);

  afterAll(async () => {
    await Promise.all([agent?.stop(), prometheus?.stop()]);
    await stage?.stop(15_000);
    await gateway?.stop();
    await traces?.close();
    await emulator?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const listPrice = (model: string, u: ApiUsage) =>
    (u.prompt_tokens * RATES[model].input + (u.completion_tokens ?? 0) * RATES[model].output) / 1e6;

  it("prices the contrib service's GenAI spans in the stage, once each, at the list prices", () => {
    const genai = spansOf(CONTRIB).filter(isGenAi);
    expect(genai.map((s) => s.attributes['gen_ai.request.model']).sort()).toEqual(['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small']);
    for (const span of genai) {
      const model = String(span.attributes['gen_ai.request.model']);
      expect(span.attributes['gen_ai.usage.cost.amount'], model).toBeCloseTo(listPrice(model, contribUsage[model]), 12);
      expect(span.attributes['gen_ai.usage.cost.source']).toBe('local');
      expect(span.attributes['tokenomics.unpriced']).toBeUndefined();
      expect(span.attributes['tokenomics.duplicate_of']).toBeUndefined();
    }
  });

  it("passes the contrib service's own span through unchanged", () => {
    const root = spansOf(CONTRIB).find((s) => s.name === 'handle support request')!;
    expect(root.attributes).toEqual({ 'http.route': '/support', 'bike_shop.ticket': 4711 });
  });

  it("passes the hook's spans, already priced, through the stage with one cost each", () => {
    const genai = spansOf(HOOKED).filter(isGenAi);
    const priced = genai.filter((s) => s.attributes['gen_ai.usage.cost.amount'] !== undefined);
    // Six calls are billed and priced by the hook; the seventh is answered 429 and is not billed.
    expect(priced).toHaveLength(6);
    for (const s of genai) expect(s.attributes['tokenomics.duplicate_of']).toBeUndefined();
    // The stage adds nothing to a span the hook priced (its price-book version stays the hook's).
    for (const s of priced) expect(Object.keys(s.attributes).filter((k) => k === 'gen_ai.usage.cost.amount')).toHaveLength(1);
  });

  it("counts the contrib service's priced spans in the stage's own metrics", async () => {
    const page = await waitFor(
      'the stage to count its priced spans',
      async () => {
        const text = await (await fetch(`http://${stageTelemetry}/metrics`)).text();
        return sumOf(text, 'tokenomics_collector_enriched_total') >= 3 ? text : undefined;
      },
      30_000,
      context,
      250,
    );
    expect(sumOf(page, 'tokenomics_collector_enriched_total')).toBe(3);
    expect(sumOf(page, 'tokenomics_collector_dropped_total')).toBe(0);
  });

  /** The gateway page once it holds the stage's cost counter for the contrib service's spans. */
  async function gatewayPage(): Promise<string> {
    const want = spansOf(CONTRIB)
      .filter(isGenAi)
      .reduce((sum, s) => sum + cost(s), 0);
    return waitFor(
      "the gateway to serve the stage's cost counter",
      async () => {
        const page = await (await fetch(`http://${gatewayMetrics}/metrics`)).text();
        const got = sumOf(page, 'tokenomics_cost_USD_total', `job="${CONTRIB}"`, 'otel_scope_name="@tokenomics/collector"');
        return Math.abs(got - want) < 1e-12 ? page : undefined;
      },
      60_000,
      context,
      250,
    );
  }

  it('serves both services spend on the gateway with the span figures, under job = service.name', async () => {
    const page = await gatewayPage();
    const hookTotal = spansOf(HOOKED).reduce((sum, s) => sum + cost(s), 0);
    expect(sumOf(page, 'tokenomics_cost_USD_total', `job="${HOOKED}"`)).toBeCloseTo(hookTotal, 12);
    const contribTotal = spansOf(CONTRIB).reduce((sum, s) => sum + cost(s), 0);
    expect(sumOf(page, 'tokenomics_cost_USD_total', `job="${CONTRIB}"`, 'otel_scope_name="@tokenomics/collector"')).toBeCloseTo(
      contribTotal,
      12,
    );
    const tokens = spansOf(CONTRIB)
      .filter(isGenAi)
      .reduce((sum, s) => sum + Number(s.attributes['gen_ai.usage.input_tokens']), 0);
    expect(
      sumOf(
        page,
        'tokenomics_tokens_total',
        `job="${CONTRIB}"`,
        'otel_scope_name="@tokenomics/collector"',
        'tokenomics_token_type="input"',
      ),
    ).toBe(tokens);
  });

  // The contrib service sends spans AND gen_ai.client.token.usage histograms: the stage counts its
  // cost from the spans (the default), and forwards the histograms without a cost of their own.
  it("counts the contrib service's spend once on the gateway, whatever the scope", async () => {
    const page = await gatewayPage();
    const contribTotal = spansOf(CONTRIB).reduce((sum, s) => sum + cost(s), 0);
    expect(sumOf(page, 'tokenomics_cost_USD_total', `job="${CONTRIB}"`)).toBeCloseTo(contribTotal, 12);
    expect(page).toContain('gen_ai_client_token_usage');
    expect(sumOf(page, 'tokenomics_cost_USD_total', `job="${CONTRIB}"`, 'otel_scope_name="@tokenomics/exporter"')).toBe(0);
  });

  it("sends the stage's cost counters under the stage replica's instance", async () => {
    const page = await gatewayPage();
    const contribTotal = spansOf(CONTRIB).reduce((sum, s) => sum + cost(s), 0);
    expect(sumOf(page, 'tokenomics_cost_USD_total', `job="${CONTRIB}"`, `instance="${STAGE_INSTANCE}"`)).toBeCloseTo(contribTotal, 12);
  });

  it("flags the contrib service's chat input cost estimated (no cache count on its spans), and the rest exact", async () => {
    const page = await gatewayPage();
    // gpt-4o and gpt-4o-mini price cached input lower: their input figure is an upper bound.
    const chatInput = (['gpt-4o', 'gpt-4o-mini'] as const).reduce(
      (sum, m) => sum + (contribUsage[m].prompt_tokens * RATES[m].input) / 1e6,
      0,
    );
    const estimated = sumOf(page, 'tokenomics_cost_USD_total', `job="${CONTRIB}"`, 'tokenomics_usage_estimated="true"');
    expect(estimated).toBeCloseTo(chatInput, 12);
    const contribTotal = spansOf(CONTRIB).reduce((sum, s) => sum + cost(s), 0);
    const exact = sumOf(page, 'tokenomics_cost_USD_total', `job="${CONTRIB}"`, 'tokenomics_usage_estimated="false"');
    expect(exact).toBeCloseTo(contribTotal - chatInput, 12);
    for (const span of spansOf(CONTRIB).filter(isGenAi)) {
      const model = String(span.attributes['gen_ai.request.model']);
      expect(span.attributes['tokenomics.usage.estimated'], model).toBe(model === 'text-embedding-3-small' ? undefined : true);
    }
  });

  it.skipIf(!tools.prometheus)('gives Prometheus the same figures through the gateway', async () => {
    const page = await gatewayPage();
    const want = sumOf(page, 'tokenomics_cost_USD_total', `job="${CONTRIB}"`, 'otel_scope_name="@tokenomics/collector"');
    const got = await waitFor(
      'Prometheus to scrape the stage cost counter',
      async () => {
        const samples = await prom!.query(`sum(tokenomics_cost_USD_total{job="${CONTRIB}", otel_scope_name="@tokenomics/collector"})`);
        return samples.length === 1 && Math.abs(samples[0]!.value - want) < 1e-12 ? samples : undefined;
      },
      60_000,
      context,
      500,
    );
    expect(got[0]!.value).toBeCloseTo(want, 12);
  });
});
