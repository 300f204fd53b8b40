import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenomicsCollector } from '../packages/collector/src/index';
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

/** ai 7 and `@ai-sdk/otel` need Node.js 22; the Node.js matrix runs this file there. */
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/**
 * The ai 7 generation linked under the bare names an installed app imports (the hook's ESM loader
 * instruments `ai` imported by that name), beside a copy of the fixture app.
 */
const AI7_PACKAGES: ReadonlyArray<readonly [name: string, alias: string]> = [
  ['ai', 'ai-v7'],
  ['@ai-sdk/openai', '@ai-sdk/openai-v4'],
  ['@ai-sdk/anthropic', '@ai-sdk/anthropic-v4'],
  ['@ai-sdk/otel', '@ai-sdk/otel-v1'],
  ['zod', 'zod'],
];

function ai7App(): { app: string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'ai7-otel-'));
  for (const [name, alias] of AI7_PACKAGES) {
    const at = join(root, 'node_modules', name);
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(realpathSync(join(E2E_DIR, 'node_modules', alias)), at, 'dir');
  }
  const app = join(root, 'app.mjs');
  copyFileSync(join(E2E_DIR, 'fixtures', 'ai-sdk', 'telemetry-ai7.mjs'), app);
  return { app, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * The spans `@ai-sdk/otel` makes for the fixture's five functions. `OpenTelemetry`: an
 * `invoke_agent` span per text or object call, a `step` span per step, a `chat` client span per
 * model call, `execute_tool` per tool run, and for `embed` an `embeddings` span around the
 * `embeddings` client span of the model call. `LegacyOpenTelemetry`: the `ai.*` spans of ai 5 and 6.
 */
const GENAI_SDK_SPANS = [
  'chat claude-haiku-4-5',
  'chat claude-sonnet-4-5',
  'chat gpt-4.1',
  'chat gpt-4.1',
  'chat gpt-4o-mini',
  'embeddings text-embedding-3-small',
  'embeddings text-embedding-3-small',
  'execute_tool stock',
  'invoke_agent claude-haiku-4-5',
  'invoke_agent claude-sonnet-4-5',
  'invoke_agent gpt-4.1',
  'invoke_agent gpt-4o-mini',
  'step 1',
  'step 1',
  'step 1',
  'step 2',
];

const AI7_INTEGRATIONS = [
  {
    integration: 'OpenTelemetry',
    mode: 'current',
    scope: 'gen_ai',
    sdkSpans: GENAI_SDK_SPANS,
    /** The SDK's span of one model call: a client span with a parent (the root `embeddings` span has none). */
    isModelCall: (s: OtlpSpan) => s.kind === OTLP_SPAN_KIND.CLIENT && s.parentSpanId !== undefined,
  },
  {
    integration: 'OpenTelemetry given to each call',
    mode: 'per-call',
    scope: 'gen_ai',
    sdkSpans: GENAI_SDK_SPANS,
    isModelCall: (s: OtlpSpan) => s.kind === OTLP_SPAN_KIND.CLIENT && s.parentSpanId !== undefined,
  },
  {
    integration: 'LegacyOpenTelemetry',
    mode: 'legacy',
    scope: 'ai',
    sdkSpans: [
      'ai.embed',
      'ai.embed.doEmbed',
      'ai.generateObject',
      'ai.generateObject.doGenerate',
      'ai.generateText',
      'ai.generateText',
      'ai.generateText.doGenerate',
      'ai.generateText.doGenerate',
      'ai.generateText.doGenerate',
      'ai.streamText',
      'ai.streamText.doStream',
      'ai.toolCall',
    ],
    isModelCall: (s: OtlpSpan) => /^ai\.\w+\.do(Generate|Stream|Embed)$/.test(s.name),
  },
] as const;

describe.skipIf(NODE_MAJOR < 22).each(AI7_INTEGRATIONS)(
  'ai 7 with $integration of @ai-sdk/otel, through the hook and the collector stage',
  ({ mode, scope, sdkSpans, isModelCall }) => {
    let emulator: Emulator;
    let receiver: OtlpReceiver;
    let stage: TokenomicsCollector;
    let stopped = false;
    let fixture: { app: string; remove: () => void };
    let stdout: string;
    let all: OtlpSpan[];
    let ours: OtlpSpan[];
    let sdk: OtlpSpan[];
    const env = (): Record<string, string> => ({
      OPENAI_BASE_URL: emulator.openaiBaseURL,
      OPENAI_API_KEY: 'sk-ai-sdk-secret-000',
      ANTHROPIC_BASE_URL: `${emulator.anthropicBaseURL}/v1`,
      ANTHROPIC_API_KEY: 'sk-ant-ai-sdk-secret-000',
      OTEL_SERVICE_NAME: 'bike-shop-ai7',
      AI_SDK_OTEL: mode,
    });

    beforeAll(async () => {
      fixture = ai7App();
      emulator = await startEmulator({ port: 0 });
      receiver = await startOtlpReceiver();
      // The hook exports to the collector stage, which forwards to the receiver.
      stage = new TokenomicsCollector({
        http: { host: '127.0.0.1', port: 0 },
        destinations: [{ endpoint: receiver.url }],
        metricsIntervalMs: 3_600_000,
      });
      await stage.start();
      const result = await runApp({
        app: fixture.app,
        env: { ...env(), ...otlpExportEnv(`http://${stage.addresses.http!}`, 'http/protobuf') },
        timeoutMs: 30_000,
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      stdout = result.stdout;
      all = await receiver.waitFor(
        (r) => r.spans().length === MODEL_CALLS + sdkSpans.length && r.metricPoints('tokenomics.cost').length > 0 && r.spans(),
        10_000,
      );
      // The stage's own cost counters (for calls it priced) would go out when it stops.
      await stage.shutdown();
      stopped = true;
      ours = all.filter((s) => s.scope.name === SCOPE);
      sdk = all.filter((s) => s.scope.name === scope);
    }, 60_000);

    afterAll(async () => {
      if (!stopped) await stage?.shutdown();
      await receiver?.close();
      await emulator?.close();
      fixture?.remove();
    });

    it("exports one hook span per model call the emulator served, and every span of the SDK's integration", () => {
      expect(emulator.requests).toHaveLength(MODEL_CALLS);
      expect(emulator.requests.every((r) => r.status === 200)).toBe(true);
      expect(ours.map((s) => s.name).sort()).toEqual([
        'chat claude-haiku-4-5',
        'chat claude-sonnet-4-5',
        'chat gpt-4.1',
        'chat gpt-4.1',
        'chat gpt-4o-mini',
        'embeddings text-embedding-3-small',
      ]);
      expect(sdk.map((s) => s.name).sort()).toEqual(sdkSpans);
      expect(all).toHaveLength(ours.length + sdk.length);
    });

    it('prices each model call once, on the hook span, with the exact cost of its billed tokens', () => {
      const line = (re: RegExp) => {
        const m = stdout.match(re);
        expect(m, `app output ${re}`).not.toBeNull();
        return m!.slice(1).map(Number);
      };
      const named = (name: string) => ours.filter((s) => s.name === name);
      const [in1, out1] = line(/generateText gpt-4o-mini: (\d+) in \/ (\d+) out/);
      const [in2, read, write, out2] = line(/streamText claude-sonnet-4-5: (\d+) in \((\d+) cache read, (\d+) cache write\) \/ (\d+) out/);
      const [in3, out3] = line(/generateObject claude-haiku-4-5: (\d+) in \/ (\d+) out/);
      const [in4] = line(/embed text-embedding-3-small: (\d+) tokens/);
      const [steps, in5, out5, in6, out6] = line(
        /tool loop gpt-4.1: (\d+) steps \(step 1: (\d+) in \/ (\d+) out; step 2: (\d+) in \/ (\d+) out\)/,
      );
      expect([read, write, steps]).toEqual([24, 12, 2]);
      expect(cost(named('chat gpt-4o-mini')[0])).toBeCloseTo(usd.gpt4oMini(in1, out1), 15);
      expect(cost(named('chat claude-sonnet-4-5')[0])).toBeCloseTo(usd.sonnet45(in2, read, write, out2), 15);
      expect(cost(named('chat claude-haiku-4-5')[0])).toBeCloseTo(usd.haiku45(in3, out3), 15);
      expect(cost(named('embeddings text-embedding-3-small')[0])).toBeCloseTo(usd.embedding(in4), 15);
      const loop = named('chat gpt-4.1').sort((a, b) => Number(a.startTimeUnixNano - b.startTimeUnixNano));
      expect(loop.map(cost)).toEqual([usd.gpt41(in5, out5), usd.gpt41(in6, out6)].map((c) => expect.closeTo(c, 15)));
      // Nothing else carries a cost or an unpriced verdict: the SDK's spans pass the hook's exporter
      // and the stage unpriced.
      for (const s of sdk) {
        expect(s.attributes['gen_ai.usage.cost.amount'], s.name).toBeUndefined();
        expect(s.attributes['tokenomics.unpriced'], s.name).toBeUndefined();
        expect(s.attributes['tokenomics.price_book.cost'], s.name).toBeUndefined();
      }
      expect(sum(all.map(cost))).toBeCloseTo(sum(ours.map(cost)), 15);
    });

    it("marks the SDK's span of each model call as the duplicate of the hook span, one to one", () => {
      const modelCalls = sdk.filter(isModelCall);
      expect(modelCalls).toHaveLength(MODEL_CALLS);
      const byId = new Map(ours.map((s) => [s.spanId, s]));
      const marks = modelCalls.map((s) => s.attributes['tokenomics.duplicate_of'] as string);
      expect(new Set(marks)).toEqual(new Set(byId.keys()));
      for (const s of modelCalls) {
        const hook = byId.get(s.attributes['tokenomics.duplicate_of'] as string)!;
        if (s.attributes['gen_ai.request.model'] !== undefined) {
          expect(s.attributes['gen_ai.request.model']).toBe(hook.attributes['gen_ai.request.model']);
        }
        // The SDK's own counts of the same call (ai 7 reports semconv input, cache included).
        if (s.attributes['gen_ai.usage.input_tokens'] !== undefined) {
          expect(s.attributes['gen_ai.usage.input_tokens']).toBe(hook.attributes['gen_ai.usage.input_tokens']);
        }
      }
      // Text calls run inside the SDK's span, so ours is its child; ai 7 runs generateObject's and
      // embed's model call outside the SDK's span, so ours starts in the app's context (none here).
      for (const s of modelCalls) {
        const hook = byId.get(s.attributes['tokenomics.duplicate_of'] as string)!;
        const inside = !/haiku|embedding/.test(String(hook.attributes['gen_ai.request.model']));
        expect(hook.parentSpanId, hook.name).toBe(inside ? s.spanId : undefined);
      }
    });

    it('counts the same cost on the cost counter as on the spans, and the stage prices nothing again', () => {
      const points = receiver.metricPoints('tokenomics.cost');
      expect(points.length).toBeGreaterThan(0);
      expect(sum(points.map((p) => p.value ?? 0))).toBeCloseTo(sum(ours.map(cost)), 15);
      // Every span went through the stage, which found nothing left to price.
      expect([stage.stats.spans, stage.stats.enriched, stage.stats.unpriced]).toEqual([MODEL_CALLS + sdkSpans.length, 0, 0]);
    });

    it('prints exactly what the app prints without the hook', async () => {
      const plain = await runApp({ app: fixture.app, hook: 'none', env: env(), timeoutMs: 30_000 });
      expect(plain.stderr).toBe('');
      expect(plain.code).toBe(0);
      expect(plain.stdout).toBe(stdout);
      expect(stdout).toMatch(/^tool loop gpt-4.1: 2 steps/m);
    }, 40_000);
  },
);
