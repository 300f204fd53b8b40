import type { Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFlavours, runHookedExample, type HookedExampleRun } from './support/examples';
import { OTLP_SPAN_KIND, type OtlpSpan } from './support/otlp-receiver';
import { runApp } from './support/run-app';

// OpenAI list prices, USD per million tokens: gpt-4o-mini $0.15 input, $0.60 output.
const gpt4oMiniUsd = (input: number, output: number) => (input * 0.15 + output * 0.6) / 1e6;

const OPENAI_SCOPE = '@tokenomics/instrumentation-openai';
/**
 * Model calls the example makes (examples/openai-agents-cjs/workload.js): a handoff (triage, then
 * refunds), a function tool (support twice), an agent as a tool (concierge, translator, concierge)
 * and a streamed run (refunds).
 */
const MODEL_CALLS = 8;

const attr = (s: OtlpSpan, key: string) => s.attributes[key];
const tokens = (s: OtlpSpan): [number, number] => [
  attr(s, 'gen_ai.usage.input_tokens') as number,
  attr(s, 'gen_ai.usage.output_tokens') as number,
];
const cost = (s: OtlpSpan) => attr(s, 'gen_ai.usage.cost.amount') as number;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The Responses API calls the emulator answered with 200. */
const served = (emulator: Emulator) => emulator.requests.filter((r) => r.path.endsWith('/responses') && r.status === 200);

/**
 * The usage the emulator bills for each model call it served: every served request is sent again
 * without streaming (the emulator answers a request the same way each time) and the usage of the
 * answer read, as sorted `input/output` strings.
 */
async function billedUsage(emulator: Emulator): Promise<string[]> {
  const out: string[] = [];
  for (const r of served(emulator)) {
    const { stream: _stream, ...body } = r.body as Record<string, unknown>;
    const res = await fetch(emulator.url + r.path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-e2e' },
      body: JSON.stringify(body),
    });
    const usage = ((await res.json()) as { usage: { input_tokens: number; output_tokens: number } }).usage;
    out.push(`${usage.input_tokens}/${usage.output_tokens}`);
  }
  return out.sort();
}

const MODES = [
  { tracing: 'off', env: {} },
  { tracing: 'on, into a local trace processor', env: { EXAMPLE_AGENTS_TRACING: 'local' } },
];
const CASES = exampleFlavours('openai-agents').flatMap((flavour) => MODES.map((mode) => ({ ...flavour, ...mode })));

