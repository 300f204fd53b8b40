import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTLP_SPAN_KIND, startOtlpReceiver, type OtlpReceiver, type OtlpSpan } from './support/otlp-receiver';
import { exampleFlavours, otlpExportEnv, runHookedExample } from './support/examples';
import { E2E_DIR, runApp } from './support/run-app';

// The AI SDK example service (examples/ai-sdk-cjs, examples/ai-sdk-esm) through the hook, against
// the provider emulator: one priced span per model call the emulator served, with the SDK's own
// telemetry off and on. List prices, USD per million tokens:
// gpt-4o-mini $0.15 in / $0.60 out; gpt-4.1 $2.00 / $8.00; text-embedding-3-small $0.02
// (https://openai.com/api/pricing/); claude-sonnet-4-5 $3 in, $0.30 cache read, $3.75 5-minute
// cache write, $15 out; claude-haiku-4-5 $1 in / $5 out (https://www.anthropic.com/pricing).
const usd = {
  gpt4oMini: (input: number, output: number) => (input * 0.15 + output * 0.6) / 1e6,
  gpt41: (input: number, output: number) => (input * 2 + output * 8) / 1e6,
  embedding: (input: number) => (input * 0.02) / 1e6,
  sonnet45: (input: number, read: number, write: number, output: number) =>
    ((input - read - write) * 3 + read * 0.3 + write * 3.75 + output * 15) / 1e6,
  haiku45: (input: number, output: number) => (input * 1 + output * 5) / 1e6,
};

const SCOPE = '@tokenomics/instrumentation-ai-sdk';
/** generateText, streamText, generateObject, embed and the two steps of the tool loop. */
const MODEL_CALLS = 6;

const appEnv = (emulator: Emulator, telemetry: boolean): Record<string, string> => ({
  OPENAI_BASE_URL: emulator.openaiBaseURL,
  OPENAI_API_KEY: 'sk-ai-sdk-secret-000',
  ANTHROPIC_BASE_URL: `${emulator.anthropicBaseURL}/v1`,
  ANTHROPIC_API_KEY: 'sk-ant-ai-sdk-secret-000',
  OTEL_SERVICE_NAME: 'bike-shop-ai',
  AI_SDK_TELEMETRY: telemetry ? '1' : '0',
});

/** The major of the `ai` release an example app loads (6 here; 7 under the Node.js matrix). */
function aiMajor(app: string): number {
  let at = dirname(createRequire(app).resolve('ai'));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(at, 'package.json'), 'utf8')) as { name?: string; version: string };
      if (manifest.name === 'ai') return Number(manifest.version.split('.')[0]);
    } catch {
      // No manifest here: look further up.
    }
    if (dirname(at) === at) throw new Error(`no package.json of ai above ${app}`);
    at = dirname(at);
  }
}

