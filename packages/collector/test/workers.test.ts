/**
 * The stage with worker threads doing the CPU work of requests, as built (`dist/`, where the worker
 * file lives) and through `tokenomics collector`: the same output and cost counters as the main
 * thread alone, malformed input refused with the worker's reason, a worker that dies replaced
 * without losing what was accepted, the price book reloaded in every worker, and shutdown waiting for
 * the work in flight.
 *
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { decodeStatus, TokenomicsCollector, type CollectorOptions } from '../dist/index';
import { jsonToProtobuf } from '../src/otlp-json';
import { otlpMessages } from '../src/otlp-messages';
import { prometheusText } from '../dist/telemetry-server';
import { startRawSink, type RawSink } from './support/raw-sink';
import { startCliStage } from './support/cli-stage';

const dir = mkdtempSync(join(tmpdir(), 'tokenomics-collector-workers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Value = string | number | boolean;
const kv = (key: string, value: Value) =>
  typeof value === 'string'
    ? { key, value: { stringValue: value } }
    : typeof value === 'boolean'
      ? { key, value: { boolValue: value } }
      : Number.isInteger(value)
        ? { key, value: { intValue: String(value) } }
        : { key, value: { doubleValue: value } };

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** The GenAI span shapes of the requests: four dialects, cache reads, an estimate, an unknown model. */
const SHAPES: { scope: string; attrs: Record<string, Value> }[] = [
  {
    scope: '@opentelemetry/instrumentation-openai',
    attrs: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100,
    },
  },
  {
    scope: 'opentelemetry.instrumentation.anthropic',
    attrs: {
      'gen_ai.system': 'Anthropic',
      'llm.request.type': 'chat',
      'gen_ai.request.model': 'claude-sonnet-4-20250514',
      'gen_ai.usage.prompt_tokens': 1500,
      'gen_ai.usage.cache_read_input_tokens': 1000,
      'gen_ai.usage.completion_tokens': 400,
    },
  },
  {
    scope: 'openinference.instrumentation.openai',
    attrs: {
      'openinference.span.kind': 'LLM',
      'llm.provider': 'openai',
      'llm.model_name': 'gpt-4o-mini-2024-07-18',
      'llm.token_count.prompt': 800,
      'llm.token_count.completion': 120,
    },
  },
  {
    scope: 'ai',
    attrs: {
      'ai.operationId': 'ai.generateText.doGenerate',
      'ai.model.id': 'gemini-2.5-flash',
      'ai.model.provider': 'google.generative-ai',
      'ai.usage.inputTokens': 2000,
      'ai.usage.outputTokens': 500,
    },
  },
  {
    scope: '@opentelemetry/instrumentation-openai',
    attrs: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 300,
      'gen_ai.usage.output_tokens': 30,
      'tokenomics.usage.estimated': true,
    },
  },
  {
    scope: '@opentelemetry/instrumentation-openai',
    attrs: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'no-such-model-anywhere',
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 1,
    },
  },
];

interface ExtraSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  scope: string;
  attrs: Record<string, Value>;
}

/**
 * A request of `count` GenAI spans (span ids from `first`, one trace each) of two services, one
 * plain span, and `extra` spans of a third service.
 */
