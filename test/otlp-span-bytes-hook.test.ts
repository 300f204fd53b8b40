import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { readConfig, start, type TokenomicsHandle } from '@tokenomics/node';
import { PriceBook } from '@tokenomics/pricing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOtlpSpanExporter } from '../packages/node/src/trace-exporters';
import { decodeOtlpSpans } from './support/otlp-decode';

// The hook's OTLP http/protobuf span exporter encodes requests with its own serialiser. This runs
// the hook in-process around the real `openai` client against the emulator, with the exporter
// `OTEL_TRACES_EXPORTER=otlp` builds (given in code so that a second, in-memory span processor can
// see the very spans the SDK ended) sending to a sink that keeps the raw request bodies, and checks
// them against the official serialiser's encoding of those spans.

const require = createRequire(import.meta.url);
const { ProtobufTraceSerializer } = createRequire(require.resolve('@opentelemetry/exporter-trace-otlp-proto'))(
  '@opentelemetry/otlp-transformer',
) as { ProtobufTraceSerializer: { serializeRequest(spans: ReadableSpan[]): Uint8Array | undefined } };

/** USD per million tokens of the one model the app calls. */
const BOOK = PriceBook.load({ overrides: { models: [{ provider: 'openai', model: 'house-model', prices: { input: 2, output: 8 } }] } });

interface Received {
  path: string;
  contentType: string | undefined;
  body: Buffer;
}

let emulator: Emulator;
let sink: Server;
let sinkUrl: string;
const received: Received[] = [];
let handle: TokenomicsHandle | undefined;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  sink = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  }).listen(0, '127.0.0.1');
  await once(sink, 'listening');
  sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
});

afterAll(async () => {
  sink.close();
  await emulator.close();
});

/** Resolves once `condition` holds, checking on every turn of the event loop until `timeoutMs`. */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('hook spans over OTLP http/protobuf', () => {
  it("sends the official serialiser's exact bytes for priced OpenAI calls, and they decode with the exact token counts and cost", async () => {
    const memory = new InMemorySpanExporter();
    const env = {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${sinkUrl}/v1/traces`,
      OTEL_SERVICE_NAME: 'bytes-check',
    };
    const otlp = readConfig(env).traces.otlp;
    expect(otlp.protocol).toBe('http/protobuf');
    handle = start({
      env,
      traceExporter: createOtlpSpanExporter(otlp),
      spanProcessors: [new SimpleSpanProcessor(memory)],
      priceBook: BOOK,
      flushOnExit: false,
    });
    const { OpenAI } = require('openai') as typeof import('openai');
    const client = new OpenAI({ apiKey: 'sk-e2e-secret-000', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
    const questions = ['Where is my order?', 'Can I return a bike bought in Zürich? 🚲', 'What does the warranty cover?'];
    for (const content of questions) {
      await client.chat.completions.create({ model: 'house-model', messages: [{ role: 'user', content }], max_tokens: 40 });
    }
    await handle.forceFlush();
    await until(() => received.length > 0 && memory.getFinishedSpans().length === questions.length);

    const traces = received.filter((r) => r.path === '/v1/traces');
    expect(traces).toHaveLength(1);
    expect(traces[0]!.contentType).toBe('application/x-protobuf');
    const ended = memory.getFinishedSpans();
    expect(traces[0]!.body.equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(ended)!))).toBe(true);

    const decoded = decodeOtlpSpans(traces[0]!.body, 'protobuf');
    expect(decoded.map((s) => s.spanId)).toEqual(ended.map((s) => s.spanContext().spanId));
    for (const [i, span] of decoded.entries()) {
      const input = span.attributes['gen_ai.usage.input_tokens'] as number;
      const output = span.attributes['gen_ai.usage.output_tokens'] as number;
      expect(input).toBeGreaterThan(0);
      expect(output).toBeGreaterThan(0);
      expect(input).toBe(ended[i]!.attributes['gen_ai.usage.input_tokens']);
      expect(output).toBe(ended[i]!.attributes['gen_ai.usage.output_tokens']);
      expect(span.attributes['gen_ai.usage.cost.amount']).toBe(ended[i]!.attributes['gen_ai.usage.cost.amount']);
      expect(span.attributes['gen_ai.usage.cost.amount']).toBeCloseTo((input * 2 + output * 8) / 1e6, 15);
      expect(span.attributes['gen_ai.usage.cost.currency']).toBe('USD');
      expect(span.attributes['gen_ai.request.model']).toBe('house-model');
      expect(span.resource['service.name']).toBe('bytes-check');
    }
  });
});