const cost = (s: OtlpSpan) => (s.attributes['gen_ai.usage.cost.amount'] as number | undefined) ?? 0;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe.each(exampleFlavours('ai-sdk').flatMap((f) => [false, true].map((telemetry) => ({ ...f, telemetry }))))(
  'AI SDK example service with the hook: $kind, SDK telemetry $telemetry',
  ({ app, protocol, telemetry }) => {
    let emulator: Emulator;
    let receiver: OtlpReceiver;
    let stdout: string;
    let spans: OtlpSpan[];
    let served: number;
    /**
     * `ai` 5 and 6 export their own OpenTelemetry spans when telemetry is on; `ai` 7 only through a
     * telemetry integration the app registers (a separate package), so this app gets none there.
     */
    const sdkSpansExpected = telemetry && aiMajor(app) < 7;

    beforeAll(async () => {
      ({ emulator, receiver, stdout, spans } = await runHookedExample({
        app,
        protocol,
        env: (emulator) => appEnv(emulator, telemetry),
        scope: SCOPE,
        spans: MODEL_CALLS,
      }));
      served = emulator.requests.length;
      if (sdkSpansExpected) {
        // The SDK's spans end after ours: wait for the root span of each of the five functions called.
        await receiver.waitFor((r) => r.spans().filter((s) => s.scope.name === 'ai' && s.parentSpanId === undefined).length === 5, 10_000);
      }
    }, 60_000);

    afterAll(async () => {
      await receiver?.close();
      await emulator?.close();
    });

    const line = (re: RegExp) => {
      const m = stdout.match(re);
      expect(m, `app output ${re}`).not.toBeNull();
      return m!.slice(1).map(Number);
    };
    const named = (name: string) => spans.filter((s) => s.name === name);

    it('exports one CLIENT span per model call the emulator served', () => {
      expect(served).toBe(MODEL_CALLS);
      expect(emulator.requests.every((r) => r.status === 200)).toBe(true);
      expect(spans.map((s) => s.name).sort()).toEqual([
        'chat claude-haiku-4-5',
        'chat claude-sonnet-4-5',
        'chat gpt-4.1',
        'chat gpt-4.1',
        'chat gpt-4o-mini',
        'embeddings text-embedding-3-small',
      ]);
      for (const s of spans) expect(s.kind).toBe(OTLP_SPAN_KIND.CLIENT);
      expect(new Set(spans.map((s) => s.attributes['gen_ai.provider.name']))).toEqual(new Set(['openai', 'anthropic']));
    });

    it('carries the token counts the emulator billed and their exact cost', () => {
      const [in1, out1] = line(/generateText gpt-4o-mini: (\d+) in \/ (\d+) out/);
      const [g] = named('chat gpt-4o-mini');
      expect([g.attributes['gen_ai.usage.input_tokens'], g.attributes['gen_ai.usage.output_tokens']]).toEqual([in1, out1]);
      expect(cost(g)).toBeCloseTo(usd.gpt4oMini(in1, out1), 15);

      const [in2, read, write, out2] = line(/streamText claude-sonnet-4-5: (\d+) in \((\d+) cache read, (\d+) cache write\) \/ (\d+) out/);
      expect([read, write]).toEqual([24, 12]);
      const [s] = named('chat claude-sonnet-4-5');
      expect(s.attributes['gen_ai.usage.input_tokens']).toBe(in2);
      expect(s.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(read);
      expect(s.attributes['gen_ai.usage.cache_write.input_tokens']).toBe(write);
      expect(s.attributes['gen_ai.usage.output_tokens']).toBe(out2);
      expect(s.attributes['tokenomics.stream.outcome']).toBe('completed');
      expect(s.attributes['tokenomics.usage.estimated']).toBe(false);
      expect(cost(s)).toBeCloseTo(usd.sonnet45(in2, read, write, out2), 15);

      const [in3, out3] = line(/generateObject claude-haiku-4-5: (\d+) in \/ (\d+) out/);
      const [o] = named('chat claude-haiku-4-5');
      expect([o.attributes['gen_ai.usage.input_tokens'], o.attributes['gen_ai.usage.output_tokens']]).toEqual([in3, out3]);
      expect(cost(o)).toBeCloseTo(usd.haiku45(in3, out3), 15);

      const [in4] = line(/embed text-embedding-3-small: (\d+) tokens/);
      const [e] = named('embeddings text-embedding-3-small');
      expect(e.attributes['gen_ai.usage.input_tokens']).toBe(in4);
      expect(cost(e)).toBeCloseTo(usd.embedding(in4), 15);

      const [steps, in5, out5, calls5, in6, out6, calls6] = line(
        /tool loop gpt-4.1: (\d+) steps \(step 1: (\d+) in \/ (\d+) out, (\d+) tool calls; step 2: (\d+) in \/ (\d+) out, (\d+) tool calls\)/,
      );
      expect([steps, calls5, calls6]).toEqual([2, 1, 0]);
      const loop = named('chat gpt-4.1').sort((a, b) => Number(a.startTimeUnixNano - b.startTimeUnixNano));
      expect(loop.map((x) => [x.attributes['gen_ai.usage.input_tokens'], x.attributes['gen_ai.usage.output_tokens']])).toEqual([
        [in5, out5],
        [in6, out6],
      ]);
      expect(cost(loop[0])).toBeCloseTo(usd.gpt41(in5, out5), 15);
      expect(cost(loop[1])).toBeCloseTo(usd.gpt41(in6, out6), 15);
    });

    it('counts the same cost on the cost counter as on the spans', () => {
      const points = receiver.metricPoints('tokenomics.cost');
      expect(sum(points.map((p) => p.value ?? 0))).toBeCloseTo(sum(spans.map(cost)), 15);
      const durations = receiver.metricPoints('gen_ai.client.operation.duration');
      expect(sum(durations.map((p) => p.count ?? 0))).toBe(MODEL_CALLS);
    });

    it('prints exactly what the app prints without the hook', async () => {
      const plain = await runApp({ app, hook: 'none', env: appEnv(emulator, telemetry), timeoutMs: 30_000 });
      expect(plain.stderr).toBe('');
      expect(plain.code).toBe(0);
      expect(plain.stdout).toBe(stdout);
      expect(stdout).toContain('workload done');
    }, 40_000);

    it('prices each call once whichever spans are kept: only the Tokenomics span carries cost', () => {
      const all = receiver.spans();
      const sdkSpans = all.filter((s) => s.scope.name === 'ai');
      for (const s of sdkSpans) {
        expect(s.attributes['gen_ai.usage.cost.amount'], s.name).toBeUndefined();
        expect(s.attributes['tokenomics.unpriced'], s.name).toBeUndefined();
      }
      expect(sum(all.map(cost))).toBeCloseTo(sum(spans.map(cost)), 15);
      if (!sdkSpansExpected) {
        expect(sdkSpans).toEqual([]);
        for (const s of spans) expect(s.parentSpanId).toBeUndefined();
        return;
      }
      // Each model call's SDK span is the parent of ours and names it as the span with the cost.
      const modelCallSpans = sdkSpans.filter((s) => /^ai\.\w+\.do(Generate|Stream|Embed)$/.test(s.name));
      expect(modelCallSpans).toHaveLength(MODEL_CALLS);
      for (const s of spans) {
        const parent = modelCallSpans.find((p) => p.spanId === s.parentSpanId);
        expect(parent, s.name).toBeDefined();
        expect(parent!.attributes['tokenomics.duplicate_of']).toBe(s.spanId);
        // Its own counts (language model calls) are the same call's: left unpriced, not missing.
        if (!parent!.name.endsWith('.doEmbed')) {
          expect(parent!.attributes['gen_ai.usage.input_tokens']).toBe(s.attributes['gen_ai.usage.input_tokens']);
        }
      }
    });

    it('never exports the API keys', () => {
      const text = JSON.stringify(receiver.spans(), (_k, v) => (typeof v === 'bigint' ? String(v) : v));
      expect(text).not.toContain('ai-sdk-secret-000');
    });
  },
);

describe('ai 5 with its telemetry on, through the hook and its cost-enriching exporter', () => {
  let emulator: Emulator;
  let receiver: OtlpReceiver;
  let stdout: string;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    receiver = await startOtlpReceiver();
    const result = await runApp({
      app: join(E2E_DIR, 'fixtures', 'ai-sdk', 'telemetry-ai5.cjs'),
      env: {
        ANTHROPIC_BASE_URL: `${emulator.anthropicBaseURL}/v1`,
        ANTHROPIC_API_KEY: 'sk-ant-ai-sdk-secret-000',
        ...otlpExportEnv(receiver.url, 'http/protobuf'),
      },
      timeoutMs: 30_000,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    stdout = result.stdout;
    await receiver.waitFor((r) => r.spans().length === 3 && r.metricPoints('tokenomics.cost').length > 0, 10_000);
  }, 60_000);

  afterAll(async () => {
    await receiver?.close();
    await emulator?.close();
  });

  it("prices the call once, on our span, though the SDK's span counts its input differently", () => {
    const m = /ai 5 generateText: (\d+) in \((\d+) cache read, (\d+) cache write\) \/ (\d+) out/.exec(stdout);
    expect(m, stdout).not.toBeNull();
    const [sdkInput, read, write, output] = m!.slice(1).map(Number);
    expect([read, write]).toEqual([20, 8]);
    const spans = receiver.spans();
    const ours = spans.filter((s) => s.scope.name === SCOPE);
    expect(ours).toHaveLength(1);
    const [span] = ours;
    // Ours: semconv input, cache included; the SDK's own span: ai 5's count, without the cache.
    const input = sdkInput + read + write;
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(input);
    expect(cost(span)).toBeCloseTo(usd.sonnet45(input, read, write, output), 15);
    const sdkCall = spans.find((s) => s.name === 'ai.generateText.doGenerate')!;
    expect(sdkCall.attributes['gen_ai.usage.input_tokens']).toBe(sdkInput);
    expect(span.parentSpanId).toBe(sdkCall.spanId);
    expect(sdkCall.attributes['tokenomics.duplicate_of']).toBe(span.spanId);
    expect(sum(spans.map(cost))).toBeCloseTo(cost(span), 15);
    expect(spans.filter((s) => s.attributes['tokenomics.unpriced'] !== undefined)).toEqual([]);
    expect(sum(receiver.metricPoints('tokenomics.cost').map((p) => p.value ?? 0))).toBeCloseTo(cost(span), 15);
  });
});