function tracesRequest(first: number, count: number, extra: ExtraSpan[] = []): Uint8Array {
  const resource = (service: string, from: number, n: number) => ({
    resource: { attributes: [kv('service.name', service)] },
    scopeSpans: SHAPES.map((shape, s) => ({
      scope: { name: shape.scope },
      spans: Array.from({ length: n }, (_, i) => from + i)
        .filter((id) => id % SHAPES.length === s)
        .map((id) => ({
          traceId: hex(id, 32),
          spanId: hex(id, 16),
          name: 'llm call',
          kind: 3,
          startTimeUnixNano: '1764000000000000000',
          endTimeUnixNano: '1764000001000000000',
          attributes: Object.entries(shape.attrs).map(([k, v]) => kv(k, v)),
        })),
    })),
  });
  const half = Math.floor(count / 2);
  const body = {
    resourceSpans: [
      resource('checkout', first, half),
      resource('search', first + half, count - half),
      {
        resource: { attributes: [kv('service.name', 'web')] },
        scopeSpans: [
          {
            scope: { name: 'http' },
            spans: [{ traceId: hex(first, 32), spanId: hex(9_000_000 + first, 16), name: 'GET /', kind: 2 }],
          },
        ],
      },
      ...extra.map((span) => ({
        resource: { attributes: [kv('service.name', 'agent')] },
        scopeSpans: [
          {
            scope: { name: span.scope },
            spans: [
              {
                traceId: span.traceId,
                spanId: span.spanId,
                ...(span.parentSpanId === undefined ? {} : { parentSpanId: span.parentSpanId }),
                name: 'llm call',
                kind: 3,
                startTimeUnixNano: '1764000000000000000',
                endTimeUnixNano: '1764000001000000000',
                attributes: Object.entries(span.attrs).map(([k, v]) => kv(k, v)),
              },
            ],
          },
        ],
      })),
    ],
  };
  return jsonToProtobuf('traces', Buffer.from(JSON.stringify(body)));
}

const tracesAt = (sink: RawSink) => sink.accepted().filter((r) => r.path === '/v1/traces');
const metricsAt = (sink: RawSink) => sink.accepted().filter((r) => r.path === '/v1/metrics');

interface DecodedSpan {
  spanId: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}
function spansOf(body: Uint8Array): DecodedSpan[] {
  const m = otlpMessages();
  const decoded = m.traceRequest.toObject(m.traceRequest.decode(body), { longs: String, bytes: String }) as {
    resourceSpans?: { scopeSpans?: { spans?: DecodedSpan[] }[] }[];
  };
  return (decoded.resourceSpans ?? []).flatMap((rs) =>
    (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((span) => ({ ...span, spanId: Buffer.from(span.spanId, 'base64').toString('hex') })),
    ),
  );
}
const spanIdsAt = (sink: RawSink) => tracesAt(sink).flatMap((r) => spansOf(r.body).map((s) => s.spanId));

/** Every data point of the stage's cost counters, without times: metric, service, attributes, value. */
function costPoints(body: Uint8Array): string[] {
  const m = otlpMessages();
  const decoded = m.metricsRequest.toObject(m.metricsRequest.decode(body), { longs: String }) as {
    resourceMetrics: {
      resource: { attributes: { key: string; value: { stringValue?: string } }[] };
      scopeMetrics: {
        metrics: {
          name: string;
          sum: { dataPoints: { attributes: { key: string; value: Record<string, unknown> }[]; asDouble?: number; asInt?: string }[] };
        }[];
      }[];
    }[];
  };
  const out: string[] = [];
  for (const rm of decoded.resourceMetrics) {
    const service = rm.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
    for (const sm of rm.scopeMetrics)
      for (const metric of sm.metrics)
        for (const p of metric.sum.dataPoints) {
          const attrs = p.attributes.map((a) => `${a.key}=${JSON.stringify(a.value)}`).sort();
          out.push(`${metric.name} ${service} ${attrs.join(',')} = ${p.asDouble ?? p.asInt}`);
        }
  }
  return out.sort();
}

async function newSink(): Promise<RawSink> {
  const sink = await startRawSink();
  cleanups.push(() => sink.close());
  return sink;
}

async function stageTo(sink: RawSink, options: Partial<CollectorOptions> = {}) {
  const stage = new TokenomicsCollector({
    http: { host: '127.0.0.1', port: 0 },
    destinations: [{ endpoint: sink.url }],
    retry: { initialIntervalMs: 20, maxIntervalMs: 200 },
    metricsIntervalMs: 3_600_000,
    shutdownTimeoutMs: 5_000,
    instanceId: 'replica-1',
    ...options,
  });
  await stage.start();
  cleanups.push(() => stage.shutdown());
  const post = async (body: Uint8Array) => {
    const res = await fetch(`http://${stage.addresses.http}/v1/traces`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-protobuf' },
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: Buffer.from(await res.arrayBuffer()) };
  };
  return { stage, post };
}

