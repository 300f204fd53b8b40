/**
 * The collector stage on the wire: what it forwards byte for byte, what it refuses and why (400 with a
 * reason, 413, 415, 404, 405; gRPC INVALID_ARGUMENT), its health and Prometheus endpoints, and that no
 * input — random bytes or random JSON — crashes it.
 */
import {
  credentials,
  makeGenericClientConstructor,
  Metadata,
  status,
  type ServiceError,
} from '../packages/collector/node_modules/@grpc/grpc-js';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeStatus, TokenomicsCollector } from '../packages/collector/src/index';
import { logsRequestType } from '../packages/collector/src/otlp-logs';
import { jsonToProtobuf } from '../packages/collector/src/otlp-json';
import { startRawSink, type RawSink } from '../packages/collector/test/support/raw-sink';
import { decodeOtlpMetricPoints, decodeOtlpSpans } from './support/otlp-decode';

// Child processes and retries on a loaded machine: generous limits (no test waits on a clock).
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

const FIXTURES = join(__dirname, 'fixtures', 'collector');
const json = (name: string) => readFileSync(join(FIXTURES, name));

/** A request with one plain HTTP server span (no GenAI). */
const plainTrace = (spanId: string) =>
  JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
        scopeSpans: [
          {
            scope: { name: '@opentelemetry/instrumentation-http', version: '0.223.0' },
            spans: [
              {
                traceId: '11112222333344445555666677778888',
                spanId,
                name: 'GET /cart',
                kind: 2,
                startTimeUnixNano: '1764000000000000000',
                endTimeUnixNano: '1764000000050000000',
                attributes: [
                  { key: 'http.route', value: { stringValue: '/cart' } },
                  { key: 'http.response.status_code', value: { intValue: '200' } },
                  { key: 'ratio', value: { doubleValue: 0.25 } },
                  { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { boolValue: true }] } } },
                ],
                events: [{ timeUnixNano: '1764000000010000000', name: 'cache miss' }],
                status: { code: 2, message: 'upstream slow' },
              },
            ],
          },
        ],
      },
    ],
  });

let sink: RawSink;
let stage: TokenomicsCollector;
let base: string;

beforeAll(async () => {
  sink = await startRawSink();
  stage = new TokenomicsCollector({
    http: { host: '127.0.0.1', port: 0 },
    grpc: { host: '127.0.0.1', port: 0 },
    telemetry: { host: '127.0.0.1', port: 0 },
    destinations: [{ endpoint: sink.url }],
    maxRequestBytes: 64 * 1024,
    metricsIntervalMs: 3_600_000,
    // This service's cost counters come from its token-usage histograms; every other one's from its spans.
    costMetricsFromServices: { 'support-bot-py': 'histograms' },
  });
  await stage.start();
  base = `http://${stage.addresses.http}`;
});

afterAll(async () => {
  await stage?.shutdown();
  await sink?.close();
});

beforeEach(() => sink.answer(() => ({ status: 200 })));

