import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFlavours, runHookedExample, type HookedExampleRun } from './support/examples';
import { OTLP_SPAN_KIND, type OtlpSpan } from './support/otlp-receiver';
import { E2E_DIR, runApp } from './support/run-app';

// OpenAI list prices, USD per million tokens: gpt-4o-mini $0.15 input, $0.60 output.
// Anthropic: claude-3-5-haiku $0.80 input, $4 output.
const gpt4oMiniUsd = (input: number, output: number) => (input * 0.15 + output * 0.6) / 1e6;
const haikuUsd = (input: number, output: number) => (input * 0.8 + output * 4) / 1e6;

const OPENAI_SCOPE = '@tokenomics/instrumentation-openai';
const ANTHROPIC_SCOPE = '@tokenomics/instrumentation-anthropic';
/** Model calls the example makes (examples/langchain-cjs/workload.js): chain 1 + 2 + 1, graph 2 + 2, model 1. */
const MODEL_CALLS = 9;

const attr = (s: OtlpSpan, key: string) => s.attributes[key];
const tokens = (s: OtlpSpan) => [attr(s, 'gen_ai.usage.input_tokens') as number, attr(s, 'gen_ai.usage.output_tokens') as number];
const cost = (s: OtlpSpan) => attr(s, 'gen_ai.usage.cost.amount') as number;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The model-call requests the emulator answered with 200. */
const served = (emulator: Emulator, path: string) => emulator.requests.filter((r) => r.path.endsWith(path) && r.status === 200).length;

/**
 * The usage the emulator bills for each model call it served at `path`: every served request is
 * sent again without streaming (the emulator answers a request the same way each time) and the
 * usage of the answer read, as `input/output` strings, sorted.
 */
async function billedUsage(emulator: Emulator, path: string, headers: Record<string, string>): Promise<string[]> {
  const out: string[] = [];
  for (const r of emulator.requests.filter((x) => x.path.endsWith(path) && x.status === 200)) {
    const { stream: _stream, stream_options: _options, ...body } = r.body as Record<string, unknown>;
    const res = await fetch(emulator.url + r.path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const usage = ((await res.json()) as { usage: Record<string, number> }).usage;
    out.push(`${usage.prompt_tokens ?? usage.input_tokens}/${usage.completion_tokens ?? usage.output_tokens}`);
  }
  return out.sort();
}

/** A stand-in LangSmith API on 127.0.0.1 that accepts every upload, so tracing goes nowhere real. */
async function startLangSmithSink(): Promise<{ url: string; uploads: () => number; close: () => Promise<void> }> {
  let uploads = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST') uploads++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    uploads: () => uploads,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const appEnv = (emulator: Emulator) => ({
  OPENAI_BASE_URL: emulator.openaiBaseURL,
  OPENAI_API_KEY: 'sk-e2e-secret-000',
  OTEL_SERVICE_NAME: 'bike-shop-langchain',
  LANGSMITH_TRACING: 'false',
  LANGCHAIN_TRACING_V2: 'false',
});

