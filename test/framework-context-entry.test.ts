import { join } from 'node:path';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CountedCalls, runCountingContexts } from './support/context-count';
import type { OtlpMetricPoint } from './support/otlp-receiver';
import { E2E_DIR } from './support/run-app';

// The framework instrumentations carry their names (`chain`, `graph_node`, `agent`) in an
// OpenTelemetry context only where something reads them: spans, or metric points whose attribution
// keys name them. Otherwise they enter no context, and the context manager never starts tracking
// the process's promises. Each fixture prints the contexts entered while the app ran.
const LANGCHAIN_APP = join(E2E_DIR, 'fixtures', 'langchain', 'metrics-only-app.cjs');
const AGENTS_APP = join(E2E_DIR, 'fixtures', 'openai-agents', 'metrics-only-app.cjs');
/** Model calls: the chain invoked and streamed, the graph's node; the agent's run. */
const LANGCHAIN_CALLS = 3;
const AGENTS_CALLS = 1;
const FRAMEWORK_KEYS = ['chain', 'graph_node', 'agent'];

type Run = CountedCalls;

type SetUp = 'metrics only' | 'metrics only, framework keys allow-listed' | 'spans exported';

function runThroughHook(emulator: Emulator, app: string, calls: number, setUp: SetUp): Promise<Run> {
  const env: Record<string, string> = {
    OPENAI_BASE_URL: emulator.openaiBaseURL,
    OPENAI_API_KEY: 'sk-e2e-secret-000',
    LANGSMITH_TRACING: 'false',
    LANGCHAIN_TRACING_V2: 'false',
  };
  if (setUp === 'metrics only, framework keys allow-listed')
    env.TOKENOMICS_ATTRIBUTION_KEYS = ['tenant', 'feature', ...FRAMEWORK_KEYS].join(',');
  const spans = setUp === 'spans exported';
  return runCountingContexts({ app, env, spans }, async ({ receiver, stdout, entered }) => {
    const durations = await receiver.waitFor((r) => {
      const points = r.metricPoints('gen_ai.client.operation.duration');
      return points.length > 0 ? points : undefined;
    }, 10_000);
    const received = spans ? await receiver.waitFor((r) => (r.spans().length >= calls ? r.spans() : undefined), 10_000) : [];
    return {
      stdout,
      entered,
      costPoints: receiver.metricPoints('tokenomics.cost'),
      calls: durations.reduce((n, p) => n + (p.count ?? 0), 0),
      spans: received.filter((s) => s.scope.name === '@tokenomics/instrumentation-openai'),
    };
  });
}

const frameworkLabels = (points: OtlpMetricPoint[]) =>
  [
    ...new Set(
      points.flatMap((p) =>
        FRAMEWORK_KEYS.filter((k) => p.attributes[`tokenomics.attribution.${k}`] !== undefined).map(
          (k) => `${k}=${String(p.attributes[`tokenomics.attribution.${k}`])}`,
        ),
      ),
    ),
  ].sort();

describe.each([
  { framework: 'LangChain.js and LangGraph', app: LANGCHAIN_APP, calls: LANGCHAIN_CALLS },
  { framework: 'OpenAI Agents SDK', app: AGENTS_APP, calls: AGENTS_CALLS },
])('$framework through the hook: contexts entered only for what is read', ({ framework, app, calls }) => {
  let emulator: Emulator;
  const runs = new Map<SetUp, Run>();

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    for (const setUp of ['metrics only', 'metrics only, framework keys allow-listed', 'spans exported'] as const)
      runs.set(setUp, await runThroughHook(emulator, app, calls, setUp));
  }, 180_000);

  afterAll(async () => {
    await emulator?.close();
  });

  it('metrics only: enters no context, and still records and prices every call', () => {
    const run = runs.get('metrics only')!;
    expect(run.entered).toBe(0);
    expect(run.calls).toBe(calls);
    expect(run.costPoints.reduce((n, p) => n + (p.value ?? 0), 0)).toBeGreaterThan(0);
    // Not allow-listed: no framework name on a metric point, as before.
    expect(frameworkLabels(run.costPoints)).toEqual([]);
  });

  it('what the app sees does not depend on the set-up', () => {
    const outputs = [...runs.values()].map((r) => r.stdout.replace(/^contexts entered: \d+$/m, ''));
    expect(new Set(outputs).size).toBe(1);
  });

  it('framework keys allow-listed: carries them to the metric points', () => {
    const run = runs.get('metrics only, framework keys allow-listed')!;
    expect(run.entered).toBeGreaterThan(0);
    expect(run.calls).toBe(calls);
    expect(frameworkLabels(run.costPoints)).toEqual(
      framework === 'OpenAI Agents SDK' ? ['agent=north'] : ['chain=advice-graph', 'chain=commute-chain', 'graph_node=advise'],
    );
  });

  it('spans exported: carries them to the spans', () => {
    const run = runs.get('spans exported')!;
    expect(run.entered).toBeGreaterThan(0);
    expect(run.spans).toHaveLength(calls);
    const labels = run.spans.map((s) => FRAMEWORK_KEYS.map((k) => s.attributes[`tokenomics.attribution.${k}`] ?? '-').join(' ')).sort();
    expect(labels).toEqual(
      framework === 'OpenAI Agents SDK' ? ['- - north'] : ['advice-graph advise -', 'commute-chain - -', 'commute-chain - -'],
    );
  });
});
