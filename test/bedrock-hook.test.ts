import type { Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTLP_SPAN_KIND, OTLP_STATUS_CODE, type OtlpReceiver, type OtlpSpan } from './support/otlp-receiver';
import { exampleFlavours, runHookedExample } from './support/examples';

// Amazon Bedrock on-demand prices (https://aws.amazon.com/bedrock/pricing/), USD per million tokens:
// Anthropic Claude 3.5 Haiku $0.80 input, $1.00 cache write, $0.08 cache read, $4.00 output, the same
// in-region and through the us./eu. cross-region inference profiles; Meta Llama 3.1 8B Instruct
// $0.22 input, $0.22 output.
const HAIKU = { input: 0.8, cacheWrite: 1, cacheRead: 0.08, output: 4 };
const LLAMA_8B = { input: 0.22, output: 0.22 };

const HAIKU_ID = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const LLAMA_ID = 'meta.llama3-1-8b-instruct-v1:0';
const PROFILE_ARN = `arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.${HAIKU_ID}`;

/** Usage as the example prints it: input excludes the cache, as Bedrock reports it. */
interface PrintedUsage {
  input: number;
  read: number;
  write: number;
  output: number;
}

const haikuUsd = (u: PrintedUsage) =>
  (u.input * HAIKU.input + u.read * HAIKU.cacheRead + u.write * HAIKU.cacheWrite + u.output * HAIKU.output) / 1e6;
const llamaUsd = (u: PrintedUsage) => (u.input * LLAMA_8B.input + u.output * LLAMA_8B.output) / 1e6;

const SCOPE = '@tokenomics/instrumentation-bedrock-runtime';
const SECRET = 'bedrock-e2e-secret-000';

const APPS = exampleFlavours('bedrock');