/** Posts until the stage takes the request (a 503 or 429 is retried, as an OTLP exporter does). */
async function postUntilAccepted(post: (body: Uint8Array) => Promise<{ status: number }>, body: Uint8Array): Promise<number[]> {
  const statuses: number[] = [];
  for (;;) {
    const { status } = await post(body);
    statuses.push(status);
    if (status === 200) return statuses;
    if (status !== 503 && status !== 429) throw new Error(`stage answered ${status}`);
  }
}

/** Resolves once `condition` holds, checked on every turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('worker threads', () => {
  it('forward the same spans and count the same cost counters, figure for figure, as the main thread alone (requests cut by trace between them)', async () => {
    const requests = Array.from({ length: 8 }, (_, i) => tracesRequest(1 + i * 50, 48));
    const results = [];
    for (const workers of [0, 2]) {
      const sink = await newSink();
      const { stage, post } = await stageTo(sink, { workers });
      expect(stage.workerCount).toBe(workers);
      // Four at a time: both workers busy at once.
      for (let i = 0; i < requests.length; i += 4) {
        const statuses = await Promise.all(requests.slice(i, i + 4).map(async (r) => (await post(r)).status));
        expect(statuses).toEqual([200, 200, 200, 200]);
      }
      await sink.waitFor((s) => tracesAt(s).length === requests.length);
      stage.flushCostMetrics();
      await sink.waitFor((s) => metricsAt(s).length === 1);
      const bySpan = new Map(tracesAt(sink).flatMap((r) => spansOf(r.body).map((s) => [s.spanId, JSON.stringify(s)] as const)));
      results.push({
        bySpan,
        counters: costPoints(metricsAt(sink)[0].body),
        stats: { spans: stage.stats.spans, enriched: stage.stats.enriched, unpriced: stage.stats.unpriced },
      });
    }
    const [main, pooled] = results;
    // 8 requests x (48 GenAI spans + 1 plain span); 1 span in 6 is of an unknown model.
    expect(main.stats).toEqual({ spans: 392, enriched: 320, unpriced: 64 });
    expect(pooled.stats).toEqual(main.stats);
    expect(pooled.bySpan.size).toBe(392);
    expect(pooled.bySpan).toEqual(main.bySpan);
    expect(pooled.counters).toEqual(main.counters);
    expect(main.counters.some((p) => p.startsWith('tokenomics.calls.unpriced checkout'))).toBe(true);
  });

  it('price a framework span and its client span once when they come in different requests among other traces', async () => {
    const sink = await newSink();
    const { stage, post } = await stageTo(sink, { workers: 2 });
    const trace = 'feedfacefeedfacefeedfacefeedface';
    const call = { ...SHAPES[0].attrs };
    // The client span ends first and comes in one request, the framework span around it in the next;
    // each request also holds 24 other traces, so that both are cut between the workers.
    const client = { traceId: trace, spanId: 'c1c1c1c1c1c1c1c1', parentSpanId: 'f0f0f0f0f0f0f0f0', scope: 'openai', attrs: call };
    const framework = { traceId: trace, spanId: 'f0f0f0f0f0f0f0f0', scope: 'langchain', attrs: call };
    expect((await post(tracesRequest(1000, 24, [client]))).status).toBe(200);
    expect((await post(tracesRequest(2000, 24, [framework]))).status).toBe(200);
    await sink.waitFor((s) => spanIdsAt(s).length === 2 * 26);
    const spans = tracesAt(sink).flatMap((r) => spansOf(r.body));
    const attr = (id: string, key: string) => spans.find((s) => s.spanId === id)?.attributes.find((a) => a.key === key)?.value;
    // 1000 x $0.15 + 100 x $0.60 per million = $0.00021
    expect(attr('c1c1c1c1c1c1c1c1', 'gen_ai.usage.cost.amount')?.doubleValue).toBeCloseTo(0.00021, 12);
    expect(attr('f0f0f0f0f0f0f0f0', 'gen_ai.usage.cost.amount')).toBeUndefined();
    expect(attr('f0f0f0f0f0f0f0f0', 'tokenomics.duplicate_of')?.stringValue).toBe('c1c1c1c1c1c1c1c1');
    expect(stage.stats.duplicates).toBe(1);
  });

  it('answer a malformed request 400 with the reason the worker found, counted invalid', async () => {
    const sink = await newSink();
    const { stage, post } = await stageTo(sink, { workers: 2 });
    // Well framed at the top, so that only the worker reading the resource block finds the fault.
    const res = await post(Buffer.from([0x0a, 0x03, 0x12, 0x05, 0x01]));
    expect(res.status).toBe(400);
    expect(decodeStatus(res.body).message).toMatch(/^malformed OTLP traces protobuf: /);
    expect(stage.stats.invalid).toBe(1);
    expect(stage.stats.requests.traces).toBe(0);
    // The worker is still there: the next request is priced.
    expect((await post(tracesRequest(1, 6))).status).toBe(200);
    await sink.waitFor((s) => spanIdsAt(s).length === 7);
  });

  it('replace a worker that dies under load; its requests are answered 503 and retried, and every span arrives once', async () => {
    const sink = await newSink();
    const { stage, post } = await stageTo(sink, { workers: 2 });
    const pool = stage.enrichPool!;
    const requests = Array.from({ length: 24 }, (_, i) => tracesRequest(1 + i * 40, 36));
    let next = 0;
    const statuses: number[] = [];
    const sender = async () => {
      while (next < requests.length) statuses.push(...(await postUntilAccepted(post, requests[next++])));
    };
    const senders = [sender(), sender(), sender(), sender()];
    // Stopped while it holds requests.
    await until(() => statuses.length >= 4 && pool.pending > 0);
    await pool.terminateWorker(0);
    await Promise.all(senders);
    await sink.waitFor((s) => spanIdsAt(s).length === 24 * 37);
    expect(pool.restarts).toBe(1);
    expect(stage.workerCount).toBe(2);
    const ids = spanIdsAt(sink);
    expect(new Set(ids).size).toBe(ids.length);
    const failed = statuses.filter((s) => s === 503).length;
    expect(stage.stats.failed).toBe(failed);
    expect(statuses.filter((s) => s === 200).length).toBe(24);
    expect(stage.stats.requests.traces).toBe(24);
    // Both are on the stage's own metrics endpoint.
    const text = prometheusText(stage);
    expect(text).toMatch(new RegExp(`^tokenomics_collector_failed_total ${failed}$`, 'm'));
    expect(text).toMatch(/^tokenomics_collector_worker_restarts_total 1$/m);
  });

  it('answer 503 while a replaced worker cannot load a broken price file, and price again once it is fixed', async () => {
    const sink = await newSink();
    const overrides = join(dir, 'broken-later.yaml');
    const good = 'version: acme-1\nmodels:\n  - provider: openai\n    model: gpt-4o-mini\n    prices: { input: 0.1, output: 0.4 }\n';
    writeFileSync(overrides, good);
    const { stage, post } = await stageTo(sink, { workers: 1, priceBook: { overridesFile: overrides } });
    expect((await post(tracesRequest(1, 6))).status).toBe(200);
    writeFileSync(overrides, 'models: [ { provider: openai } ]\n');
    await stage.enrichPool!.terminateWorker(0);
    // The replacement fails to start: requests are answered 503 (retryable), none waits for good.
    const refused = await post(tracesRequest(100, 6));
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toBe('1');
    writeFileSync(overrides, good);
    const statuses = await postUntilAccepted(post, tracesRequest(200, 6));
    expect(statuses.at(-1)).toBe(200);
    expect(statuses.slice(0, -1).every((s) => s === 503)).toBe(true);
    await sink.waitFor((s) => spanIdsAt(s).length === 14);
    expect(stage.enrichPool!.restarts).toBeGreaterThanOrEqual(2);
    expect(stage.stats.failed).toBe(1 + statuses.length - 1);
  });

  it('shutdown waits for the requests the workers hold, then delivers them', async () => {
    const sink = await newSink();
    const { stage, post } = await stageTo(sink, { workers: 2 });
    const requests = Array.from({ length: 8 }, (_, i) => tracesRequest(1 + i * 40, 36));
    const answers = requests.map((r) =>
      post(r).then(
        (res) => res.status,
        () => 0,
      ),
    );
    await until(() => (stage.enrichPool?.pending ?? 0) > 0);
    await stage.shutdown();
    const statuses = await Promise.all(answers);
    const accepted = statuses.filter((s) => s === 200).length;
    expect(accepted).toBeGreaterThan(0);
    // Each was accepted, refused while stopping (503), or not read before the receiver closed.
    expect(statuses.every((s) => s === 200 || s === 503 || s === 0)).toBe(true);
    expect(spanIdsAt(sink).length).toBe(accepted * 37);
    expect(stage.stats.droppedTotal).toBe(0);
  });
});

/** Runs `tokenomics collector` as a child process; resolves once it listens. */
const startCli = (args: string[]) => startCliStage(args, cleanups);

