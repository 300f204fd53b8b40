/**
 * Several collector stage replicas behind the agent's `loadbalancing` exporter: a real agent
 * Collector (the shipped agent.yaml with agent-loadbalancing.yaml merged, a static resolver naming
 * two in-process replicas instead of the DNS name) routes spans by trace ID, so the framework span
 * and the client span of one model call reach the same replica even when they arrive in different
 * requests, and the call is priced once. Each replica forwards to its own receiver, which tells
 * which replica a span went through; each sends its cost counters with its own
 * `service.instance.id`.
 *
 * List prices, USD per million tokens: gpt-4o-mini $0.15 input / $0.60 output.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { TokenomicsCollector } from '../../packages/collector/src/index';
import { startOtlpReceiver, type OtlpReceiver, type OtlpSpan } from '../support/otlp-receiver';
import { OTEL_CONFIG_DIR, otelcolBinary, startCollector, validateConfig, type RunningCollector } from '../support/otelcol';
import { freePort, waitFor } from './support/processes';

const OTELCOL = otelcolBinary();
if (!OTELCOL) console.warn('collector loadbalancing tests skipped: no Collector was built (node scripts/build-otelcol.mjs)');

const AGENT = join(OTEL_CONFIG_DIR, 'agent.yaml');
const AGENT_LB = join(OTEL_CONFIG_DIR, 'agent-loadbalancing.yaml');
const K8S_AGENT = join(OTEL_CONFIG_DIR, '..', 'kubernetes', 'otel-agent.yaml');
const SERVICE = 'trip-planner';
const REPLICAS = ['stage-a', 'stage-b'] as const;
const CALLS = 40;
const REQUESTS = 4;

/** One model call: a request span around a framework span around the client span. */
interface Call {
  readonly traceId: string;
  readonly rootId: string;
  readonly frameworkId: string;
  readonly clientId: string;
  readonly input: number;
  readonly output: number;
}

const hex = (seed: string, digits: number) => createHash('sha256').update(seed).digest('hex').slice(0, digits);

// Fixed identifiers, so that the routing (a hash of the trace ID) is the same on every run.
const calls: Call[] = Array.from({ length: CALLS }, (_, i) => ({
  traceId: hex(`trace-${i}`, 32),
  rootId: hex(`root-${i}`, 16),
  frameworkId: hex(`framework-${i}`, 16),
  clientId: hex(`client-${i}`, 16),
  input: 1000 + 100 * i,
  output: 200 + 10 * i,
}));

/** List price of a call, USD. */
const costOf = (c: Call) => (c.input * 0.15 + c.output * 0.6) / 1e6;

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });
const START = 1764000000000000000n;
const nanos = (ms: number) => String(START + BigInt(ms) * 1_000_000n);

/** An OTLP/JSON trace request of `SERVICE` with one scope's spans. */
function request(scope: string, spans: unknown[]): string {
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [str('service.name', SERVICE)] }, scopeSpans: [{ scope: { name: scope }, spans }] }],
  });
}

/** The client spans of `batch` (what the OpenAI client instrumentation exports first, as each call ends). */
function clientRequest(batch: Call[]): string {
  return request(
    '@opentelemetry/instrumentation-openai',
    batch.map((c) => ({
      traceId: c.traceId,
      spanId: c.clientId,
      parentSpanId: c.frameworkId,
      name: 'chat gpt-4o-mini',
      kind: 3,
      startTimeUnixNano: nanos(20),
      endTimeUnixNano: nanos(900),
      attributes: [
        str('gen_ai.operation.name', 'chat'),
        str('gen_ai.provider.name', 'openai'),
        str('gen_ai.request.model', 'gpt-4o-mini'),
        str('gen_ai.response.model', 'gpt-4o-mini-2024-07-18'),
        int('gen_ai.usage.input_tokens', c.input),
        int('gen_ai.usage.output_tokens', c.output),
        int('gen_ai.usage.cache_read.input_tokens', 0),
      ],
    })),
  );
}