describe.each(CASES)('OpenAI Agents SDK example with the hook: $kind, SDK tracing $tracing', ({ app, protocol, env: modeEnv }) => {
  let run: HookedExampleRun;
  let servedCalls: number;
  let billed: string[];
  let unhookedStdout: string;

  const appEnv = (emulator: Emulator) => ({
    OPENAI_BASE_URL: emulator.openaiBaseURL,
    OPENAI_API_KEY: 'sk-e2e-secret-000',
    OTEL_SERVICE_NAME: 'bike-shop-agents',
    ...modeEnv,
  });

  beforeAll(async () => {
    run = await runHookedExample({ app, protocol, env: appEnv, scope: OPENAI_SCOPE, spans: MODEL_CALLS, timeoutMs: 60_000 });
    servedCalls = served(run.emulator).length;
    billed = await billedUsage(run.emulator);
    const plain = await runApp({ app, hook: 'none', env: appEnv(run.emulator), timeoutMs: 60_000 });
    expect(plain.stderr).toBe('');
    expect(plain.code).toBe(0);
    unhookedStdout = plain.stdout;
  }, 150_000);

  afterAll(async () => {
    await run?.receiver.close();
    await run?.emulator.close();
  });

  it('exports one priced CLIENT span per model call the emulator served, and no span of its own', () => {
    expect(servedCalls).toBe(MODEL_CALLS);
    expect(run.spans).toHaveLength(servedCalls);
    // The SDK's tracing goes to its own processors: nothing of it reaches the OTLP export.
    expect(run.receiver.spans()).toHaveLength(servedCalls);
    for (const s of run.spans) {
      expect(s.kind).toBe(OTLP_SPAN_KIND.CLIENT);
      expect(attr(s, 'gen_ai.provider.name')).toBe('openai');
      expect(attr(s, 'gen_ai.request.model')).toBe('gpt-4o-mini');
      expect(attr(s, 'tokenomics.usage.estimated')).toBe(false);
    }
  });

  it('carries the token counts the emulator billed and their list-price cost', () => {
    expect(
      run.spans
        .map(tokens)
        .map(([i, o]) => `${i}/${o}`)
        .sort(),
    ).toEqual(billed);
    for (const s of run.spans) expect(cost(s)).toBeCloseTo(gpt4oMiniUsd(...tokens(s)), 14);
    // The SDK's own usage totals of the four runs, as the app printed them, add up to the spans'.
    const printed = [...run.stdout.matchAll(/\((\d+) requests, (\d+) in \/ (\d+) out\)$/gm)];
    expect(printed).toHaveLength(4);
    expect(sum(printed.map((m) => Number(m[1])))).toBe(MODEL_CALLS);
    expect(sum(printed.map((m) => Number(m[2])))).toBe(sum(run.spans.map((s) => tokens(s)[0])));
    expect(sum(printed.map((m) => Number(m[3])))).toBe(sum(run.spans.map((s) => tokens(s)[1])));
  });

  it('counts in the cost metric exactly the sum of the span costs', () => {
    const metricTotal = sum(run.receiver.metricPoints('tokenomics.cost').map((p) => p.value ?? 0));
    expect(metricTotal).toBeCloseTo(sum(run.spans.map(cost)), 14);
    expect(sum(run.receiver.metricPoints('gen_ai.client.operation.duration').map((p) => p.count ?? 0))).toBe(MODEL_CALLS);
  });

  it('attributes each model call to the agent that made it, across handoffs and agents used as tools', () => {
    const byStart = [...run.spans].sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1));
    expect(byStart.map((s) => attr(s, 'tokenomics.attribution.agent'))).toEqual([
      'triage',
      'refunds',
      'support',
      'support',
      'concierge',
      'translator',
      'concierge',
      'refunds',
    ]);
    for (const p of run.receiver.metricPoints('tokenomics.cost')) expect(p.attributes['tokenomics.attribution.agent']).toBeUndefined();
  });

  it('prints exactly what the app prints without the hook', () => {
    expect(run.stdout).toContain('workload done');
    expect(run.stdout).toBe(unhookedStdout);
    if (modeEnv.EXAMPLE_AGENTS_TRACING === 'local') expect(run.stdout).toMatch(/^sdk tracing: 4 traces, spans .*response=8/m);
    else expect(run.stdout).not.toContain('sdk tracing');
  });
});

describe('OpenAI Agents SDK example with the agent allow-listed for metrics', () => {
  let run: HookedExampleRun;
  const [{ app, protocol }] = exampleFlavours('openai-agents');

  beforeAll(async () => {
    run = await runHookedExample({
      app,
      protocol,
      env: (emulator) => ({
        OPENAI_BASE_URL: emulator.openaiBaseURL,
        OPENAI_API_KEY: 'sk-e2e-secret-000',
        TOKENOMICS_ATTRIBUTION_KEYS: 'tenant,feature,agent',
      }),
      scope: OPENAI_SCOPE,
      spans: MODEL_CALLS,
      timeoutMs: 60_000,
    });
  }, 90_000);

  afterAll(async () => {
    await run?.receiver.close();
    await run?.emulator.close();
  });

  it('splits the cost counter by agent, each agent summing to its spans', () => {
    const points = run.receiver.metricPoints('tokenomics.cost');
    for (const agent of ['triage', 'refunds', 'support', 'concierge', 'translator']) {
      const spans = run.spans.filter((s) => attr(s, 'tokenomics.attribution.agent') === agent);
      expect(spans.length).toBeGreaterThan(0);
      const fromPoints = sum(points.filter((p) => p.attributes['tokenomics.attribution.agent'] === agent).map((p) => p.value ?? 0));
      expect(fromPoints).toBeCloseTo(sum(spans.map(cost)), 14);
    }
  });
});
