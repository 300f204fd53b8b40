import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { detachedAgentFactory } from '../src/detached-http';
import { createOtlpSpanExporter } from '../src/trace-exporters';

// The hook builds its http/protobuf span exporter from @opentelemetry/otlp-exporter-base rather than
// taking OTLPTraceExporter of @opentelemetry/exporter-trace-otlp-proto (which loads every official
// encoder). Here both are pointed at one backend with the same options and environment, and the
// backend sees the same requests from each: endpoint, headers, compression, body, retries.

interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let server: Server;
let url: string;
const seen: Seen[] = [];
/** Statuses to answer with, in turn; 200 once they run out. */
const answers: number[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const status = answers.shift() ?? 200;
      res.writeHead(status, status === 503 ? { 'retry-after': '0' } : { 'content-type': 'application/x-protobuf' }).end();
    });
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

const VARIABLES = ['OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', 'OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT'];
const saved = new Map(VARIABLES.map((name) => [name, process.env[name]]));

afterEach(() => {
  seen.length = 0;
  answers.length = 0;
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

afterAll(() => {
  server.close();
});

function spans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] }).getTracer('equivalence');
  tracer.startSpan('chat house-model', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 12 } }).end();
  tracer.startSpan('embeddings', { attributes: { 'gen_ai.operation.name': 'embeddings' } }).end();
  return memory.getFinishedSpans();
}

function exportOnce(exporter: SpanExporter, batch: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(batch, resolve));
}

/** What the backend saw for one export by `exporter`, headers the connection sets aside. */
async function requestsFrom(exporter: SpanExporter, batch: ReadableSpan[]): Promise<{ result: ExportResult; requests: Seen[] }> {
  const result = await exportOnce(exporter, batch);
  await exporter.shutdown();
  const requests = seen.splice(0).map(({ path, headers, body }) => {
    const { host: _host, connection: _connection, ...rest } = headers;
    return { path, headers: rest, body: headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body };
  });
  return { result, requests };
}

describe('http/protobuf span exporter of the hook', () => {
  it('sends what OTLPTraceExporter of exporter-trace-otlp-proto sends: path, content type, user agent, headers from options and environment, gzip, body', async () => {
    process.env.OTEL_EXPORTER_OTLP_TRACES_COMPRESSION = 'gzip';
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'x-from-env=1';
    const batch = spans();
    const options = { url: `${url}/v1/traces`, headers: { 'x-api-key': 'secret' } };
    const ours = await requestsFrom(createOtlpSpanExporter({ protocol: 'http/protobuf', ...options }), batch);
    const official = await requestsFrom(new OTLPTraceExporter({ ...options, httpAgentOptions: detachedAgentFactory }), batch);
    expect(ours.result.code).toBe(ExportResultCode.SUCCESS);
    expect(ours).toEqual(official);
    expect(ours.requests).toHaveLength(1);
    const [request] = ours.requests;
    expect(request!.path).toBe('/v1/traces');
    expect(request!.headers).toMatchObject({
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
      'x-api-key': 'secret',
      'x-from-env': '1',
    });
    expect(request!.headers['user-agent']).toMatch(/^OTel-OTLP-Exporter-JavaScript\/0\.223\./);
  });

  it('retries a 503 as OTLPTraceExporter does, with the retries that never hold the process open', async () => {
    const batch = spans();
    const exporter = createOtlpSpanExporter({ protocol: 'http/protobuf', url: `${url}/v1/traces`, headers: {} });
    expect((exporter as unknown as { _delegate: { _transport: object } })._delegate._transport.constructor.name).toBe('DetachedRetries');
    answers.push(503, 503);
    const ours = await requestsFrom(exporter, batch);
    answers.push(503, 503);
    const official = await requestsFrom(new OTLPTraceExporter({ url: `${url}/v1/traces`, httpAgentOptions: detachedAgentFactory }), batch);
    expect(ours.result.code).toBe(ExportResultCode.SUCCESS);
    expect(ours.requests).toHaveLength(3);
    expect(ours).toEqual(official);
  });

  it('fails an export the backend refuses (400) as OTLPTraceExporter does, after one request', async () => {
    const batch = spans();
    answers.push(400);
    const ours = await requestsFrom(createOtlpSpanExporter({ protocol: 'http/protobuf', url: `${url}/v1/traces`, headers: {} }), batch);
    answers.push(400);
    const official = await requestsFrom(new OTLPTraceExporter({ url: `${url}/v1/traces`, httpAgentOptions: detachedAgentFactory }), batch);
    expect(ours.result.code).toBe(ExportResultCode.FAILED);
    expect(official.result.code).toBe(ExportResultCode.FAILED);
    expect(ours.requests).toHaveLength(1);
    expect(ours.requests).toEqual(official.requests);
    expect(String(ours.result.error)).toBe(String(official.result.error));
  });
});
