/**
 * The generated OTTL on a real Collector's `transform` processor prices spans as the hook does.
 *
 * A service under the hook makes plain, cached, reasoning, long-context and unknown-model calls to
 * OpenAI and Anthropic (the emulator) and exports its spans to a receiver. Those spans go again,
 * with every cost attribute removed, through a Collector (built from Go modules by
 * scripts/build-otelcol.mjs) running `tokenomics collector ottl` output for the whole price book,
 * into a second receiver, together with untouched copies that still carry the hook's cost. Each
 * span the OTTL prices carries the hook's figure (to 1e-12 relative), unit by unit; the
 * long-context and unknown-model calls keep no cost and say why; priced spans and the app's own
 * span pass as they came. Variants of one call check model matching against the price book itself
 * (a snapshot with its own price, an unlisted snapshot date, a near name never priced as another
 * model) and what is left to the stage (a flex-tier call, an instrumentation that hides the cache
 * share).
 *
 * List prices, USD per million tokens: gpt-4o-mini $0.15 in / $0.60 out; gpt-4o $2.50 in / $1.25
 * cached / $10 out; o4-mini $1.10 in / $4.40 out (reasoning billed as output); claude-sonnet-4-5
 * $3 in / $0.30 cache read / $3.75 cache write / $15 out, above 200k input tokens $6 / $22.50.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { PriceBook } from '@tokenomics/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPriceTable, generateOttl, TokenomicsCollector } from '../../packages/collector/src/index';
import { startOtlpReceiver, type OtlpReceiver, type OtlpSpan } from '../support/otlp-receiver';
import { otelcolBinary, startCollector, type RunningCollector } from '../support/otelcol';
import { runApp } from '../support/run-app';
import { freePort } from './support/processes';
import { otlpJsonRequest, postTraces } from './support/otlp-resend';

const OTELCOL = otelcolBinary();
if (!OTELCOL) console.warn('OTTL tests skipped: no Collector was built (node scripts/build-otelcol.mjs)');

const APP = join(__dirname, 'fixtures', 'collector-ottl-app.cjs');
const COST_KEYS = (key: string) =>
  key.startsWith('gen_ai.usage.cost.') ||
  key.startsWith('tokenomics.cost.') ||
  key === 'tokenomics.price_book.version' ||
  key === 'tokenomics.pricing.model' ||
  key === 'tokenomics.unpriced' ||
  key === 'tokenomics.unpriced_reason';

describe.skipIf(!OTELCOL)('generated OTTL on the real transform processor', () => {
  let tmp: string;
  let emulator: Emulator;
  let hookSpans: OtlpReceiver;
  let out: OtlpReceiver;
  let collector: RunningCollector | undefined;
  let usage: Record<string, Record<string, unknown>>;
  /** Hook spans by the label of the call (the request model and the prompt tell them apart). */
  const hook = new Map<string, OtlpSpan>();
  const stripped = new Map<string, OtlpSpan>();
  const kept = new Map<string, OtlpSpan>();
  let appSpan: OtlpSpan;
  let olderNames: OtlpSpan;
  const variantsOut = new Map<string, OtlpSpan>();
  let ottlYaml: string;

  const label = (s: OtlpSpan): string => {
    const model = String(s.attributes['gen_ai.request.model']);
    if (model === 'claude-sonnet-4-5')
      return Number(s.attributes['gen_ai.usage.input_tokens']) > 200_000 ? 'long-context' : 'anthropic-cache';
    return { 'gpt-4o-mini': 'plain', 'gpt-4o': 'cached', 'o4-mini': 'reasoning', 'bike-shop-llm-7b': 'unknown' }[model] ?? model;
  };

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'tokenomics-ottl-'));
    emulator = await startEmulator({ port: 0 });
    hookSpans = await startOtlpReceiver();
    out = await startOtlpReceiver();
    const result = await runApp({
      app: APP,
      env: {
        OPENAI_BASE_URL: emulator.openaiBaseURL,
        ANTHROPIC_BASE_URL: emulator.anthropicBaseURL,
        OTEL_SERVICE_NAME: 'bike-shop-support',
        OTEL_EXPORTER_OTLP_ENDPOINT: hookSpans.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
      },
      timeoutMs: 120_000,
    });
    expect(result.code, result.stderr).toBe(0);
    usage = JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as Record<string, Record<string, unknown>>;
    const spans = await hookSpans.waitFor((r) => (r.spans().length >= 7 ? r.spans() : undefined), 60_000);
    for (const s of spans) {
      if (s.attributes['gen_ai.request.model'] === undefined) appSpan = s;
      else hook.set(label(s), s);
    }

    ottlYaml = generateOttl(buildPriceTable(PriceBook.bundled()));
    const ottlFile = join(tmp, 'ottl.yaml');
    writeFileSync(ottlFile, ottlYaml);
    const [http, health] = await Promise.all([freePort(), freePort()]);
    collector = await startCollector(OTELCOL!, {
      name: 'ottl',
      configs: [ottlFile],
      health: `127.0.0.1:${health}`,
      overrides: {
        receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${http}` } } } },
        exporters: { 'otlphttp/test': { endpoint: out.url, compression: 'none' } },
        extensions: { health_check: { endpoint: `127.0.0.1:${health}` } },
        service: {
          extensions: ['health_check'],
          pipelines: { traces: { receivers: ['otlp'], processors: ['transform/tokenomics'], exporters: ['otlphttp/test'] } },
          telemetry: { metrics: { level: 'none' } },
        },
      },
    });

    // The same spans without their cost (a service whose instrumentation does not price), under
    // another service name, and the hook's spans as they were.
    const bare = [...hook.values(), appSpan].map((s) => ({
      ...s,
      resource: { ...s.resource, 'service.name': 'unpriced-copy' },
      attributes: Object.fromEntries(Object.entries(s.attributes).filter(([k]) => !COST_KEYS(k))),
    }));
    // The Anthropic call as an instrumentation on the older names writes it.
    const renamed: Record<string, string> = {
      'gen_ai.usage.input_tokens': 'gen_ai.usage.prompt_tokens',
      'gen_ai.usage.output_tokens': 'gen_ai.usage.completion_tokens',
      'gen_ai.usage.cache_write.input_tokens': 'gen_ai.usage.cache_creation.input_tokens',
      'gen_ai.provider.name': 'gen_ai.system',
    };
    const source = bare.find((s) => label(s) === 'anthropic-cache')!;
    const older = {
      ...source,
      resource: { ...source.resource, 'service.name': 'older-names' },
      attributes: Object.fromEntries(Object.entries(source.attributes).map(([k, v]) => [renamed[k] ?? k, v])),
    };
    // Variants of the plain call: other model strings, a service tier, an instrumentation that does
    // not report the cache share. Each has its own service name (the variant's name).
    const plain = bare.find((s) => label(s) === 'plain')!;
    const variant = (name: string, attrs: Record<string, string | number>, scope = plain.scope) => ({
      ...plain,
      scope,
      resource: { ...plain.resource, 'service.name': name },
      attributes: { ...plain.attributes, ...attrs },
    });
    const variants = [
      // A dated snapshot with a price of its own (gpt-4o-2024-05-13 is dearer than gpt-4o).
      variant('own-snapshot', { 'gen_ai.request.model': 'gpt-4o-2024-05-13', 'gen_ai.response.model': 'gpt-4o-2024-05-13' }),
      // A snapshot date the book does not list, of a name whose rule covers dated snapshots.
      variant('unlisted-date', {
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.response.model': 'claude-sonnet-4-5-20991231',
        'gen_ai.provider.name': 'anthropic',
      }),
      // Close to a listed name, but another model: never priced as gpt-4o-mini.
      variant('near-name', { 'gen_ai.request.model': 'gpt-4o-mini-2', 'gen_ai.response.model': 'gpt-4o-mini-2' }),
      variant('flex-tier', { 'openai.response.service_tier': 'flex' }),
      // A model with dated prices (gemini-pro-latest moved to Gemini 3.1 Pro rates on 2026-03-06):
      // priced at the current price now, left to the stage before the switch.
      variant('dated-now', {
        'gen_ai.provider.name': 'gcp.gemini',
        'gen_ai.request.model': 'gemini-pro-latest',
        'gen_ai.response.model': 'gemini-pro-latest',
      }),
      {
        ...variant('dated-before', {
          'gen_ai.provider.name': 'gcp.gemini',
          'gen_ai.request.model': 'gemini-pro-latest',
          'gen_ai.response.model': 'gemini-pro-latest',
        }),
        startTimeUnixNano: BigInt(Date.UTC(2026, 0, 15)) * 1_000_000n,
        endTimeUnixNano: BigInt(Date.UTC(2026, 0, 15) + 1000) * 1_000_000n,
      },
      // A host whose plan includes the model: the book's rate is $0, and a $0 figure is written as such.
      variant('included-in-plan', {
        'gen_ai.provider.name': 'github-copilot',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o',
      }),
      variant('no-cache-share', {}, { name: '@opentelemetry/instrumentation-openai', attributes: {} }),
    ];
    // That instrumentation writes no cache counts at all (the hook writes them, 0 included).
    const hidden = variants.at(-1)!;
    hidden.attributes = Object.fromEntries(Object.entries(hidden.attributes).filter(([k]) => !k.includes('cache')));
    await postTraces(`http://127.0.0.1:${http}`, otlpJsonRequest([...bare, older, ...variants]));
    await postTraces(`http://127.0.0.1:${http}`, otlpJsonRequest([...hook.values()], new Set(['gen_ai.usage.cost.amount'])));
    const arrived = await out.waitFor((r) => (r.spans().length >= 2 * hook.size + 2 + variants.length ? r.spans() : undefined), 60_000);
    for (const s of arrived) {
      if (s.attributes['gen_ai.request.model'] === undefined) continue;
      const service = String(s.resource['service.name']);
      if (service === 'older-names') olderNames = s;
      else if (service === 'unpriced-copy') stripped.set(label(s), s);
      else if (service === 'bike-shop-support') kept.set(label(s), s);
      else variantsOut.set(service, s);
    }
  }, 240_000);

  afterAll(async () => {
    await collector?.stop();
    await Promise.all([hookSpans?.close(), out?.close(), emulator?.close()]);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const num = (s: OtlpSpan | undefined, key: string) => Number(s?.attributes[key]);
  const expectClose = (actual: number, expected: number) => {
    expect(Number.isFinite(actual)).toBe(true);
    expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-12 * Math.abs(expected));
  };

  it('made the calls the comparison needs, and the hook priced them at the list prices', () => {
    expect(usage['cached']).toMatchObject({ prompt_tokens_details: { cached_tokens: 1024 } });
    expect(usage['reasoning']).toMatchObject({ completion_tokens_details: { reasoning_tokens: 200 } });
    expect(usage['anthropic-cache']).toMatchObject({ cache_read_input_tokens: 900, cache_creation_input_tokens: 300 });
    const cached = hook.get('cached')!;
    const input = num(cached, 'gen_ai.usage.input_tokens');
    const output = num(cached, 'gen_ai.usage.output_tokens');
    expectClose(num(cached, 'gen_ai.usage.cost.amount'), ((input - 1024) * 2.5 + 1024 * 1.25 + output * 10) / 1e6);
    const long = hook.get('long-context')!;
    expect(num(long, 'gen_ai.usage.input_tokens')).toBeGreaterThan(200_000);
    expectClose(
      num(long, 'gen_ai.usage.cost.amount'),
      (num(long, 'gen_ai.usage.input_tokens') * 6 + num(long, 'gen_ai.usage.output_tokens') * 22.5) / 1e6,
    );
    expect(hook.get('unknown')!.attributes['tokenomics.unpriced_reason']).toBe('unknown_model');
  });

  it.each(['plain', 'cached', 'reasoning', 'anthropic-cache'])('prices the %s call with the hook figure, unit by unit', (call) => {
    const ours = stripped.get(call)!;
    const theirs = hook.get(call)!;
    expect(ours.attributes['tokenomics.unpriced_reason']).toBeUndefined();
    expectClose(num(ours, 'gen_ai.usage.cost.amount'), num(theirs, 'gen_ai.usage.cost.amount'));
    for (const key of [
      'gen_ai.usage.cost.currency',
      'gen_ai.usage.cost.source',
      'tokenomics.price_book.version',
      'tokenomics.pricing.model',
    ]) {
      expect(ours.attributes[key], key).toBe(theirs.attributes[key]);
    }
    const units = (s: OtlpSpan) =>
      Object.keys(s.attributes)
        .filter((k) => k.startsWith('tokenomics.cost.'))
        .sort();
    expect(units(ours)).toEqual(units(theirs));
    for (const key of units(theirs)) expectClose(num(ours, key), num(theirs, key));
  });

  it('reads the cache and reasoning subsets without counting them twice', () => {
    const cached = stripped.get('cached')!;
    expectClose(num(cached, 'tokenomics.cost.cache_read'), (1024 * 1.25) / 1e6);
    expectClose(num(cached, 'tokenomics.cost.input'), ((num(cached, 'gen_ai.usage.input_tokens') - 1024) * 2.5) / 1e6);
    const anthropic = stripped.get('anthropic-cache')!;
    expectClose(num(anthropic, 'tokenomics.cost.cache_read'), (900 * 0.3) / 1e6);
    expectClose(num(anthropic, 'tokenomics.cost.cache_write'), (300 * 3.75) / 1e6);
    expectClose(num(anthropic, 'tokenomics.cost.input'), ((num(anthropic, 'gen_ai.usage.input_tokens') - 1200) * 3) / 1e6);
    const reasoning = stripped.get('reasoning')!;
    expectClose(num(reasoning, 'tokenomics.cost.reasoning'), (200 * 4.4) / 1e6);
  });

  it('leaves a call past a context-length tier and an unknown model without a cost, saying why', () => {
    const long = stripped.get('long-context')!;
    expect(long.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
    expect(long.attributes['tokenomics.unpriced_reason']).toBe('long_context');
    expect(long.attributes['tokenomics.unpriced']).toBeUndefined();
    const unknown = stripped.get('unknown')!;
    expect(unknown.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
    expect(unknown.attributes['tokenomics.unpriced_reason']).toBe('unknown_model');
  });

  it('passes spans that already carry a cost, and the app span, unchanged', () => {
    for (const [call, theirs] of hook) expect(kept.get(call)?.attributes, call).toEqual(theirs.attributes);
    const app = out
      .spans()
      .find((s) => s.resource['service.name'] === 'unpriced-copy' && s.attributes['gen_ai.request.model'] === undefined);
    expect(app?.attributes).toEqual(appSpan.attributes);
  });

  it('prices a span written with the older names (prompt_tokens, cache_creation, gen_ai.system) like the current ones', () => {
    expect(olderNames.attributes['gen_ai.usage.cache_creation.input_tokens']).toBe(300);
    expect(olderNames.attributes['gen_ai.usage.cache_write.input_tokens']).toBeUndefined();
    const theirs = hook.get('anthropic-cache')!;
    expectClose(num(olderNames, 'gen_ai.usage.cost.amount'), num(theirs, 'gen_ai.usage.cost.amount'));
    expectClose(num(olderNames, 'tokenomics.cost.cache_write'), num(theirs, 'tokenomics.cost.cache_write'));
  });

  /** What the price book (the hook's engine) charges for a span's usage, model strings and start. */
  const engine = (span: OtlpSpan) => {
    const a = span.attributes;
    return PriceBook.bundled().price(
      { inputTokens: Number(a['gen_ai.usage.input_tokens']), outputTokens: Number(a['gen_ai.usage.output_tokens']) },
      {
        provider: String(a['gen_ai.provider.name']),
        model: String(a['gen_ai.request.model']),
        responseModel: String(a['gen_ai.response.model']),
        operation: String(a['gen_ai.operation.name']),
        at: Number(span.startTimeUnixNano / 1_000_000n),
      },
    );
  };

  it('prices a dated snapshot at its own price and an unlisted snapshot date of a covered name as the book does', () => {
    for (const name of ['own-snapshot', 'unlisted-date']) {
      const span = variantsOut.get(name)!;
      const cost = engine(span);
      expect(cost.priced, name).toBe(true);
      if (!cost.priced) continue;
      expect(span.attributes['tokenomics.pricing.model'], name).toBe(cost.matchedModel);
      expectClose(num(span, 'gen_ai.usage.cost.amount'), cost.amount);
    }
    expect(variantsOut.get('own-snapshot')!.attributes['tokenomics.pricing.model']).toBe('gpt-4o-2024-05-13');
  });

  it('prices a model with dated prices at the current price, and leaves a call before the switch to the stage', () => {
    const now = variantsOut.get('dated-now')!;
    const cost = engine(now);
    expect(cost.priced).toBe(true);
    if (cost.priced) expectClose(num(now, 'gen_ai.usage.cost.amount'), cost.amount);
    const before = variantsOut.get('dated-before')!;
    expect(before.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
    expect(before.attributes['tokenomics.unpriced_reason']).toBe('no_price_at_date');
    // The book answers otherwise for that date (the rates in force then, or none).
    const then = engine(before);
    expect(then.priced ? then.amount : then.reason).not.toBe(cost.priced ? cost.amount : undefined);
  });

  it("writes the book's $0 for a model a host includes in its plan, as a cost like any other", () => {
    const span = variantsOut.get('included-in-plan')!;
    const cost = engine(span);
    expect(cost.priced && cost.amount).toBe(0);
    expect(span.attributes['gen_ai.usage.cost.amount']).toBe(0);
    expect(span.attributes['tokenomics.cost.input']).toBe(0);
    expect(span.attributes['tokenomics.pricing.model']).toBe('gpt-4o');
  });

  it('never prices a model string close to a listed one as that model', () => {
    const span = variantsOut.get('near-name')!;
    expect(engine(span).priced).toBe(false);
    expect(span.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
    expect(span.attributes['tokenomics.unpriced_reason']).toBe('unknown_model');
  });

  it('leaves a flex-tier call and a call whose instrumentation hides the cache share to the stage, saying why', () => {
    const flex = variantsOut.get('flex-tier')!;
    expect(flex.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
    expect(flex.attributes['tokenomics.unpriced_reason']).toBe('no_price_for_tier');
    const hidden = variantsOut.get('no-cache-share')!;
    expect(Object.keys(hidden.attributes).filter((k) => k.includes('cache'))).toEqual([]);
    expect(hidden.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
    expect(hidden.attributes['tokenomics.unpriced_reason']).toBe('cache_share_unknown');
  });

  /** The long-context call and the call with a hidden cache share as the OTTL left them, after the collector stage. */
  let afterStage: Promise<OtlpSpan[]> | undefined;
  const throughStage = () =>
    (afterStage ??= (async () => {
      const receiver = await startOtlpReceiver();
      const stage = new TokenomicsCollector({
        http: { host: '127.0.0.1', port: 0 },
        destinations: [{ endpoint: receiver.url }],
        metricsIntervalMs: 3_600_000,
      });
      await stage.start();
      try {
        await postTraces(
          `http://${stage.addresses.http}`,
          otlpJsonRequest([stripped.get('long-context')!, variantsOut.get('no-cache-share')!]),
        );
        return await receiver.waitFor((r) => (r.spans().length >= 2 ? r.spans() : undefined), 30_000);
      } finally {
        await stage.shutdown();
        await receiver.close();
      }
    })());

  const longContextAfterStage = async () => (await throughStage()).find((s) => s.resource['service.name'] === 'unpriced-copy')!;

  it('leaves the long-context call for the collector stage, which prices it with the hook figure', async () => {
    const span = await longContextAfterStage();
    expectClose(num(span, 'gen_ai.usage.cost.amount'), num(hook.get('long-context'), 'gen_ai.usage.cost.amount'));
    expect(span.attributes['tokenomics.cost.input']).toBe(hook.get('long-context')!.attributes['tokenomics.cost.input']);
  });

  it('drops the OTTL unpriced reason once the stage has priced the call', async () => {
    const span = await longContextAfterStage();
    expect(span.attributes['gen_ai.usage.cost.amount']).toBeGreaterThan(0);
    expect(span.attributes['tokenomics.unpriced_reason']).toBeUndefined();
    expect(span.attributes['tokenomics.unpriced']).toBeUndefined();
  });

  it('prices the call the OTTL left for its hidden cache share at the uncached rate, flagged estimated, without the reason', async () => {
    const span = (await throughStage()).find((s) => s.resource['service.name'] === 'no-cache-share')!;
    const model = String(span.attributes['gen_ai.request.model']);
    const rates: Record<string, { input: number; output: number }> = {
      'gpt-4o-mini': { input: 0.15, output: 0.6 },
      'gpt-4o': { input: 2.5, output: 10 },
    };
    const input = num(span, 'gen_ai.usage.input_tokens');
    const output = num(span, 'gen_ai.usage.output_tokens');
    expectClose(num(span, 'gen_ai.usage.cost.amount'), (input * rates[model]!.input + output * rates[model]!.output) / 1e6);
    expect(span.attributes['tokenomics.usage.estimated']).toBe(true);
    expect(span.attributes['tokenomics.unpriced_reason']).toBeUndefined();
  });
});