async function post(path: string, body: Uint8Array | string, headers: Record<string, string>) {
  const res = await fetch(`${base}${path}`, { method: 'POST', body, headers });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

async function forwarded(path: string, count: number) {
  await sink.waitFor((s) => s.accepted().filter((r) => r.path === path).length >= count);
  return sink.accepted().filter((r) => r.path === path);
}

describe('pass-through', () => {
  it('forwards a trace request without GenAI spans byte for byte', async () => {
    const body = jsonToProtobuf('traces', Buffer.from(plainTrace('aaaaaaaaaaaaaaa1')));
    expect((await post('/v1/traces', body, { 'content-type': 'application/x-protobuf' })).status).toBe(200);
    const [request] = await forwarded('/v1/traces', 1);
    expect(request.headers['content-type']).toBe('application/x-protobuf');
    expect(Buffer.compare(request.body, Buffer.from(body))).toBe(0);
  });

  it('keeps the bytes of a resource block without GenAI and the original bytes of the span it prices', async () => {
    const plain = jsonToProtobuf('traces', Buffer.from(plainTrace('aaaaaaaaaaaaaaa2')));
    const genai = jsonToProtobuf('traces', json('openllmetry-python-chat.json'));
    // Two ExportTraceServiceRequests concatenated are one request with both resource blocks.
    const body = Buffer.concat([plain, genai]);
    const before = sink.accepted().length;
    expect((await post('/v1/traces', body, { 'content-type': 'application/x-protobuf' })).status).toBe(200);
    await sink.waitFor((s) => s.accepted().length > before);
    const out = sink.accepted().at(-1)!.body;
    expect(out.subarray(0, plain.length).equals(Buffer.from(plain))).toBe(true);
    const spans = decodeOtlpSpans(out, 'protobuf');
    expect(spans.find((s) => s.name === 'GET /cart')?.attributes).toEqual({
      'http.route': '/cart',
      'http.response.status_code': 200,
      ratio: 0.25,
      tags: ['a', true],
    });
    expect(spans.find((s) => s.name === 'openai.chat')?.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.00036, 12);
    expect(spans.find((s) => s.name === 'POST')?.attributes['url.full']).toBe('https://api.openai.com/v1/chat/completions');
  });

  it('forwards metrics byte for byte, and appends the cost of a token-usage histogram after its original bytes', async () => {
    const metrics = (name: string, unit: string, service = 'support-bot-py') =>
      Buffer.from(
        JSON.stringify({
          resourceMetrics: [
            {
              resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
              scopeMetrics: [
                {
                  scope: { name: 'opentelemetry.instrumentation.openai' },
                  metrics: [
                    {
                      name,
                      unit,
                      histogram: {
                        aggregationTemporality: 1,
                        dataPoints: [
                          {
                            startTimeUnixNano: '1764000000000000000',
                            timeUnixNano: '1764000060000000000',
                            count: '2',
                            sum: 600,
                            bucketCounts: ['0', '2'],
                            explicitBounds: [100],
                            attributes: [
                              { key: 'gen_ai.system', value: { stringValue: 'openai' } },
                              { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
                              { key: 'gen_ai.token.type', value: { stringValue: 'output' } },
                            ],
                          },
                        ],
                      },
                    },
                  ],
                },
              ],
            },
          ],
        }),
      );
    const plain = jsonToProtobuf('metrics', metrics('http.server.request.duration', 's'));
    const usage = jsonToProtobuf('metrics', metrics('gen_ai.client.token.usage', '{token}'));
    expect((await post('/v1/metrics', plain, { 'content-type': 'application/x-protobuf' })).status).toBe(200);
    expect((await post('/v1/metrics', usage, { 'content-type': 'application/x-protobuf' })).status).toBe(200);
    const [first, second] = (await forwarded('/v1/metrics', 2)).slice(-2);
    expect(Buffer.compare(first.body, Buffer.from(plain))).toBe(0);
    // The resource block keeps its bytes; the cost scope follows them inside the same block.
    let contentStart = 1; // after the field tag and the varint length of the resource block
    while (usage[contentStart] & 0x80) contentStart++;
    expect(second.body.includes(Buffer.from(usage).subarray(contentStart + 1))).toBe(true);
    const points = decodeOtlpMetricPoints(second.body, 'protobuf');
    const cost = points.find((p) => p.name === 'tokenomics.cost');
    // 600 output tokens x $0.60 per million, exact (no cache share in output)
    expect(cost?.value).toBeCloseTo(0.00036, 12);
    expect(cost?.attributes['tokenomics.usage.estimated']).toBe(false);
    expect(cost?.temporality).toBe('delta');

    // A service whose cost counters come from its spans (the default): its histogram is forwarded
    // byte for byte, with no cost scope, so its calls are not counted a second time.
    const traced = jsonToProtobuf('metrics', metrics('gen_ai.client.token.usage', '{token}', 'support-bot-traced'));
    const before = sink.accepted().filter((r) => r.path === '/v1/metrics').length;
    expect((await post('/v1/metrics', traced, { 'content-type': 'application/x-protobuf' })).status).toBe(200);
    const third = (await forwarded('/v1/metrics', before + 1))[before];
    expect(Buffer.compare(third.body, Buffer.from(traced))).toBe(0);
    expect(decodeOtlpMetricPoints(third.body, 'protobuf').filter((p) => p.name === 'tokenomics.cost')).toEqual([]);
  });

  it('forwards logs (protobuf byte for byte; JSON as the same protobuf)', async () => {
    const logsJson = JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
          scopeLogs: [
            {
              scope: { name: 'app' },
              logRecords: [
                {
                  timeUnixNano: '1764000000000000000',
                  severityNumber: 9,
                  severityText: 'INFO',
                  body: { stringValue: 'order placed' },
                  traceId: '11112222333344445555666677778888',
                  spanId: 'aaaaaaaaaaaaaaa1',
                },
              ],
            },
          ],
        },
      ],
    });
    const protobuf = logsRequestType()
      .encode(
        logsRequestType().fromObject(
          JSON.parse(
            logsJson
              .replace('11112222333344445555666677778888', Buffer.from('11112222333344445555666677778888', 'hex').toString('base64'))
              .replace('aaaaaaaaaaaaaaa1', Buffer.from('aaaaaaaaaaaaaaa1', 'hex').toString('base64')),
          ),
        ),
      )
      .finish();
    expect((await post('/v1/logs', protobuf, { 'content-type': 'application/x-protobuf' })).status).toBe(200);
    expect((await post('/v1/logs', logsJson, { 'content-type': 'application/json' })).status).toBe(200);
    const logs = await forwarded('/v1/logs', 2);
    expect(Buffer.compare(logs[0].body, Buffer.from(protobuf))).toBe(0);
    expect(Buffer.compare(logs[1].body, Buffer.from(protobuf))).toBe(0);
  });
});