describe('tokenomics collector with workers', () => {
  it('SIGHUP reloads the price book of the workers: requests sent after it, four at a time, are priced at the new rate', async () => {
    const sink = await newSink();
    const overrides = join(dir, 'negotiated.yaml');
    const rates = (version: string, input: number, output: number) =>
      `version: ${version}\nmodels:\n  - provider: openai\n    model: gpt-4o-mini\n    prices: { input: ${input}, output: ${output} }\n`;
    writeFileSync(overrides, rates('acme-1', 0.1, 0.4));
    const cli = await startCli(['--listen', '127.0.0.1:0', '--forward', sink.url, '--price-overrides', overrides, '--workers', '2']);
    expect(cli.stderr()).toMatch(/; 2 workers/);
    const post = (body: Uint8Array) =>
      fetch(`http://${cli.http}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } }).then(
        (r) => r.status,
      );
    // One gpt-4o-mini span (1000 input, 100 output tokens) per request; four at a time reach both workers.
    const batch = (first: number) => Array.from({ length: 4 }, (_, i) => tracesRequest(first + i * SHAPES.length, 1));
    expect(await Promise.all(batch(6).map(post))).toEqual([200, 200, 200, 200]);
    writeFileSync(overrides, rates('acme-2', 0.05, 0.2));
    cli.child.kill('SIGHUP');
    await until(() => /price book reloaded/.test(cli.stderr()));
    expect(await Promise.all(batch(600).map(post))).toEqual([200, 200, 200, 200]);
    await sink.waitFor((s) => spanIdsAt(s).length === 16);
    const spans = tracesAt(sink).flatMap((r) => spansOf(r.body));
    const cost = (id: number) => {
      const span = spans.find((s) => s.spanId === hex(id, 16));
      return span?.attributes.find((a) => a.key === 'gen_ai.usage.cost.amount')?.value.doubleValue;
    };
    // 1000 x $0.10 + 100 x $0.40 per million, then 1000 x $0.05 + 100 x $0.20.
    for (let i = 0; i < 4; i++) {
      expect(cost(6 + i * SHAPES.length)).toBeCloseTo(0.00014, 12);
      expect(cost(600 + i * SHAPES.length)).toBeCloseTo(0.00007, 12);
    }
    cli.child.kill('SIGTERM');
    const [code] = (await once(cli.child, 'exit')) as [number];
    expect(code).toBe(0);
  });

  it('SIGTERM with requests in the workers: every request answered 200 reaches the next hop, and the process exits', async () => {
    const sink = await newSink();
    const cli = await startCli(['--listen', '127.0.0.1:0', '--forward', sink.url, '--workers', '2', '--shutdown-timeout', '5s']);
    const post = (body: Uint8Array) =>
      fetch(`http://${cli.http}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } }).then(
        (r) => r.status,
        () => 0,
      );
    const requests = Array.from({ length: 12 }, (_, i) => tracesRequest(1 + i * 40, 36));
    const first = await post(requests[0]);
    expect(first).toBe(200);
    const answers = requests.slice(1).map(post);
    cli.child.kill('SIGTERM');
    const statuses = [first, ...(await Promise.all(answers))];
    const [code] = (await once(cli.child, 'exit')) as [number];
    expect(code).toBe(0);
    const accepted = statuses.filter((s) => s === 200).length;
    expect(spanIdsAt(sink).length).toBe(accepted * 37);
    expect(cli.stderr()).toMatch(/stopped \(.*dropped 0\)/);
  });
});
