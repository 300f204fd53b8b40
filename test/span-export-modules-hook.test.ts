import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port';
import { decodeOtlpSpans } from './support/otlp-decode';
import { runApp, stopAllApps } from './support/run-app';

// The hook's http/protobuf span exporter is built from @opentelemetry/otlp-exporter-base with the
// hook's own serialiser and response reader: a process that exports spans this way never loads the
// official encoders (@opentelemetry/otlp-transformer, with its metrics, logs and JSON serialisers),
// nor the exporter package that bundles them. (@opentelemetry/api-logs is loaded in every set-up,
// by @opentelemetry/instrumentation.)

const APP = fileURLToPath(new URL('./fixtures/span-export/modules-app.cjs', import.meta.url));

const NOT_LOADED = ['@opentelemetry/otlp-transformer', '@opentelemetry/exporter-trace-otlp-proto', 'protobufjs'];

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});

afterEach(() => stopAllApps());

afterAll(async () => {
  await emulator.close();
});

interface AppReport {
  packages: string[];
  usage: { prompt_tokens: number; completion_tokens: number };
  requests: { path: string; contentType: string; body: string }[];
}

describe('hook exporting spans over OTLP http/protobuf', () => {
  it('delivers priced spans and reads the backend partial success without loading @opentelemetry/otlp-transformer or exporter-trace-otlp-proto', async () => {
    const sinkPort = await freePort();
    const result = await runApp({
      app: APP,
      env: {
        OPENAI_BASE_URL: emulator.openaiBaseURL,
        SINK_PORT: String(sinkPort),
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${sinkPort}/v1/traces`,
        OTEL_BSP_SCHEDULE_DELAY: '50',
        OTEL_LOG_LEVEL: 'warn',
        OTEL_SERVICE_NAME: 'modules-check',
      },
      timeoutMs: 60_000,
    });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout.trim()) as AppReport;

    // The spans reached the sink, encoded as protobuf, with the counts the client was billed.
    const traces = report.requests.filter((r) => r.path === '/v1/traces');
    expect(traces.length).toBeGreaterThan(0);
    expect(traces.every((r) => r.contentType === 'application/x-protobuf')).toBe(true);
    const spans = traces.flatMap((r) => decodeOtlpSpans(Buffer.from(r.body, 'base64'), 'protobuf'));
    const chat = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
    expect(chat).toHaveLength(1);
    expect(chat[0]!.attributes['gen_ai.usage.input_tokens']).toBe(report.usage.prompt_tokens);
    expect(chat[0]!.attributes['gen_ai.usage.output_tokens']).toBe(9);
    expect(report.usage.completion_tokens).toBe(9);
    expect(chat[0]!.attributes['gen_ai.usage.cost.currency']).toBe('USD');
    expect(chat[0]!.resource['service.name']).toBe('modules-check');

    // The sink's answer was read by the hook's own reader, as the official one reads it.
    expect(result.stderr).toContain('Received Partial Success response: {"rejectedSpans":2,"errorMessage":"over quota"}');

    expect(report.packages).toEqual(expect.arrayContaining(['@opentelemetry/otlp-exporter-base', '@opentelemetry/sdk-trace-base']));
    expect(report.packages.filter((name) => NOT_LOADED.includes(name))).toEqual([]);
  });
});
