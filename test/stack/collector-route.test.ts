/**
 * The Collector route for real: the shipped agent and gateway configs run on an OpenTelemetry
 * Collector built from Go modules (scripts/build-otelcol.mjs), the example service exports through
 * the hook to the agent, the agent forwards to the gateway, and a real Prometheus scrapes the
 * gateway's `prometheus` exporter with the shipped rules. Checks the Prometheus names this route
 * produces (the rules and the README state them) and that the figures survive the trip exactly.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { EXAMPLES, otlpExportEnv } from '../support/examples';
import { startOtlpReceiver, type OtlpReceiver, type OtlpSpan } from '../support/otlp-receiver';
import { OTEL_CONFIG_DIR, otelcolBinary, startCollector, validateConfig, type RunningCollector } from '../support/otelcol';
import { runApp } from '../support/run-app';
import { freePort, Service, tools, waitFor } from './support/processes';
import { compressRules, PromClient, RULE_FILES, startPrometheus, sumOf } from './support/prometheus';

const OTELCOL = otelcolBinary();
if (!OTELCOL) {
  console.warn('collector route tests skipped: no Collector was built (node scripts/build-otelcol.mjs; TOKENOMICS_SKIP_OTELCOL=1 was set)');
}
const AGENT = join(OTEL_CONFIG_DIR, 'agent.yaml');
const GATEWAY = join(OTEL_CONFIG_DIR, 'gateway.yaml');
const SERVICE = 'bike-shop-support';
const SCOPE = '@tokenomics/instrumentation-openai';

describe.skipIf(!OTELCOL)('shipped Collector configs on a real Collector', () => {
  it('validates the agent and gateway configs as shipped', () => {
    for (const file of [AGENT, GATEWAY]) {
      const r = validateConfig(OTELCOL!, [file]);
      expect(r.output).toBe('');
      expect(r.code, `${file}\n${r.output}`).toBe(0);
    }
  });

  it('rejects a pipeline that names a component the build does not have, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenomics-otelcol-validate-'));
    try {
      const bad = join(dir, 'bad.yaml');
      writeFileSync(
        bad,
        stringify({ processors: { groupbytrace: {} }, service: { pipelines: { traces: { processors: ['groupbytrace'] } } } }),
      );
      const r = validateConfig(OTELCOL!, [GATEWAY, bad]);
      expect(r.code).not.toBe(0);
      expect(r.output).toContain('groupbytrace');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!OTELCOL)('hook -> agent -> gateway -> Prometheus, on the shipped configs', () => {
  let tmp: string;
  let emulator: Emulator;
  let traces: OtlpReceiver;
  let agent: RunningCollector | undefined;
  let gateway: RunningCollector | undefined;
  let prometheus: Service | undefined;
  let prom: PromClient | undefined;
  let gatewayMetrics: string;
  let spans: OtlpSpan[];
  let stdout: string;

  const context = () =>
    [agent?.service, gateway?.service, prometheus]
      .filter((s): s is Service => s !== undefined)
      .map((s) => s.tail(20))
      .join('\n');

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'tokenomics-route-'));
    emulator = await startEmulator({ port: 0 });
    traces = await startOtlpReceiver();
    const [gwGrpc, gwHttp, gwProm, gwHealth, gwSelf, agGrpc, agHttp, agHealth, agSelf] = await Promise.all(
      Array.from({ length: 9 }, () => freePort()),
    );
    const selfMetrics = (port: number) => ({ metrics: { readers: [{ pull: { exporter: { prometheus: { host: '127.0.0.1', port } } } }] } });
    gatewayMetrics = `127.0.0.1:${gwProm}`;

    // The gateway as shipped, on test ports; traces go to the test's receiver instead of Tempo,
    // and the remote-write pipeline (no Mimir here) prints instead.
    gateway = await startCollector(OTELCOL!, {
      name: 'gateway',
      configs: [GATEWAY],
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
    // The agent as shipped, pointed at the gateway through its documented variable.
    agent = await startCollector(OTELCOL!, {
      name: 'agent',
      configs: [AGENT],
      health: `127.0.0.1:${agHealth}`,
      env: { TOKENOMICS_GATEWAY_ENDPOINT: `127.0.0.1:${gwGrpc}` },
      overrides: {
        receivers: { otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${agGrpc}` }, http: { endpoint: `127.0.0.1:${agHttp}` } } } },
        extensions: { health_check: { endpoint: `127.0.0.1:${agHealth}` } },
        // The route without the collector stage, as agent.yaml's header describes it.
        service: {
          telemetry: selfMetrics(agSelf),
          pipelines: { traces: { exporters: ['otlp/gateway'] }, metrics: { exporters: ['otlp/gateway'] } },
        },
      },
    });

    const result = await runApp({
      app: join(EXAMPLES, 'openai-cjs', 'app.js'),
      env: {
        OPENAI_BASE_URL: emulator.openaiBaseURL,
        OPENAI_API_KEY: 'sk-e2e-secret-000',
        OTEL_SERVICE_NAME: SERVICE,
        ...otlpExportEnv(`http://127.0.0.1:${agHttp}`, 'http/protobuf'),
      },
      timeoutMs: 30_000,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    stdout = result.stdout;
    spans = await traces.waitFor((r) => {
      const s = r.spans().filter((x) => x.scope.name === SCOPE);
      return s.length === 7 ? s : undefined;
    }, 60_000);

    if (tools.prometheus) {
      const files: string[] = [];
      for (const f of RULE_FILES) {
        writeFileSync(join(tmp, f), compressRules(f, '10s'));
        files.push(join(tmp, f));
      }
      ({ service: prometheus, client: prom } = await startPrometheus(
        tmp,
        {
          global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
          rule_files: files,
          // As collector-config/prometheus/prometheus.yml scrapes the gateway.
          scrape_configs: [{ job_name: 'otel-gateway', honor_labels: true, static_configs: [{ targets: [gatewayMetrics] }] }],
        },
        context,
      ));
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all([agent?.stop(), prometheus?.stop()]);
    await gateway?.stop();
    await traces?.close();
    await emulator?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const spanTotal = () => spans.reduce((sum, s) => sum + Number(s.attributes['gen_ai.usage.cost.amount'] ?? 0), 0);

  /** The gateway's page, once it holds the cost of every call. */
  async function gatewayPage(): Promise<string> {
    return waitFor(
      'the gateway to serve the cost of every call',
      async () => {
        const page = await (await fetch(`http://${gatewayMetrics}/metrics`)).text();
        return Math.abs(sumOf(page, 'tokenomics_cost_USD_total') - spanTotal()) < 1e-12 ? page : undefined;
      },
      60_000,
      context,
      250,
    );
  }

  it('delivers every GenAI span through both Collectors with its cost unchanged', () => {
    expect(stdout).toContain('gpt-4o-mini');
    for (const s of spans) expect(s.resource['service.name']).toBe(SERVICE);
    // Six calls are billed and priced; the seventh is answered 429 and is not billed.
    const priced = spans.filter((s) => s.attributes['gen_ai.usage.cost.amount'] !== undefined);
    expect(priced).toHaveLength(6);
    for (const s of priced) expect(s.attributes['gen_ai.usage.cost.currency']).toBe('USD');
    expect(spanTotal()).toBeGreaterThan(0);
  });

  it('serves the Collector-route Prometheus names the rules and README state, with job = service.name', async () => {
    const page = await gatewayPage();
    const names = new Set(
      page
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.slice(0, l.search(/[{ ]/))),
    );
    for (const name of [
      'tokenomics_cost_USD_total',
      'tokenomics_tokens_total',
      'gen_ai_client_token_usage_bucket',
      'gen_ai_client_token_usage_sum',
      'gen_ai_client_operation_duration_seconds_bucket',
    ]) {
      expect(names, `${name} on the gateway page`).toContain(name);
    }
    expect(names).not.toContain('tokenomics_cost_total');
    // The rules take the service from job on this route: target_info, when served, has no service_name.
    for (const line of page.split('\n').filter((l) => l.startsWith('target_info{'))) expect(line).not.toContain('service_name=');
    const costLine = page.split('\n').find((l) => l.startsWith('tokenomics_cost_USD_total{'))!;
    expect(costLine).toContain(`job="${SERVICE}"`);
    expect(costLine).not.toContain('service_name=');
  });

  it('keeps the cost counter equal to the sum of the span costs after both hops', async () => {
    const page = await gatewayPage();
    expect(sumOf(page, 'tokenomics_cost_USD_total')).toBeCloseTo(spanTotal(), 12);
    const inputTokens = spans.reduce((sum, s) => sum + Number(s.attributes['gen_ai.usage.input_tokens'] ?? 0), 0);
    const outputTokens = spans.reduce((sum, s) => sum + Number(s.attributes['gen_ai.usage.output_tokens'] ?? 0), 0);
    expect(sumOf(page, 'gen_ai_client_token_usage_sum', 'gen_ai_token_type="input"')).toBe(inputTokens);
    expect(sumOf(page, 'gen_ai_client_token_usage_sum', 'gen_ai_token_type="output"')).toBe(outputTokens);
  });

  it.skipIf(!tools.prometheus)('gives the shipped recording rules the service and its spend from the gateway route', async () => {
    const want = spanTotal();
    const got = await waitFor(
      'tokenomics:cost_usd_total for the service',
      async () => {
        const samples = await prom!.query(`sum by (service_name) (tokenomics:cost_usd_total{service_name="${SERVICE}"})`);
        return samples.length === 1 && Math.abs(samples[0]!.value - want) < 1e-12 ? samples : undefined;
      },
      60_000,
      context,
      500,
    );
    expect(got[0]!.labels).toEqual({ service_name: SERVICE });
  });
});