describe.each(exampleFlavours('langchain'))('LangChain.js / LangGraph example service with the hook: $kind', ({ app, protocol }) => {
  let run: HookedExampleRun;
  let servedCalls: number;
  let billed: string[];
  let unhookedStdout: string;

  beforeAll(async () => {
    run = await runHookedExample({ app, protocol, env: appEnv, scope: OPENAI_SCOPE, spans: MODEL_CALLS, timeoutMs: 60_000 });
    servedCalls = served(run.emulator, '/chat/completions');
    billed = await billedUsage(run.emulator, '/chat/completions', { authorization: 'Bearer sk-e2e' });
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
    // Nothing but the openai client spans: LangChain runs add context, never a span or a cost.
    expect(run.receiver.spans()).toHaveLength(servedCalls);
    for (const s of run.spans) {
      expect(s.kind).toBe(OTLP_SPAN_KIND.CLIENT);
      expect(s.name).toBe('chat gpt-4o-mini');
      expect(attr(s, 'gen_ai.provider.name')).toBe('openai');
      expect(attr(s, 'tokenomics.usage.estimated')).toBe(false);
    }
  });

  it('carries the token counts the emulator billed and their list-price cost', () => {
    // The graph and direct-model lines print the usage LangChain read from the emulator's responses.
    const printed = [...run.stdout.matchAll(/^(graph invoke|graph stream \w+|model invoke): .* \((\d+) in \/ (\d+) out\)$/gm)].map((m) => [
      Number(m[2]),
      Number(m[3]),
    ]);
    expect(printed).toHaveLength(5);
    const spanUsage = run.spans.map(tokens).map(([i, o]) => `${i}/${o}`);
    expect([...spanUsage].sort()).toEqual(billed);
    for (const [input, output] of printed) expect(spanUsage).toContain(`${input}/${output}`);
    for (const s of run.spans) {
      const [input, output] = tokens(s);
      expect(input).toBeGreaterThan(0);
      expect(output).toBeGreaterThan(0);
      expect(cost(s)).toBeCloseTo(gpt4oMiniUsd(input, output), 14);
    }
    const streamed = run.spans.filter((s) => attr(s, 'tokenomics.stream.outcome') === 'completed');
    expect(streamed).toHaveLength(1);
  });

  it('counts in the cost metric exactly the sum of the span costs', () => {
    const spanTotal = sum(run.spans.map(cost));
    const metricTotal = sum(run.receiver.metricPoints('tokenomics.cost').map((p) => p.value ?? 0));
    expect(metricTotal).toBeCloseTo(spanTotal, 14);
    const durations = run.receiver.metricPoints('gen_ai.client.operation.duration');
    expect(sum(durations.map((p) => p.count ?? 0))).toBe(MODEL_CALLS);
  });

  it('attributes each model call to the chain the app invoked and the LangGraph node that made it', () => {
    const label = (s: OtlpSpan) =>
      `${attr(s, 'tokenomics.attribution.chain') ?? '-'} ${attr(s, 'tokenomics.attribution.graph_node') ?? '-'}`;
    expect(run.spans.map(label).sort()).toEqual([
      '- -',
      'support-answer -',
      'support-answer -',
      'support-answer -',
      'support-answer -',
      'ticket-graph draft',
      'ticket-graph draft',
      'ticket-graph review',
      'ticket-graph review',
    ]);
    // Not allow-listed (default attributionKeys: tenant, feature): spans only, never metric labels.
    for (const p of run.receiver.metricPoints('tokenomics.cost')) {
      expect(p.attributes['tokenomics.attribution.chain']).toBeUndefined();
      expect(p.attributes['tokenomics.attribution.graph_node']).toBeUndefined();
    }
  });

  it('prints exactly what the app prints without the hook', () => {
    expect(run.stdout).toContain('workload done');
    expect(run.stdout).toBe(unhookedStdout);
  });
});

