import { join } from 'node:path';
import type { Emulator } from '@tokenomics/emulator';
import { describe, expect, it } from 'vitest';
import { type CountedCalls, runCountingContexts, runWithAndWithoutSpans } from './support/context-count';
import type { OtlpMetricPoint } from './support/otlp-receiver';
import { E2E_DIR } from './support/run-app';

// A library that traces itself through the OpenTelemetry API (here ai 5 with
// `experimental_telemetry` on) starts an active span per call. With no tracer provider (the hook's
// default set-up) that span records nothing and carries no span context, and the hook's context
// manager does not enter a context for it: the process then never starts tracking its promises.
// With spans exported the spans record, and every context is entered as before.
const APP = join(E2E_DIR, 'fixtures', 'context-count', 'ai-telemetry-app.cjs');
/** generateText, streamText, and generateText inside the app's attribution. */
const CALLS = 3;
const SCOPE = '@tokenomics/instrumentation-ai-sdk';

type Run = CountedCalls;

function runThroughHook(emulator: Emulator, spans: boolean): Promise<Run> {
  const env = { OPENAI_BASE_URL: emulator.openaiBaseURL, OPENAI_API_KEY: 'sk-e2e-secret-000' };
  return runCountingContexts({ app: APP, env, spans }, async ({ receiver, stdout, entered }) => {
    const durations = await receiver.waitFor((r) => {
      const points = r.metricPoints('gen_ai.client.operation.duration');
      return points.reduce((n, p) => n + (p.count ?? 0), 0) >= CALLS ? points : undefined;
    }, 10_000);
    // Each call: the SDK's span around it, the SDK's span around the model call, ours.
    const received = spans ? await receiver.waitFor((r) => (r.spans().length >= 3 * CALLS ? r.spans() : undefined), 10_000) : [];
    return {
      stdout,
      entered,
      costPoints: receiver.metricPoints('tokenomics.cost'),
      calls: durations.reduce((n, p) => n + (p.count ?? 0), 0),
      spans: received,
    };
  });
}

const costOf = (points: OtlpMetricPoint[], tenant?: string) =>
  points.filter((p) => p.attributes['tokenomics.attribution.tenant'] === tenant).reduce((n, p) => n + (p.value ?? 0), 0);

describe('a library tracing itself through the API, through the hook', () => {
  const runs = runWithAndWithoutSpans(runThroughHook, 180_000);

  it('metrics only: enters only the context of the app’s attribution, and records and prices every call', () => {
    expect(runs.metricsOnly.entered).toBe(1);
    expect(runs.metricsOnly.calls).toBe(CALLS);
    expect(costOf(runs.metricsOnly.costPoints)).toBeGreaterThan(0);
    expect(costOf(runs.metricsOnly.costPoints, 'acme')).toBeGreaterThan(0);
    // The attributed call is the one of 7 output tokens: the same cost with and without spans.
    expect(costOf(runs.metricsOnly.costPoints, 'acme')).toBeCloseTo(costOf(runs.withSpans.costPoints, 'acme'), 15);
    expect(costOf(runs.metricsOnly.costPoints)).toBeCloseTo(costOf(runs.withSpans.costPoints), 15);
  });

  it('metrics only: inside the SDK’s call the app reads its own context, and no span', () => {
    expect(runs.metricsOnly.stdout).toContain('inside: tenant acme, active span none\n');
    expect(runs.metricsOnly.stdout).toContain('attributed generateText: ');
    expect(runs.metricsOnly.stdout).toContain('(tenant acme)\n');
    expect(runs.metricsOnly.stdout).toContain('after: active context is the root true\n');
  });

  it('what the app receives does not depend on the set-up', () => {
    const received = (r: Run) =>
      r.stdout
        .split('\n')
        .filter((l) => /^(generateText|streamText|attributed generateText): /.test(l))
        .join('\n');
    expect(received(runs.metricsOnly)).toBe(received(runs.withSpans));
    expect(received(runs.metricsOnly).split('\n')).toHaveLength(3);
  });

  it('spans exported: enters the SDK’s contexts, and parents our spans under its model-call spans', () => {
    expect(runs.withSpans.entered).toBeGreaterThan(1);
    expect(runs.withSpans.stdout).toContain('inside: tenant acme, active span recording\n');
    const names = runs.withSpans.spans.filter((s) => s.scope.name !== SCOPE).map((s) => s.name);
    expect(names.sort()).toEqual([
      'ai.generateText',
      'ai.generateText',
      'ai.generateText.doGenerate',
      'ai.generateText.doGenerate',
      'ai.streamText',
      'ai.streamText.doStream',
    ]);
    const ours = runs.withSpans.spans.filter((s) => s.scope.name === SCOPE);
    expect(ours).toHaveLength(CALLS);
    const parents = ours.map((s) => runs.withSpans.spans.find((p) => p.spanId === s.parentSpanId)?.name).sort();
    expect(parents).toEqual(['ai.generateText.doGenerate', 'ai.generateText.doGenerate', 'ai.streamText.doStream']);
  });
});
