import { join } from 'node:path';
import type { Emulator } from '@tokenomics/emulator';
import { describe, expect, it } from 'vitest';
import { runCountingContexts, runWithAndWithoutSpans } from './support/context-count';
import { E2E_DIR } from './support/run-app';

// Metrics pushed over OTLP with no spans recorded: the hook's periodic reader exports without
// entering a context (the SDK's reader enters one with tracing suppressed for every export, and
// from the first export on the context manager tracks every promise of the process). With spans
// exported, every call enters the context of its span, as before.
const APP = join(E2E_DIR, 'fixtures', 'context-count', 'otlp-metrics-app.cjs');
const CALLS = 6;

interface Run {
  entered: number;
  /** Metric export requests the receiver accepted. */
  metricExports: number;
  /** Calls counted by the last export of the duration histogram (cumulative). */
  calls: number;
  spans: number;
}

function runThroughHook(emulator: Emulator, spans: boolean): Promise<Run> {
  const env = { OPENAI_BASE_URL: emulator.openaiBaseURL, OPENAI_API_KEY: 'sk-e2e-secret-000' };
  return runCountingContexts({ app: APP, env, spans }, ({ receiver, entered }) => {
    const metricExports = receiver.requests().filter((r) => r.path === '/v1/metrics' && r.status === 200).length;
    const counts = receiver.metricPoints('gen_ai.client.operation.duration').map((p) => p.count ?? 0);
    return { entered, metricExports, calls: Math.max(0, ...counts), spans: receiver.spans().length };
  });
}

describe('metrics pushed over OTLP through the hook: the context entered by an export', () => {
  const runs = runWithAndWithoutSpans(runThroughHook, 120_000);

  it('metrics only: two exports while the app runs, one at exit, and no context entered', () => {
    expect(runs.metricsOnly.metricExports).toBe(3);
    expect(runs.metricsOnly.calls).toBe(CALLS);
    expect(runs.metricsOnly.spans).toBe(0);
    expect(runs.metricsOnly.entered).toBe(0);
  });

  it('spans exported: each call enters its span context, and the exports still reach the backend', () => {
    expect(runs.withSpans.metricExports).toBe(3);
    expect(runs.withSpans.calls).toBe(CALLS);
    expect(runs.withSpans.spans).toBe(CALLS);
    expect(runs.withSpans.entered).toBeGreaterThanOrEqual(CALLS);
  });
});