/** The framework span and the request span of each call in `batch` (exported when they end, later). */
function frameworkRequest(batch: Call[]): string {
  return request(
    'langchain-semconv',
    batch.flatMap((c) => [
      {
        traceId: c.traceId,
        spanId: c.frameworkId,
        parentSpanId: c.rootId,
        name: 'chat gpt-4o-mini',
        kind: 1,
        startTimeUnixNano: nanos(10),
        endTimeUnixNano: nanos(950),
        attributes: [
          str('gen_ai.operation.name', 'chat'),
          str('gen_ai.provider.name', 'openai'),
          str('gen_ai.request.model', 'gpt-4o-mini'),
          int('gen_ai.usage.input_tokens', c.input),
          int('gen_ai.usage.output_tokens', c.output),
        ],
      },
      {
        traceId: c.traceId,
        spanId: c.rootId,
        name: 'POST /trips/plan',
        kind: 2,
        startTimeUnixNano: nanos(0),
        endTimeUnixNano: nanos(1000),
        attributes: [str('http.request.method', 'POST'), str('http.route', '/trips/plan'), int('http.response.status_code', 200)],
      },
    ]),
  );
}

describe.skipIf(!OTELCOL)('agent loadbalancing exporter -> two collector stage replicas', () => {
  const sinks = new Map<string, OtlpReceiver>();
  const replicas = new Map<string, TokenomicsCollector>();
  let agent: RunningCollector | undefined;
  let agentHttp: string;

  beforeAll(async () => {
    for (const instanceId of REPLICAS) {
      const sink = await startOtlpReceiver();
      sinks.set(instanceId, sink);
      const stage = new TokenomicsCollector({
        http: { host: '127.0.0.1', port: 0 },
        grpc: { host: '127.0.0.1', port: 0 },
        destinations: [{ endpoint: sink.url }],
        metricsIntervalMs: 3_600_000,
        instanceId,
      });
      await stage.start();
      replicas.set(instanceId, stage);
    }
    const [agGrpc, agHttp, agHealth, agSelf] = await Promise.all(Array.from({ length: 4 }, () => freePort()));
    agentHttp = `127.0.0.1:${agHttp}`;
    const stageA = replicas.get('stage-a')!;
    agent = await startCollector(OTELCOL!, {
      name: 'agent',
      configs: [AGENT, AGENT_LB],
      health: `127.0.0.1:${agHealth}`,
      // Metrics need no routing: they go to one replica, as to the stage's Service.
      env: { TOKENOMICS_STAGE_ENDPOINT: `http://${stageA.addresses.http}` },
      overrides: {
        receivers: { otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${agGrpc}` }, http: { endpoint: agentHttp } } } },
        // A shorter batch timeout than shipped, so that each request below leaves the agent on its own.
        processors: { batch: { timeout: '100ms' } },
        exporters: {
          'loadbalancing/tokenomics': {
            resolver: { dns: null, static: { hostnames: REPLICAS.map((id) => replicas.get(id)!.addresses.grpc) } },
          },
        },
        extensions: { health_check: { endpoint: `127.0.0.1:${agHealth}` } },
        service: { telemetry: { metrics: { readers: [{ pull: { exporter: { prometheus: { host: '127.0.0.1', port: agSelf } } } }] } } },
      },
    });
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await Promise.all([...replicas.values()].map((r) => r.shutdown()));
    await Promise.all([...sinks.values()].map((s) => s.close()));
  });

  const send = async (body: string) => {
    const res = await fetch(`http://${agentHttp}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
  };

  /** Every span the sinks hold, with the replica it came through. */
  const received = () => [...sinks].flatMap(([replica, sink]) => sink.spans().map((span) => ({ replica, span })));

  const waitForSpans = (count: number) =>
    waitFor(
      `${count} spans through the replicas`,
      () => (received().length >= count ? received() : undefined),
      60_000,
      () => agent?.service.tail(30) ?? '',
      100,
    );

  /** Replica each trace went to, once every span arrived: filled by the first test. */
  const replicaOf = new Map<string, string>();

  it('sends every span of a trace to one replica, across requests, and uses both replicas', async () => {
    // First the client spans, four requests of ten calls; then, once they went through, the
    // framework and request spans, grouped into requests differently.
    for (let r = 0; r < REQUESTS; r++) await send(clientRequest(calls.slice(r * 10, r * 10 + 10)));
    await waitForSpans(CALLS);
    for (let r = 0; r < REQUESTS; r++) await send(frameworkRequest(calls.filter((_, i) => i % REQUESTS === r)));
    const all = await waitForSpans(3 * CALLS);
    expect(all).toHaveLength(3 * CALLS);

    for (const c of calls) {
      const ofTrace = all.filter(({ span }) => span.traceId === c.traceId);
      expect(ofTrace.map(({ span }) => span.spanId).sort()).toEqual([c.clientId, c.frameworkId, c.rootId].sort());
      const via = new Set(ofTrace.map(({ replica }) => replica));
      expect([...via], `trace ${c.traceId}`).toHaveLength(1);
      replicaOf.set(c.traceId, [...via][0]!);
    }
    const perReplica = REPLICAS.map((id) => calls.filter((c) => replicaOf.get(c.traceId) === id).length);
    expect(perReplica.every((n) => n > 0)).toBe(true);
    expect(perReplica[0]! + perReplica[1]!).toBe(CALLS);
  });

  it('prices each call once, on its client span, and marks the framework span that arrived later as its duplicate', () => {
    expect(replicaOf.size).toBe(CALLS);
    const byId = new Map<string, OtlpSpan>(received().map(({ span }) => [span.spanId, span]));
    for (const c of calls) {
      const client = byId.get(c.clientId)!;
      expect(client.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(costOf(c), 12);
      expect(client.attributes['gen_ai.usage.cost.currency']).toBe('USD');
      expect(client.attributes['tokenomics.usage.estimated']).toBeUndefined();
      const framework = byId.get(c.frameworkId)!;
      expect(framework.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
      expect(framework.attributes['tokenomics.duplicate_of']).toBe(c.clientId);
      const root = byId.get(c.rootId)!;
      expect(Object.keys(root.attributes).sort()).toEqual(['http.request.method', 'http.response.status_code', 'http.route']);
    }
    const priced = received().filter(({ span }) => span.attributes['gen_ai.usage.cost.amount'] !== undefined);
    expect(priced).toHaveLength(CALLS);
    // 118,000 input x $0.15 + 15,800 output x $0.60 per million tokens
    expect(priced.reduce((sum, { span }) => sum + Number(span.attributes['gen_ai.usage.cost.amount']), 0)).toBeCloseTo(0.02718, 12);
  });

  it('counts each replica’s calls in its own cost counters (its service.instance.id), adding up to the spend of every call', async () => {
    expect(replicaOf.size).toBe(CALLS);
    for (const stage of replicas.values()) stage.flushCostMetrics();
    const costs = new Map<string, number>();
    for (const id of REPLICAS) {
      const expected = calls.filter((c) => replicaOf.get(c.traceId) === id);
      const want = expected.reduce((sum, c) => sum + costOf(c), 0);
      const points = await sinks.get(id)!.waitFor((sink) => {
        const ps = sink.metricPoints('tokenomics.cost').filter((p) => p.resource['service.name'] === SERVICE);
        return Math.abs(ps.reduce((sum, p) => sum + (p.value ?? 0), 0) - want) < 1e-12 ? ps : undefined;
      }, 30_000);
      expect(new Set(points.map((p) => p.resource['service.instance.id']))).toEqual(new Set([id]));
      expect(points.every((p) => p.attributes['tokenomics.usage.estimated'] === false)).toBe(true);
      const inputTokens = sinks
        .get(id)!
        .metricPoints('tokenomics.tokens')
        .filter((p) => p.resource['service.name'] === SERVICE && p.attributes['tokenomics.token.type'] === 'input')
        .reduce((sum, p) => sum + (p.value ?? 0), 0);
      expect(inputTokens).toBe(expected.reduce((sum, c) => sum + c.input, 0));
      costs.set(id, want);
    }
    expect([...costs.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(0.02718, 12);
  });
});

describe.skipIf(!OTELCOL)('shipped agent configs with the loadbalancing exporter', () => {
  it('validates agent.yaml with agent-loadbalancing.yaml merged on a real Collector', () => {
    const r = validateConfig(OTELCOL!, [AGENT, AGENT_LB]);
    expect(r.output).toBe('');
    expect(r.code, r.output).toBe(0);
    const merged = parse(readFileSync(AGENT_LB, 'utf8'));
    expect(merged.exporters['loadbalancing/tokenomics'].routing_key).toBe('traceID');
    expect(merged.service.pipelines.traces.exporters).toEqual(['loadbalancing/tokenomics']);
    expect(merged.service.pipelines.metrics).toBeUndefined();
  });

  it('validates the Kubernetes agent ConfigMap as shipped, its loadbalancing exporter and DNS resolver included', () => {
    const configMap = parseAllDocuments(readFileSync(K8S_AGENT, 'utf8'))
      .map((d) => d.toJSON() as { kind: string; data?: Record<string, string> })
      .find((m) => m.kind === 'ConfigMap');
    const dir = mkdtempSync(join(tmpdir(), 'tokenomics-k8s-agent-lb-'));
    try {
      const file = join(dir, 'agent.yaml');
      writeFileSync(file, configMap!.data!['agent.yaml']!);
      const r = validateConfig(OTELCOL!, [file]);
      expect(r.code, r.output).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
