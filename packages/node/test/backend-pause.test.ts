import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendPause, DeliveryLedger, FAILURES_BEFORE_PAUSE, backgroundSpanExporter } from '../src/delivery';

// A backend that keeps failing is not sent every batch: after three failed exports in a row the
// hook drops batches at once for a pause, then probes. Driven through the real OTLP exporter over
// HTTP against a server that counts the requests it receives; the pause's clock is the test's.

let server: Server;
let url: string;
let requests = 0;
let status = 503;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      res.writeHead(status, { 'content-type': 'application/x-protobuf' });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Finished spans of a real tracer, to export as batches. */
function makeSpans(n: number): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('app');
  for (let i = 0; i < n; i++) tracer.startSpan(`work ${i}`).end();
  return memory.getFinishedSpans();
}

describe('exports to a backend that keeps failing', () => {
  it('pause after three failures in a row, drop batches at once as backend_unavailable, then probe and resume when the backend is back', async () => {
    let clock = 1_000_000;
    const pause = new BackendPause(5_000, 60_000, () => clock);
    const ledger = new DeliveryLedger();
    // A 503 is retried after about a second; the 300 ms timeout leaves room for one request per export.
    const exporter = backgroundSpanExporter(new OTLPTraceExporter({ url, timeoutMillis: 300 }), ledger, 6, pause);
    const batch = makeSpans(4);
    const exportOne = async () => {
      exporter.export(batch, () => {});
      await exporter.forceFlush!();
    };

    for (let i = 0; i < FAILURES_BEFORE_PAUSE; i++) await exportOne();
    expect(requests).toBe(FAILURES_BEFORE_PAUSE);
    expect(ledger.dropped().traces).toBe(4 * FAILURES_BEFORE_PAUSE);

    // Paused: nothing is serialised or sent, every batch counted as dropped.
    for (let i = 0; i < 10; i++) await exportOne();
    expect(requests).toBe(FAILURES_BEFORE_PAUSE);
    expect(ledger.dropped().traces).toBe(4 * (FAILURES_BEFORE_PAUSE + 10));

    // After the pause one batch probes; it fails, so the next pause is twice as long.
    clock += 5_000;
    await exportOne();
    expect(requests).toBe(FAILURES_BEFORE_PAUSE + 1);
    clock += 5_000;
    await exportOne();
    expect(requests).toBe(FAILURES_BEFORE_PAUSE + 1);

    // The backend is back: the probe after the doubled pause succeeds and every batch goes again.
    status = 200;
    clock += 5_000;
    await exportOne();
    await exportOne();
    await exportOne();
    expect(requests).toBe(FAILURES_BEFORE_PAUSE + 4);
    expect(ledger.dropped().traces).toBe(4 * (FAILURES_BEFORE_PAUSE + 10 + 2));
    await exporter.shutdown();
  });
});