describe('bad input', () => {
  const reason = (res: { body: Buffer; headers: Headers }) =>
    res.headers.get('content-type') === 'application/json'
      ? (JSON.parse(res.body.toString()) as { message: string }).message
      : decodeStatus(res.body).message;

  it('answers 400 with the reason for protobuf that is not an OTLP request', async () => {
    const res = await post('/v1/traces', Buffer.from([0x0a, 0xff, 0xff, 0x01, 0x02]), { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(400);
    expect(reason(res)).toMatch(/^malformed OTLP traces protobuf: /);
  });

  it('answers 400 for a body that is not JSON and for JSON of the wrong shape, naming the problem', async () => {
    const notJson = await post('/v1/traces', '{"resourceSpans": [', { 'content-type': 'application/json' });
    expect(notJson.status).toBe(400);
    expect(reason(notJson)).toMatch(/^body is not JSON/);
    const wrong = await post('/v1/traces', '{"resourceSpans": 7}', { 'content-type': 'application/json' });
    expect(wrong.status).toBe(400);
    expect(reason(wrong)).toMatch(/resourceSpans/);
    const badId = await post('/v1/traces', plainTrace('not-hex-at-all!!'), { 'content-type': 'application/json' });
    expect(badId.status).toBe(400);
    expect(reason(badId)).toMatch(/spanId "not-hex-at-all!!" is not hex/);
    const badGzip = await post('/v1/traces', Buffer.from('not gzip'), {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
    });
    expect(badGzip.status).toBe(400);
  });

  it('answers 413 for a body over the limit, declared or after decompression', async () => {
    const big = Buffer.alloc(65 * 1024, 1);
    const declared = await post('/v1/traces', big, { 'content-type': 'application/x-protobuf' });
    expect(declared.status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(1024 * 1024, 0));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const inflated = await post('/v1/traces', bomb, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(inflated.status).toBe(413);
  });

  it('answers 415 for an unknown content type or content encoding, 404 for an unknown path, 405 for GET', async () => {
    expect((await post('/v1/traces', 'x', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post('/v1/traces', 'x', { 'content-type': 'application/x-protobuf', 'content-encoding': 'br' })).status).toBe(415);
    expect((await post('/v2/traces', 'x', { 'content-type': 'application/x-protobuf' })).status).toBe(404);
    expect((await fetch(`${base}/v1/traces`)).status).toBe(405);
  });

  it('answers gRPC INVALID_ARGUMENT for a request that is not an OTLP message', async () => {
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
        Buffer.from([0x0a, 0x05, 0x01]),
        new Metadata(),
        resolve,
      ),
    );
    client.close();
    expect(err?.code).toBe(status.INVALID_ARGUMENT);
    expect(err?.details).toMatch(/^malformed OTLP traces protobuf/);
  });

  it('never crashes on random bytes or random JSON: every request is accepted or refused as malformed', async () => {
    const signals = ['traces', 'metrics', 'logs'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...signals), fc.uint8Array({ maxLength: 512 }), (signal, bytes) => {
        const result = stage.accept(signal, bytes);
        expect(['accepted', 'malformed']).toContain(result.kind);
      }),
      { numRuns: 2000 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...signals), fc.jsonValue({ maxDepth: 4 }), async (signal, value) => {
        const res = await post(`/v1/${signal}`, JSON.stringify(value), { 'content-type': 'application/json' });
        expect([200, 400]).toContain(res.status);
      }),
      { numRuns: 150 },
    );
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
  });
});

describe('own telemetry', () => {
  it('serves health and Prometheus counters of what it received, priced, refused and forwarded', async () => {
    const health = await fetch(`http://${stage.addresses.telemetry}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
    const text = await (await fetch(`http://${stage.addresses.telemetry}/metrics`)).text();
    expect(text).toMatch(/^tokenomics_collector_received_total\{tokenomics_collector_signal="traces"\} [1-9]\d*$/m);
    expect(text).toMatch(/^tokenomics_collector_enriched_total [1-9]\d*$/m);
    expect(text).toMatch(/^tokenomics_collector_invalid_total [1-9]\d*$/m);
    expect(text).toMatch(
      new RegExp(
        `^tokenomics_collector_forwarded_total\\{tokenomics_collector_destination="${sink.url.replace(/[.]/g, '\\.')}"\\} [1-9]\\d*$`,
        'm',
      ),
    );
    expect(text).toMatch(/^tokenomics_collector_queue_bytes \d+$/m);
  });
});
