/**
 * Two replicas of the Tokenomics collector stage feed one real gateway Collector (the shipped
 * gateway.yaml, test ports): each replica sends its cost counters with its own
 * `service.instance.id`, so the gateway's prometheus exporter keeps one series per replica
 * (`instance` label) under the same `job` (the priced spans' `service.name`), and a sum over the
 * job is the service's spend, however the calls were spread over the replicas.
 *
 * List prices, USD per million tokens: gpt-4o-mini $0.15 input / $0.60 output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenomicsCollector } from '../../packages/collector/src/index';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';
import { join } from 'node:path';
import { OTEL_CONFIG_DIR, otelcolBinary, startCollector, type RunningCollector } from '../support/otelcol';
import { freePort, waitFor } from './support/processes';
import { sumOf } from './support/prometheus';

const OTELCOL = otelcolBinary();
if (!OTELCOL) console.warn('collector replica tests skipped: no Collector was built (node scripts/build-otelcol.mjs)');
const SERVICE = 'claims-api';

/** One chat span of `SERVICE` as an OTLP/JSON trace request; `cached` writes an explicit cache-read count. */
function chatRequest(traceId: string, input: number, output: number, cached?: number): string {
  const attributes = [
    { key: 'gen_ai.provider.name', value: { stringValue: 'openai' } },
    { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
    { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
    { key: 'gen_ai.usage.input_tokens', value: { intValue: String(input) } },
    { key: 'gen_ai.usage.output_tokens', value: { intValue: String(output) } },
  ];
  if (cached !== undefined) attributes.push({ key: 'gen_ai.usage.cache_read.input_tokens', value: { intValue: String(cached) } });
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: SERVICE } }] },
        scopeSpans: [
          {
            scope: { name: 'claims.genai' },
            spans: [
              {
                traceId,
                spanId: traceId.slice(0, 16),
                name: 'chat gpt-4o-mini',
                kind: 3,
                startTimeUnixNano: '1764000000000000000',
                endTimeUnixNano: '1764000001000000000',
                attributes,
              },
            ],
          },
        ],
      },
    ],
  });
}

describe.skipIf(!OTELCOL)('two collector stage replicas -> one gateway Collector', () => {
  let traces: OtlpReceiver;
  let gateway: RunningCollector | undefined;
  const replicas: TokenomicsCollector[] = [];
  let gatewayMetrics: string;

  beforeAll(async () => {
    traces = await startOtlpReceiver();
    const [gwGrpc, gwHttp, gwProm, gwHealth, gwSelf] = await Promise.all(Array.from({ length: 5 }, () => freePort()));
    gatewayMetrics = `127.0.0.1:${gwProm}`;
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
          telemetry: { metrics: { readers: [{ pull: { exporter: { prometheus: { host: '127.0.0.1', port: gwSelf } } } }] } },
        },
      },
    });
    for (const instanceId of ['stage-a', 'stage-b']) {
      const stage = new TokenomicsCollector({
        http: { host: '127.0.0.1', port: 0 },
        destinations: [{ endpoint: `http://127.0.0.1:${gwHttp}` }],
        metricsIntervalMs: 3_600_000,
        instanceId,
      });
      await stage.start();
      replicas.push(stage);
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.shutdown()));
    await gateway?.stop();
    await traces?.close();
  });

  const post = async (stage: TokenomicsCollector, body: string) => {
    const res = await fetch(`http://${stage.addresses.http}/v1/traces`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
  };

  /** The gateway page once the job's cost counters of both replicas hold `want` (USD, by instance). */
  const gatewayPageWith = (want: Record<string, number>) =>
    waitFor(
      'the gateway to serve both replicas’ cost counters',
      async () => {
        const page = await (await fetch(`http://${gatewayMetrics}/metrics`)).text();
        const ok = Object.entries(want).every(
          ([instance, usd]) =>
            Math.abs(sumOf(page, 'tokenomics_cost_USD_total', `job="${SERVICE}"`, `instance="${instance}"`) - usd) < 1e-12,
        );
        return ok ? page : undefined;
      },
      60_000,
      () => gateway?.service.tail(20) ?? '',
      250,
    );

  it('keeps one cost series per replica under the same job, and the sum over the job is the spend of every call', async () => {
    const [a, b] = replicas as [TokenomicsCollector, TokenomicsCollector];
    // stage-a: two calls of 1000 in / 200 out = 2 x ($0.00015 + $0.00012) = $0.00054
    await post(a, chatRequest('a1000000000000000000000000000001', 1000, 200));
    await post(a, chatRequest('a1000000000000000000000000000002', 1000, 200));
    // stage-b: one call of 4000 in / 500 out = $0.0006 + $0.0003 = $0.0009
    await post(b, chatRequest('b1000000000000000000000000000001', 4000, 500));
    a.flushCostMetrics();
    b.flushCostMetrics();
    const page = await gatewayPageWith({ 'stage-a': 0.00054, 'stage-b': 0.0009 });
    expect(sumOf(page, 'tokenomics_cost_USD_total', `job="${SERVICE}"`)).toBeCloseTo(0.00144, 12);
    expect(sumOf(page, 'tokenomics_tokens_total', `job="${SERVICE}"`, 'tokenomics_token_type="input"')).toBe(6000);
    // The span shows no cache count and gpt-4o-mini's cached input is cheaper: input is an estimate.
    expect(
      sumOf(page, 'tokenomics_cost_USD_total', `job="${SERVICE}"`, 'tokenomics_token_type="input"', 'tokenomics_usage_estimated="true"'),
    ).toBeCloseTo(0.0009, 12);
  });

  it('moves only the series of the replica that priced more calls (cumulative series do not overwrite each other)', async () => {
    const [a, b] = replicas as [TokenomicsCollector, TokenomicsCollector];
    // stage-b: one more call of 1000 in / 200 out with an explicit zero cache count: $0.00027, exact.
    await post(b, chatRequest('b1000000000000000000000000000002', 1000, 200, 0));
    b.flushCostMetrics();
    a.flushCostMetrics();
    const page = await gatewayPageWith({ 'stage-a': 0.00054, 'stage-b': 0.00117 });
    expect(sumOf(page, 'tokenomics_cost_USD_total', `job="${SERVICE}"`)).toBeCloseTo(0.00171, 12);
    expect(
      sumOf(page, 'tokenomics_cost_USD_total', `job="${SERVICE}"`, 'instance="stage-b"', 'tokenomics_usage_estimated="false"'),
    ).toBeCloseTo(0.0003 + 0.00015 + 0.00012, 12); // first call's output, second call's input and output
  });
});
