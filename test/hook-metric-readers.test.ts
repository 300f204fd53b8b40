import { join } from 'node:path';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port';
import { startOtlpReceiver, type OtlpMetricPoint, type OtlpReceiver } from './support/otlp-receiver';
import { E2E_DIR, startApp, type RunningApp } from './support/run-app';

const APP = join(E2E_DIR, 'fixtures', 'metric-readers', 'app.cjs');
const SCOPE = '@tokenomics/instrumentation';
const CALLS_PER_BATCH = 3;

interface Line {
  batch: number;
  model: string;
  input: number;
  output: number;
}

/** One Prometheus sample: metric name, labels, value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key] = value;
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** A series key both exports share: the attributes with dots as Prometheus writes them, scope labels left out. */
function seriesKey(attributes: Record<string, unknown>): string {
  return Object.entries(attributes)
    .filter(([key]) => !key.startsWith('otel_scope_'))
    .map(([key, value]) => `${key.replaceAll('.', '_')}=${String(value)}`)
    .sort()
    .join(',');
}

/** Sum of every OTLP point of `name` by series (delta points add up to the total). */
function otlpTotals(points: OtlpMetricPoint[], pick: (p: OtlpMetricPoint) => number): Map<string, number> {
  const totals = new Map<string, number>();
  for (const p of points) {
    const key = seriesKey(p.attributes);
    totals.set(key, (totals.get(key) ?? 0) + pick(p));
  }
  return totals;
}

function promTotals(samples: Sample[], name: string): Map<string, number> {
  return new Map(samples.filter((s) => s.name === name).map((s) => [seriesKey(s.labels), s.value]));
}

describe('the hook with a delta OTLP reader and the cumulative Prometheus endpoint', () => {
  let emulator: Emulator;
  let receiver: OtlpReceiver;
  let app: RunningApp;
  let lines: Line[];
  let samples: Sample[];
  let points: (name: string) => OtlpMetricPoint[];

  const durationCount = (r: OtlpReceiver) =>
    r
      .metricPoints('gen_ai.client.operation.duration')
      .filter((p) => p.scope.name === SCOPE)
      .reduce((n, p) => n + (p.count ?? 0), 0);

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    receiver = await startOtlpReceiver();
    const prometheusPort = await freePort();
    app = startApp({
      app: APP,
      env: {
        OPENAI_BASE_URL: emulator.openaiBaseURL,
        OTEL_METRICS_EXPORTER: 'otlp,prometheus',
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta',
        OTEL_METRIC_EXPORT_INTERVAL: '200',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(prometheusPort),
      },
      timeoutMs: 90_000,
    });
    // The first batch is exported before the second starts: the series appear in two exports at least.
    await app.waitForOutput('batch 1 done', 30_000);
    await receiver.waitFor((r) => durationCount(r) >= CALLS_PER_BATCH, 30_000);
    app.kill('SIGUSR2');
    await app.waitForOutput('batch 2 done', 30_000);
    await receiver.waitFor((r) => durationCount(r) >= 2 * CALLS_PER_BATCH, 30_000);
    samples = parsePrometheus(await (await fetch(`http://127.0.0.1:${prometheusPort}/metrics`)).text());
    lines = app
      .stdout()
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line);
    points = (name) => receiver.metricPoints(name).filter((p) => p.scope.name === SCOPE);
  }, 120_000);

  afterAll(async () => {
    app?.kill('SIGKILL');
    await app?.result;
    await receiver?.close();
    await emulator?.close();
  });

  it('exports every call metric to the OTLP reader as delta points and to Prometheus as cumulative series', () => {
    expect(lines).toHaveLength(2 * CALLS_PER_BATCH);
    for (const name of ['gen_ai.client.operation.duration', 'gen_ai.client.token.usage', 'tokenomics.tokens', 'tokenomics.cost']) {
      expect(points(name).length, name).toBeGreaterThan(0);
      expect(new Set(points(name).map((p) => p.temporality)), name).toEqual(new Set(['delta']));
    }
    expect(samples.find((s) => s.name === 'gen_ai_client_operation_duration_count')).toBeDefined();
  });

  it('gives both readers the same totals per series, equal to the tokens the provider billed', () => {
    const billed = lines.reduce((n, l) => n + l.input + l.output, 0);
    const tokens = otlpTotals(points('tokenomics.tokens'), (p) => p.value ?? 0);
    expect(tokens).toEqual(promTotals(samples, 'tokenomics_tokens_total'));
    expect([...tokens.values()].reduce((a, b) => a + b, 0)).toBe(billed);

    const cost = otlpTotals(points('tokenomics.cost'), (p) => p.value ?? 0);
    const promCost = promTotals(samples, 'tokenomics_cost_total');
    expect([...cost.keys()].sort()).toEqual([...promCost.keys()].sort());
    for (const [key, usd] of cost) expect(usd, key).toBeCloseTo(promCost.get(key) as number, 15);

    const usage = otlpTotals(points('gen_ai.client.token.usage'), (p) => p.sum ?? 0);
    expect(usage).toEqual(promTotals(samples, 'gen_ai_client_token_usage_sum'));
    expect(otlpTotals(points('gen_ai.client.token.usage'), (p) => p.count ?? 0)).toEqual(
      promTotals(samples, 'gen_ai_client_token_usage_count'),
    );
    expect(otlpTotals(points('gen_ai.client.operation.duration'), (p) => p.count ?? 0)).toEqual(
      promTotals(samples, 'gen_ai_client_operation_duration_count'),
    );
  });

  it('hands the OTLP reader only what came since its last export: no delta point counts a call twice', () => {
    const perExport = points('gen_ai.client.operation.duration').map((p) => p.count ?? 0);
    expect(perExport.every((n) => n > 0)).toBe(true);
    expect(perExport.reduce((a, b) => a + b, 0)).toBe(2 * CALLS_PER_BATCH);
    // Each delta point starts where the reader's previous export of the series ended, or later.
    const bySeries = new Map<string, OtlpMetricPoint[]>();
    for (const p of points('gen_ai.client.operation.duration')) {
      const key = seriesKey(p.attributes);
      bySeries.set(key, [...(bySeries.get(key) ?? []), p]);
    }
    for (const series of bySeries.values()) {
      for (let i = 1; i < series.length; i++) expect(series[i].startTimeUnixNano >= series[i - 1].timeUnixNano).toBe(true);
    }
  });
});