describe.each(exampleFlavours('langchain'))(
  'LangChain.js example with LangSmith tracing on (to a local sink): $kind',
  ({ app, protocol }) => {
    let run: HookedExampleRun;
    let sink: Awaited<ReturnType<typeof startLangSmithSink>>;

    beforeAll(async () => {
      sink = await startLangSmithSink();
      run = await runHookedExample({
        app,
        protocol,
        env: (emulator) => ({
          ...appEnv(emulator),
          LANGSMITH_TRACING: 'true',
          LANGSMITH_ENDPOINT: sink.url,
          LANGSMITH_API_KEY: 'lsv2-e2e-not-a-key',
          // The chain metric points carry the chain (allow-listed through the hook's env).
          TOKENOMICS_ATTRIBUTION_KEYS: 'tenant,feature,chain,graph_node',
        }),
        scope: OPENAI_SCOPE,
        spans: MODEL_CALLS,
        timeoutMs: 60_000,
      });
    }, 150_000);

    afterAll(async () => {
      await run?.receiver.close();
      await run?.emulator.close();
      await sink?.close();
    });

    it('LangSmith receives its runs while each model call is still one priced span, counted once', () => {
      expect(sink.uploads()).toBeGreaterThan(0);
      expect(served(run.emulator, '/chat/completions')).toBe(MODEL_CALLS);
      expect(run.receiver.spans()).toHaveLength(MODEL_CALLS);
      for (const s of run.spans) expect(cost(s)).toBeCloseTo(gpt4oMiniUsd(...(tokens(s) as [number, number])), 14);
      const metricTotal = sum(run.receiver.metricPoints('tokenomics.cost').map((p) => p.value ?? 0));
      expect(metricTotal).toBeCloseTo(sum(run.spans.map(cost)), 14);
      expect(run.stdout).toContain('workload done');
    });

    it('puts the chain and graph node on the cost metric when the app allow-lists them', () => {
      const points = run.receiver.metricPoints('tokenomics.cost');
      for (const chain of ['support-answer', 'ticket-graph']) {
        const fromPoints = sum(points.filter((p) => p.attributes['tokenomics.attribution.chain'] === chain).map((p) => p.value ?? 0));
        const fromSpans = sum(run.spans.filter((s) => attr(s, 'tokenomics.attribution.chain') === chain).map(cost));
        expect(fromSpans).toBeGreaterThan(0);
        expect(fromPoints).toBeCloseTo(fromSpans, 14);
      }
      const review = points.filter((p) => p.attributes['tokenomics.attribution.graph_node'] === 'review');
      expect(sum(review.map((p) => p.value ?? 0))).toBeCloseTo(
        sum(run.spans.filter((s) => attr(s, 'tokenomics.attribution.graph_node') === 'review').map(cost)),
        14,
      );
    });
  },
);

describe('LangChain.js with @langchain/anthropic through the hook', () => {
  let run: HookedExampleRun;

  beforeAll(async () => {
    run = await runHookedExample({
      app: join(E2E_DIR, 'fixtures', 'langchain', 'anthropic-chain.cjs'),
      protocol: 'http/protobuf',
      env: (emulator) => ({ ANTHROPIC_BASE_URL: emulator.anthropicBaseURL, ANTHROPIC_API_KEY: 'sk-ant-e2e-000' }),
      scope: ANTHROPIC_SCOPE,
      spans: 3,
      timeoutMs: 60_000,
    });
  }, 90_000);

  afterAll(async () => {
    await run?.receiver.close();
    await run?.emulator.close();
  });

  it('records each ChatAnthropic call once as a priced Anthropic span with the chain and graph node', async () => {
    expect(served(run.emulator, '/messages')).toBe(3);
    expect(run.receiver.spans()).toHaveLength(3);
    const label = (s: OtlpSpan) =>
      `${attr(s, 'tokenomics.attribution.chain') ?? '-'} ${attr(s, 'tokenomics.attribution.graph_node') ?? '-'}`;
    expect(run.spans.map(label).sort()).toEqual(['repair-quote -', 'repair-quote -', 'workshop-graph estimate']);
    const spanUsage = run.spans.map(tokens).map(([i, o]) => `${i}/${o}`);
    expect([...spanUsage].sort()).toEqual(
      await billedUsage(run.emulator, '/messages', { 'x-api-key': 'sk-ant-e2e', 'anthropic-version': '2023-06-01' }),
    );
    // LangChain's own figures for the calls that were not streamed (for an Anthropic stream it adds
    // the output token of message_start to the final count: the span keeps the billed count).
    const printed = [...run.stdout.matchAll(/^(chain invoke|graph invoke): (\d+) in \/ (\d+) out$/gm)].map((m) => `${m[2]}/${m[3]}`);
    expect(printed).toHaveLength(2);
    for (const p of printed) expect(spanUsage).toContain(p);
    for (const s of run.spans) {
      expect(attr(s, 'gen_ai.provider.name')).toBe('anthropic');
      expect(cost(s)).toBeCloseTo(haikuUsd(...(tokens(s) as [number, number])), 14);
    }
    const metricTotal = sum(run.receiver.metricPoints('tokenomics.cost').map((p) => p.value ?? 0));
    expect(metricTotal).toBeCloseTo(sum(run.spans.map(cost)), 14);
  });
});
