/**
 * The collector stage when the next hop misbehaves, and across its own restarts: nothing it accepted
 * is lost while its queue has room; when the queue is full, senders are told to back off (HTTP 429
 * with Retry-After, gRPC RESOURCE_EXHAUSTED with RetryInfo); whatever it does drop is counted.
 */
import {
  credentials,
  makeGenericClientConstructor,
  Metadata,
  status,
  type ServiceError,
} from '../packages/collector/node_modules/@grpc/grpc-js';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { decodeStatus, TokenomicsCollector, type CollectorOptions } from '../packages/collector/src/index';
import { jsonToProtobuf } from '../packages/collector/src/otlp-json';
import { startRawSink, type RawSink } from '../packages/collector/test/support/raw-sink';
import { startEmulator } from '@tokenomics/emulator';
import { decodeOtlpSpans } from './support/otlp-decode';
import { startApp } from './support/run-app';
import { startCliStage } from '../packages/collector/test/support/cli-stage';

// Child processes and retries on a loaded machine: generous limits (no test waits on a clock).
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

const dir = mkdtempSync(join(tmpdir(), 'tokenomics-collector-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A trace request with one priced-able GenAI span (gpt-4o-mini, 1000 in / 100 out) and a unique span id. */
function genaiRequest(n: number): Uint8Array {
  const spanId = n.toString(16).padStart(16, '0');
  return jsonToProtobuf(
    'traces',
    Buffer.from(
      JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'load' } }] },
            scopeSpans: [
              {
                scope: { name: 'opentelemetry.instrumentation.openai.v1' },
                spans: [
                  {
                    traceId: '0123456789abcdef0123456789abcdef',
                    spanId,
                    name: 'openai.chat',
                    kind: 3,
                    startTimeUnixNano: '1764000000000000000',
                    endTimeUnixNano: '1764000001000000000',
                    attributes: [
                      { key: 'gen_ai.system', value: { stringValue: 'openai' } },
                      { key: 'llm.request.type', value: { stringValue: 'chat' } },
                      { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
                      { key: 'gen_ai.usage.prompt_tokens', value: { intValue: '1000' } },
                      { key: 'gen_ai.usage.completion_tokens', value: { intValue: '100' } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      }),
    ),
  );
}

const tracesAt = (sink: RawSink) => sink.accepted().filter((r) => r.path === '/v1/traces');
const spanIdsAt = (sink: RawSink) => tracesAt(sink).flatMap((r) => decodeOtlpSpans(r.body, 'protobuf').map((s) => s.spanId));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function stageTo(sink: RawSink, options: Partial<CollectorOptions> = {}) {
  const stage = new TokenomicsCollector({
    http: { host: '127.0.0.1', port: 0 },
    destinations: [{ endpoint: sink.url }],
    retry: { initialIntervalMs: 20, maxIntervalMs: 200 },
    metricsIntervalMs: 3_600_000,
    shutdownTimeoutMs: 2_000,
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

async function newSink() {
  const sink = await startRawSink();
  cleanups.push(() => sink.close());
  return sink;
}

describe('next hop down', () => {
  it('accepts while the hop is down and delivers everything once it is back, dropping nothing', async () => {
    const sink = await newSink();
    const { stage, post } = await stageTo(sink);
    await sink.stop();
    for (let i = 1; i <= 20; i++) expect((await post(genaiRequest(i))).status).toBe(200);
    expect(stage.queueBytes).toBeGreaterThan(0);
    await sink.restart();
    await sink.waitFor((s) => spanIdsAt(s).length >= 20);
    expect(new Set(spanIdsAt(sink)).size).toBe(20);
    expect(stage.stats.droppedTotal).toBe(0);
    expect(stage.stats.retries.get(sink.url)).toBeGreaterThan(0);
  });
});

describe('next hop answering 503', () => {
  it('retries after the Retry-After the hop asked for and delivers each request once', async () => {
    const sink = await newSink();
    let refusedAt = 0;
    sink.answer(() => {
      if (refusedAt === 0) {
        refusedAt = Date.now();
        return { status: 503, headers: { 'retry-after': '1' } };
      }
      return { status: 200 };
    });
    const { stage, post } = await stageTo(sink);
    expect((await post(genaiRequest(100))).status).toBe(200);
    await sink.waitFor((s) => s.accepted().length === 1);
    const all = sink.all();
    expect(all.map((r) => r.status)).toEqual([503, 200]);
    // Retry-After: 1 is honoured (a lower bound only: a loaded machine may take longer).
    expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(900);
    expect(stage.stats.droppedTotal).toBe(0);
  });

  it('drops what the hop refuses for good (400) and counts it', async () => {
    const sink = await newSink();
    sink.answer(() => ({ status: 400 }));
    const { stage, post } = await stageTo(sink);
    expect((await post(genaiRequest(200))).status).toBe(200);
    await sink.waitFor((s) => s.all().length === 1);
    await new Promise<void>((resolve) => {
      const check = () => (stage.stats.droppedTotal === 1 ? resolve() : setTimeout(check, 5));
      check();
    });
    expect([...stage.stats.dropped]).toEqual([[`${sink.url}\u0000rejected`, 1]]);
  });
});

describe('slow next hop, queue full', () => {
  it('refuses with 429 + Retry-After and gRPC RESOURCE_EXHAUSTED + RetryInfo when the queue is full, then delivers all it accepted', async () => {
    const sink = await newSink();
    sink.answer(() => 'hold');
    const one = genaiRequest(300).length;
    const { stage, post } = await stageTo(sink, { queueMemoryLimitBytes: one * 4, grpc: { host: '127.0.0.1', port: 0 } });
    const accepted: number[] = [];
    let refused: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 300; i < 340 && refused === undefined; i++) {
      const res = await post(genaiRequest(i));
      if (res.status === 200) accepted.push(i);
      else refused = res;
    }
    // Each request grows by its cost attributes on the way through; at least one fits, never more than the limit.
    expect(accepted.length).toBeGreaterThan(0);
    expect(refused?.status).toBe(429);
    expect(refused?.retryAfter).toBe('1');
    expect(decodeStatus(refused!.body)).toEqual({ code: 8, message: 'the forward queue is full; retry later', retryDelayMs: 1000 });
    expect(stage.queueBytes).toBeLessThanOrEqual(one * 4);

    const Client = makeGenericClientConstructor(
      {
        Export: {
          path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
          requestStream: false,
          responseStream: false,
          requestSerialize: (b: Buffer) => b,
          requestDeserialize: (b: Buffer) => b,
          responseSerialize: (b: Buffer) => b,
          responseDeserialize: (b: Buffer) => b,
        },
      },
      'TraceService',
    );
    const client = new Client(stage.addresses.grpc!, credentials.createInsecure());
    const err = await new Promise<ServiceError | null>((resolve) =>
      (client as unknown as { Export(req: Buffer, md: Metadata, cb: (e: ServiceError | null) => void): void }).Export(
        Buffer.from(genaiRequest(399)),
        new Metadata(),
        resolve,
      ),
    );
    client.close();
    expect(err?.code).toBe(status.RESOURCE_EXHAUSTED);
    const details = err?.metadata.get('grpc-status-details-bin')[0] as Buffer;
    expect(decodeStatus(details).retryDelayMs).toBe(1000);
    expect(stage.stats.refused).toBe(2);
    // Refused requests are not counted: the sender sends them again.
    expect(stage.stats.enriched).toBe(accepted.length);

    sink.release();
    await sink.waitFor((s) => spanIdsAt(s).length >= accepted.length);
    expect(spanIdsAt(sink).sort()).toEqual(accepted.map((i) => i.toString(16).padStart(16, '0')).sort());
    expect(stage.stats.droppedTotal).toBe(0);
  });
});

describe('two destinations', () => {
  it('queues every request for both; one down fills its queue and refuses senders, and gets everything once back', async () => {
    const up = await newSink();
    const down = await newSink();
    await down.stop();
    const one = genaiRequest(500).length;
    const { stage, post } = await stageTo(up, {
      destinations: [{ endpoint: up.url }, { endpoint: down.url }],
      queueMemoryLimitBytes: one * 12,
    });
    const accepted: string[] = [];
    let status = 200;
    for (let i = 500; i < 600 && status === 200; i++) {
      status = (await post(genaiRequest(i))).status;
      if (status === 200) accepted.push(i.toString(16).padStart(16, '0'));
    }
    expect(status).toBe(429);
    expect(accepted.length).toBeGreaterThan(0);
    await up.waitFor((s) => spanIdsAt(s).length >= accepted.length);
    expect(spanIdsAt(up).sort()).toEqual([...accepted].sort());
    await down.restart();
    await down.waitFor((s) => spanIdsAt(s).length >= accepted.length);
    expect(spanIdsAt(down).sort()).toEqual([...accepted].sort());
    expect(stage.stats.droppedTotal).toBe(0);
  });
});

describe('backpressure to a real OTLP/HTTP exporter', () => {
  // The OpenTelemetry JS OTLP/gRPC exporter (0.223) retries no gRPC error, RESOURCE_EXHAUSTED
  // included, so the end-to-end retry is shown with its OTLP/HTTP exporter, which retries 429.
  it('an SDK app told 429 retries after Retry-After, and its spans arrive priced once the queue drains', async () => {
    const emulator = await startEmulator();
    cleanups.push(() => emulator.close());
    const sink = await newSink();
    sink.answer(() => 'hold');
    const { stage, post } = await stageTo(sink, { queueMemoryLimitBytes: 256 * 1024 });
    // Fill the queue behind a stalled hop (filler requests of 32 KiB; the app's export is smaller).
    const filler = (n: number) =>
      jsonToProtobuf(
        'traces',
        Buffer.from(
          JSON.stringify({
            resourceSpans: [
              {
                scopeSpans: [
                  {
                    spans: [
                      {
                        traceId: 'feedfeedfeedfeedfeedfeedfeedfeed',
                        spanId: n.toString(16).padStart(16, '0'),
                        name: 'filler',
                        attributes: [{ key: 'payload', value: { stringValue: 'x'.repeat(32 * 1024) } }],
                      },
                    ],
                  },
                ],
              },
            ],
          }),
        ),
      );
    for (let i = 1; (await post(filler(i))).status === 200; i++);
    for (let i = 700; (await post(genaiRequest(i))).status === 200; i++);
    const refusedBefore = stage.stats.refused;
    const app = startApp({
      app: join(__dirname, 'fixtures', 'collector', 'openai-sdk-app.cjs'),
      hook: 'none',
      timeoutMs: 120_000,
      env: {
        APP_INSTRUMENTATION: 'traceloop',
        OPENAI_BASE_URL: emulator.openaiBaseURL,
        OTEL_SERVICE_NAME: 'backpressured',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://${stage.addresses.http}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
      },
    });
    cleanups.push(async () => app.kill('SIGKILL'));
    // The app's export is refused at least once, then the hop recovers.
    await new Promise<void>((resolve) => {
      const check = () => (stage.stats.refused > refusedBefore ? resolve() : setTimeout(check, 20));
      check();
    });
    sink.release();
    const result = await app.result;
    expect(result.code, result.stderr).toBe(0);
    await sink.waitFor(
      (s) =>
        tracesAt(s).some((r) =>
          decodeOtlpSpans(r.body, 'protobuf').some(
            (sp) => sp.resource['service.name'] === 'backpressured' && sp.name !== 'handle support request',
          ),
        ),
      60_000,
    );
    const spans = tracesAt(sink)
      .flatMap((r) => decodeOtlpSpans(r.body, 'protobuf'))
      .filter((sp) => sp.resource['service.name'] === 'backpressured');
    const chats = spans.filter((sp) => String(sp.attributes['gen_ai.request.model'] ?? '') !== '');
    expect(chats.length).toBe(2);
    for (const chat of chats) expect(typeof chat.attributes['gen_ai.usage.cost.amount']).toBe('number');
    expect(stage.stats.droppedTotal).toBe(0);
  });
});

/** Runs `tokenomics collector` as a child process; resolves once it listens. */
const startCli = (args: string[]) => startCliStage(args, cleanups);

describe('restart during load', () => {
  it('SIGTERM drains the queue: every request the stage answered 200 reaches the next hop, and a new instance takes over', async () => {
    const sink = await newSink();
    const first = await startCli(['--listen', '127.0.0.1:0', '--forward', sink.url, '--shutdown-timeout', '20s']);
    const acknowledged: string[] = [];
    const send = async (http: string, i: number) => {
      try {
        const res = await fetch(`http://${http}/v1/traces`, {
          method: 'POST',
          body: genaiRequest(i),
          headers: { 'content-type': 'application/x-protobuf' },
        });
        if (res.status === 200) acknowledged.push(i.toString(16).padStart(16, '0'));
        return res.status;
      } catch {
        return 0; // connection refused: not accepted
      }
    };
    // Hold the hop so that the queue has something to drain at SIGTERM.
    sink.answer(() => 'hold');
    for (let i = 1000; i < 1030; i++) await send(first.http, i);
    const exited = once(first.child, 'exit');
    first.child.kill('SIGTERM');
    // Requests sent while it shuts down are either refused (503 / connection refused) or drained.
    const during = await Promise.all(Array.from({ length: 10 }, (_, k) => send(first.http, 1030 + k)));
    for (const s of during) expect([0, 200, 503]).toContain(s);
    sink.release();
    const [code] = (await exited) as [number];
    expect(code).toBe(0);
    expect(first.stderr()).toMatch(/stopped \(enriched \d+, unpriced 0, refused 0, dropped 0\)/);

    const second = await startCli(['--listen', '127.0.0.1:0', '--forward', sink.url]);
    for (let i = 2000; i < 2010; i++) expect(await send(second.http, i)).toBe(200);
    await sink.waitFor((s) => new Set(spanIdsAt(s)).size >= acknowledged.length);
    expect([...new Set(spanIdsAt(sink))].sort()).toEqual([...new Set(acknowledged)].sort());
  });

  it('SIGTERM with the hop down drops what it could not deliver within the timeout and says how much', async () => {
    const sink = await newSink();
    await sink.stop();
    const cli = await startCli(['--listen', '127.0.0.1:0', '--forward', sink.url, '--shutdown-timeout', '200ms']);
    for (let i = 3000; i < 3005; i++) {
      const res = await fetch(`http://${cli.http}/v1/traces`, {
        method: 'POST',
        body: genaiRequest(i),
        headers: { 'content-type': 'application/x-protobuf' },
      });
      expect(res.status).toBe(200);
    }
    const exited = once(cli.child, 'exit');
    cli.child.kill('SIGTERM');
    await exited;
    // The five requests and the last cost-metrics request, sent at shutdown.
    expect(cli.stderr()).toMatch(/stopped \(enriched 5, unpriced 0, refused 0, dropped 6\)/);
  });
});

describe('price-book reload', () => {
  it('SIGHUP reloads the override file: calls after it are priced at the new rate, none is lost', async () => {
    const sink = await newSink();
    const overrides = join(dir, 'negotiated.yaml');
    writeFileSync(
      overrides,
      'version: acme-1\nmodels:\n  - provider: openai\n    model: gpt-4o-mini\n    prices: { input: 0.1, output: 0.4 }\n',
    );
    const cli = await startCli(['--listen', '127.0.0.1:0', '--forward', sink.url, '--price-overrides', overrides]);
    const post = (i: number) =>
      fetch(`http://${cli.http}/v1/traces`, {
        method: 'POST',
        body: genaiRequest(i),
        headers: { 'content-type': 'application/x-protobuf' },
      });
    expect((await post(4000)).status).toBe(200);
    writeFileSync(
      overrides,
      'version: acme-2\nmodels:\n  - provider: openai\n    model: gpt-4o-mini\n    prices: { input: 0.05, output: 0.2 }\n',
    );
    cli.child.kill('SIGHUP');
    await new Promise<void>((resolve) => {
      const check = () => (/price book reloaded/.test(cli.stderr()) ? resolve() : setTimeout(check, 10));
      check();
    });
    expect((await post(4001)).status).toBe(200);
    await sink.waitFor((s) => spanIdsAt(s).length >= 2);
    const spans = tracesAt(sink).flatMap((r) => decodeOtlpSpans(r.body, 'protobuf'));
    const cost = (id: number) => spans.find((s) => s.spanId === id.toString(16).padStart(16, '0'))?.attributes['gen_ai.usage.cost.amount'];
    // 1000 x $0.10 + 100 x $0.40 per million, then 1000 x $0.05 + 100 x $0.20
    expect(cost(4000)).toBeCloseTo(0.00014, 12);
    expect(cost(4001)).toBeCloseTo(0.00007, 12);
  });
});