describe.each(APPS)('Bedrock example service with the hook: $kind', ({ app, protocol }) => {
  let emulator: Emulator;
  let receiver: OtlpReceiver;
  let stdout: string;
  let spans: OtlpSpan[];

  beforeAll(async () => {
    ({ emulator, receiver, stdout, spans } = await runHookedExample({
      app,
      protocol,
      env: (emulator) => ({
        BEDROCK_ENDPOINT: emulator.bedrockEndpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: SECRET,
        AWS_MAX_ATTEMPTS: '1',
        // The SDK's own notice about Node.js versions after 2026, not part of this test.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        OTEL_SERVICE_NAME: 'returns-desk',
      }),
      scope: SCOPE,
      spans: 8,
    }));
  }, 60_000);

  afterAll(async () => {
    await receiver?.close();
    await emulator?.close();
  });

  const printed = (label: string): PrintedUsage => {
    const re = new RegExp(
      `^${label.replace(/[.:/]/g, (c) => `\\${c}`)}: (?:\\d+ deltas; )?(\\d+) in / (?:(\\d+) cache read / (\\d+) cache write / )?(\\d+) out$`,
      'm',
    );
    const m = stdout.match(re);
    expect(m, `app output ${label}`).not.toBeNull();
    const [input, read, write, output] = m!.slice(1).map((v) => Number(v ?? 0));
    return { input, read, write, output };
  };
  const findByInput = (name: string, u: PrintedUsage) =>
    spans.find((s) => s.name === name && s.attributes['gen_ai.usage.input_tokens'] === u.input + u.read + u.write)!;

  it('exports one aws.bedrock CLIENT span per call, named by the model id as sent', () => {
    expect(spans.map((s) => s.name).sort()).toEqual(
      [
        `chat us.${HAIKU_ID}`,
        `chat us.${HAIKU_ID}`,
        `chat ${PROFILE_ARN}`,
        `chat eu.${HAIKU_ID}`,
        `text_completion ${LLAMA_ID}`,
        `text_completion us.${LLAMA_ID}`,
        `chat ${HAIKU_ID}`,
        `chat ${HAIKU_ID}`,
      ].sort(),
    );
    for (const s of spans) {
      expect(s.kind).toBe(OTLP_SPAN_KIND.CLIENT);
      expect(s.resource['service.name']).toBe('returns-desk');
      expect(s.attributes['gen_ai.provider.name']).toBe('aws.bedrock');
      expect(s.attributes['server.address']).toBe('127.0.0.1');
    }
  });

  it('carries the billed token counts the app received, cache included in input, and their exact cost', () => {
    for (const [label, name, usd] of [
      [`converse us.${HAIKU_ID}`, `chat us.${HAIKU_ID}`, haikuUsd],
      [`cached us.${HAIKU_ID}`, `chat us.${HAIKU_ID}`, haikuUsd],
      ['invoke claude profile arn', `chat ${PROFILE_ARN}`, haikuUsd],
      [`stream eu.${HAIKU_ID}`, `chat eu.${HAIKU_ID}`, haikuUsd],
      [`invoke ${LLAMA_ID}`, `text_completion ${LLAMA_ID}`, llamaUsd],
      [`invoke stream us.${LLAMA_ID}`, `text_completion us.${LLAMA_ID}`, llamaUsd],
    ] as const) {
      const u = printed(label);
      const span = findByInput(name, u);
      expect(span, label).toBeDefined();
      expect(span.attributes['gen_ai.usage.output_tokens'], label).toBe(u.output);
      expect(span.attributes['tokenomics.usage.estimated'], label).toBe(false);
      expect(span.attributes['tokenomics.unpriced'], label).toBeUndefined();
      expect(span.attributes['gen_ai.usage.cost.amount'], label).toBeCloseTo(usd(u), 12);
    }
    const cached = printed(`cached us.${HAIKU_ID}`);
    expect(cached).toMatchObject({ read: 300, write: 120 });
    const span = findByInput(`chat us.${HAIKU_ID}`, cached);
    expect(span.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(300);
    expect(span.attributes['gen_ai.usage.cache_write.input_tokens']).toBe(120);
    expect(span.attributes['gen_ai.usage.cache_creation.input_tokens']).toBeUndefined();
    const stream = findByInput(`chat eu.${HAIKU_ID}`, printed(`stream eu.${HAIKU_ID}`));
    expect(stream.attributes['tokenomics.stream.outcome']).toBe('completed');
    expect(stream.attributes['gen_ai.usage.output_tokens']).toBe(30);
  });

  it('ends the span of the stream the app cancelled, flagged estimated', () => {
    expect(stdout).toContain(`cancelled ${HAIKU_ID} after 3 deltas`);
    const cancelled = spans.filter((s) => s.attributes['tokenomics.stream.outcome'] === 'aborted');
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0].attributes['tokenomics.usage.estimated']).toBe(true);
    expect(cancelled[0].attributes['gen_ai.usage.output_tokens']).toBe(3);
  });

  it('exports the throttled call as one error span the app saw as a ThrottlingException', () => {
    expect(stdout).toContain(`converse ${HAIKU_ID} failed: ThrottlingException 429`);
    const failed = spans.filter((s) => s.status.code === OTLP_STATUS_CODE.ERROR);
    expect(failed).toHaveLength(1);
    expect(failed[0].attributes['error.type']).toBe('ThrottlingException');
    expect(failed[0].attributes['gen_ai.usage.cost.amount']).toBeUndefined();
  });

  it('exports cost and token metrics that add up to the spans, by token type and tenant', () => {
    const costOf = (s: OtlpSpan) => (s.attributes['gen_ai.usage.cost.amount'] as number) ?? 0;
    const costPoints = receiver.metricPoints('tokenomics.cost');
    const sum = (points: typeof costPoints) => points.reduce((n, p) => n + (p.value ?? 0), 0);
    expect(sum(costPoints)).toBeCloseTo(
      spans.reduce((n, s) => n + costOf(s), 0),
      12,
    );
    const acme = spans.filter((s) => s.attributes['tokenomics.attribution.tenant'] === 'acme');
    expect(sum(costPoints.filter((p) => p.attributes['tokenomics.attribution.tenant'] === 'acme'))).toBeCloseTo(
      acme.reduce((n, s) => n + costOf(s), 0),
      12,
    );
    const tokens = receiver.metricPoints('tokenomics.tokens');
    const ofType = (type: string) => sum(tokens.filter((p) => p.attributes['tokenomics.token.type'] === type));
    expect(ofType('cache_read')).toBe(300);
    expect(ofType('cache_write')).toBe(120);
    const usage = receiver.metricPoints('gen_ai.client.token.usage');
    const inputSum = usage.filter((p) => p.attributes['gen_ai.token.type'] === 'input').reduce((n, p) => n + (p.sum ?? 0), 0);
    expect(inputSum).toBe(spans.reduce((n, s) => n + ((s.attributes['gen_ai.usage.input_tokens'] as number) ?? 0), 0));
    const durations = receiver.metricPoints('gen_ai.client.operation.duration');
    expect(durations.filter((p) => p.attributes['gen_ai.provider.name'] === 'aws.bedrock').reduce((n, p) => n + (p.count ?? 0), 0)).toBe(8);
    expect(durations.some((p) => p.attributes['error.type'] === 'ThrottlingException')).toBe(true);
    expect(receiver.metricPoints('gen_ai.client.operation.time_to_first_chunk').reduce((n, p) => n + (p.count ?? 0), 0)).toBe(3);
  });

  it('never exports the credentials or prompt text', () => {
    const text = JSON.stringify(receiver.spans(), (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('return shoes after six weeks');
  });
});
