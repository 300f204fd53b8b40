import { join } from 'node:path';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpExportEnv, type OtlpProtocol } from './support/examples';
import { OTLP_SPAN_KIND, OTLP_STATUS_CODE, startOtlpReceiver, type OtlpReceiver, type OtlpSpan } from './support/otlp-receiver';
import { E2E_DIR, runApp } from './support/run-app';

// groq-sdk, together-ai and the openai client at OpenAI-compatible hosts, through the hook, against
// the emulator's host flavours. Rates are the test's own (fixtures/hosts/prices.yaml, USD per
// million tokens), so that the costs below are hand-computed from them.
const FIXTURES = join(E2E_DIR, 'fixtures', 'hosts');
const PRICES = join(FIXTURES, 'prices.yaml');
const RATES = {
  deepseek: { input: 0.28, cached: 0.028, output: 0.42 },
  grok: { input: 0.3, cached: 0.075, output: 0.5 },
  openrouterGpt4oMini: { input: 0.15, cached: 0.075, output: 0.6 },
  groqLlama8b: { input: 0.05, output: 0.08 },
  groqLlama70b: { input: 0.59, output: 0.79 },
  togetherLlama70b: { input: 0.88, output: 0.88 },
  togetherLlama8b: { input: 0.18, output: 0.18 },
};
const usd = (rate: { input: number; cached?: number; output: number }, input: number, output: number, cached = 0) =>
  ((input - cached) * rate.input + cached * (rate.cached ?? rate.input) + output * rate.output) / 1e6;

const SCOPE_OPENAI = '@tokenomics/instrumentation-openai';
const SCOPE_GROQ = '@tokenomics/instrumentation-groq';
const SCOPE_TOGETHER = '@tokenomics/instrumentation-together';
const SPANS = 23;

const FLAVOURS: Array<{ kind: string; app: string; protocol: OtlpProtocol }> = [
  { kind: 'CommonJS (--require), OTLP http/protobuf', app: join(FIXTURES, 'app.cjs'), protocol: 'http/protobuf' },
  { kind: 'ESM (--import), OTLP http/json', app: join(FIXTURES, 'app.mjs'), protocol: 'http/json' },
];

type Usage = Record<string, any>;
interface Result {
  id: string;
  usage?: Usage;
  chunks?: number;
  usageChunks?: number;
  status?: number;
  /** `typeof` the `timings` field the app received (llama.cpp). */
  timings?: string;
}

describe.each(FLAVOURS)('OpenAI-compatible hosts, groq-sdk and together-ai through the hook: $kind', ({ app, protocol }) => {
  let emulator: Emulator;
  let receiver: OtlpReceiver;
  let results: Map<string, Result>;
  let spans: OtlpSpan[];
  let stdout: string;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    receiver = await startOtlpReceiver();
    const run = await runApp({
      app,
      env: {
        EMULATOR_URL: emulator.url,
        TOKENOMICS_PRICE_OVERRIDES: PRICES,
        TOKENOMICS_PROVIDER_HOSTS: `${emulator.url}/hosts/together=together_ai, ${emulator.url}/v1=vllm`,
        OTEL_SERVICE_NAME: 'bike-shop-hosts',
        ...otlpExportEnv(receiver.url, protocol),
      },
      timeoutMs: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    stdout = run.stdout;
    results = new Map(
      stdout
        .split('\n')
        .filter((line) => line.startsWith('RESULT '))
        .map((line) => JSON.parse(line.slice(7)) as Result)
        .map((r) => [r.id, r]),
    );
    const scopes = new Set([SCOPE_OPENAI, SCOPE_GROQ, SCOPE_TOGETHER]);
    spans = await receiver.waitFor((r) => {
      const s = r.spans().filter((x) => scopes.has(x.scope.name));
      return s.length === SPANS && r.metricPoints('tokenomics.cost').length > 0 ? s : undefined;
    }, 15_000);
  }, 90_000);

  afterAll(async () => {
    await receiver?.close();
    await emulator?.close();
  });

  const result = (id: string): Result => {
    const r = results.get(id);
    expect(r, `app result ${id}`).toBeDefined();
    return r!;
  };
  const usageOf = (id: string): Usage => result(id).usage!;
  /** The one span of `model` from `scope` matching `which`. */
  const span = (scope: string, model: string, which: (s: OtlpSpan) => boolean): OtlpSpan => {
    const found = spans.filter((s) => s.scope.name === scope && s.name === `chat ${model}` && which(s));
    expect(found, `${scope} chat ${model}`).toHaveLength(1);
    return found[0];
  };
  const plain = (s: OtlpSpan) => s.attributes['tokenomics.stream.outcome'] === undefined && s.status.code !== OTLP_STATUS_CODE.ERROR;
  const outcome = (value: string) => (s: OtlpSpan) => s.attributes['tokenomics.stream.outcome'] === value;
  const failed = (s: OtlpSpan) => s.status.code === OTLP_STATUS_CODE.ERROR;
  const num = (s: OtlpSpan, key: string) => s.attributes[key] as number;

  describe('groq-sdk', () => {
    it('records a chat completion as a groq CLIENT span with the billed tokens and their exact cost', () => {
      const u = usageOf('groq');
      const s = span(SCOPE_GROQ, 'llama-3.3-70b-versatile', plain);
      expect(s.kind).toBe(OTLP_SPAN_KIND.CLIENT);
      expect(s.attributes['gen_ai.provider.name']).toBe('groq');
      expect(s.attributes['server.address']).toBe('127.0.0.1');
      expect(num(s, 'gen_ai.usage.input_tokens')).toBe(u.prompt_tokens);
      expect(num(s, 'gen_ai.usage.output_tokens')).toBe(u.completion_tokens);
      expect(num(s, 'gen_ai.usage.cost.amount')).toBeCloseTo(usd(RATES.groqLlama70b, u.prompt_tokens, u.completion_tokens), 15);
      expect(s.attributes['gen_ai.usage.cost.source']).toBe('local');
      expect(s.attributes['tokenomics.usage.estimated']).toBe(false);
    });

    it("reads a stream's usage from the last chunk's x_groq.usage, as billed", () => {
      const r = result('groq stream');
      const s = span(SCOPE_GROQ, 'llama-3.3-70b-versatile', outcome('completed'));
      expect(num(s, 'gen_ai.usage.input_tokens')).toBe(r.usage!.prompt_tokens);
      expect(num(s, 'gen_ai.usage.output_tokens')).toBe(r.usage!.completion_tokens);
      expect(r.chunks).toBe(r.usage!.completion_tokens);
      expect(s.attributes['tokenomics.usage.estimated']).toBe(false);
      expect(num(s, 'gen_ai.usage.cost.amount')).toBeCloseTo(
        usd(RATES.groqLlama70b, r.usage!.prompt_tokens, r.usage!.completion_tokens),
        15,
      );
    });

    it('exports an HTTP 429 as one error span without a cost, and the app sees the 429', () => {
      expect(result('groq error').status).toBe(429);
      const s = span(SCOPE_GROQ, 'llama-3.3-70b-versatile', failed);
      expect(s.attributes['error.type']).toBe('429');
      expect(s.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
    });

    it('ends an aborted stream as aborted with the output seen and an estimated, flagged cost', () => {
      expect(result('groq aborted').chunks).toBe(3);
      const s = span(SCOPE_GROQ, 'llama-3.3-70b-versatile', outcome('aborted'));
      expect(num(s, 'gen_ai.usage.output_tokens')).toBe(3);
      expect(s.attributes['tokenomics.usage.estimated']).toBe(true);
      expect(num(s, 'gen_ai.usage.cost.amount')).toBeCloseTo(usd(RATES.groqLlama70b, num(s, 'gen_ai.usage.input_tokens'), 3), 15);
    });
  });

  describe('together-ai', () => {
    it('records a chat completion as a together_ai span with the billed tokens and their exact cost', () => {
      const u = usageOf('together');
      const s = span(SCOPE_TOGETHER, 'meta-llama/Llama-3.3-70B-Instruct-Turbo', plain);
      expect(s.kind).toBe(OTLP_SPAN_KIND.CLIENT);
      expect(s.attributes['gen_ai.provider.name']).toBe('together_ai');
      expect(num(s, 'gen_ai.usage.input_tokens')).toBe(u.prompt_tokens);
      expect(num(s, 'gen_ai.usage.output_tokens')).toBe(u.completion_tokens);
      expect(num(s, 'gen_ai.usage.cost.amount')).toBeCloseTo(usd(RATES.togetherLlama70b, u.prompt_tokens, u.completion_tokens), 15);
    });

    it("reads a stream's usage from its finish chunk, which the app still receives", () => {
      const r = result('together stream');
      expect(r.usageChunks).toBe(1);
      const s = span(SCOPE_TOGETHER, 'meta-llama/Llama-3.3-70B-Instruct-Turbo', outcome('completed'));
      expect(num(s, 'gen_ai.usage.input_tokens')).toBe(r.usage!.prompt_tokens);
      expect(num(s, 'gen_ai.usage.output_tokens')).toBe(r.usage!.completion_tokens);
      expect(s.attributes['tokenomics.usage.estimated']).toBe(false);
      expect(num(s, 'gen_ai.usage.cost.amount')).toBeCloseTo(
        usd(RATES.togetherLlama70b, r.usage!.prompt_tokens, r.usage!.completion_tokens),
        15,
      );
    });

    it('exports an HTTP 500 as one error span without a cost, and the app sees the 500', () => {
      expect(result('together error').status).toBe(500);
      const s = span(SCOPE_TOGETHER, 'meta-llama/Llama-3.3-70B-Instruct-Turbo', failed);
      expect(s.attributes['error.type']).toBe('500');
      expect(s.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
    });

    it('ends an aborted stream as aborted with the output seen and an estimated, flagged cost', () => {
      expect(result('together aborted').chunks).toBe(3);
      const s = span(SCOPE_TOGETHER, 'meta-llama/Llama-3.3-70B-Instruct-Turbo', outcome('aborted'));
      expect(num(s, 'gen_ai.usage.output_tokens')).toBe(3);
      expect(s.attributes['tokenomics.usage.estimated']).toBe(true);
      expect(num(s, 'gen_ai.usage.cost.amount')).toBeCloseTo(usd(RATES.togetherLlama70b, num(s, 'gen_ai.usage.input_tokens'), 3), 15);
    });
  });

  describe('openai client at compatible hosts', () => {
    it('names DeepSeek from its base URL and prices its prompt_cache_hit_tokens as cache reads', () => {
      const u = usageOf('deepseek');
      expect(u.prompt_cache_hit_tokens).toBe(6);
      const s = span(SCOPE_OPENAI, 'deepseek-chat', plain);
      expect(s.attributes['gen_ai.provider.name']).toBe('deepseek');
      expect(s.attributes['server.address']).toBe('api.deepseek.com');
      expect(num(s, 'gen_ai.usage.input_tokens')).toBe(u.prompt_tokens);
      expect(num(s, 'gen_ai.usage.cache_read.input_tokens')).toBe(6);
      expect(num(s, 'gen_ai.usage.output_tokens')).toBe(u.completion_tokens);
      expect(num(s, 'gen_ai.usage.cost.amount')).toBeCloseTo(usd(RATES.deepseek, u.prompt_tokens, u.completion_tokens, 6), 15);
    });

    it('asks DeepSeek for stream usage and hides it: the app sees no usage chunk, the span has billed counts', () => {
      const r = result('deepseek stream');
      expect(r.usageChunks).toBe(0);
      expect(r.usage).toBeUndefined();
      const s = span(SCOPE_OPENAI, 'deepseek-chat', outcome('completed'));
      expect(num(s, 'gen_ai.usage.output_tokens')).toBe(r.chunks);
      expect(s.attributes['tokenomics.usage.estimated']).toBe(false);
      const request = emulatorRequests(emulator, '/hosts/deepseek/chat/completions').find((q) => (q.body as Usage).stream === true);
      expect(request).toBeDefined();
      expect((request!.body as Usage).stream_options).toEqual({ include_usage: true });
      expect(num(s, 'gen_ai.usage.cost.amount')).toBeCloseTo(usd(RATES.deepseek, num(s, 'gen_ai.usage.input_tokens'), r.chunks!), 15);
    });

    it('ends an aborted DeepSeek stream as aborted with the output seen, flagged as estimated', () => {
      expect(result('deepseek aborted').chunks).toBe(3);
      const s = span(SCOPE_OPENAI, 'deepseek-chat', outcome('aborted'));
      expect(num(s, 'gen_ai.usage.output_tokens')).toBe(3);
      expect(s.attributes['tokenomics.usage.estimated']).toBe(true);
    });

    it("adds xAI's reasoning tokens, reported apart from completion_tokens, to the output", () => {
      const u = usageOf('xai');
      expect(u.completion_tokens_details.reasoning_tokens).toBe(7);
      expect(u.total_tokens).toBe(u.prompt_tokens + u.completion_tokens + 7);
      const s = span(SCOPE_OPENAI, 'grok-3-mini', plain);
      expect(s.attributes['gen_ai.provider.name']).toBe('x_ai');
      expect(num(s, 'gen_ai.usage.output_tokens')).toBe(u.completion_tokens + 7);
      expect(num(s, 'gen_ai.usage.reasoning.output_tokens')).toBe(7);
      expect(num(s, 'gen_ai.usage.cache_read.input_tokens')).toBe(2);
      expect(num(s, 'gen_ai.usage.cost.amount')).toBeCloseTo(usd(RATES.grok, u.prompt_tokens, u.completion_tokens + 7, 2), 15);

      const r = result('xai stream');
      expect(r.usageChunks).toBe(1);
      const streamed = span(SCOPE_OPENAI, 'grok-3-mini', outcome('completed'));
      expect(num(streamed, 'gen_ai.usage.output_tokens')).toBe(r.usage!.completion_tokens + 5);
      expect(num(streamed, 'gen_ai.usage.reasoning.output_tokens')).toBe(5);
    });

    it("records OpenRouter's reported usage.cost as the cost (source provider) with the price book's figure and the difference", () => {
      const u = usageOf('openrouter');
      const s = span(SCOPE_OPENAI, 'openai/gpt-4o-mini', plain);
      expect(s.attributes['gen_ai.provider.name']).toBe('openrouter');
      expect(s.attributes['server.address']).toBe('openrouter.ai');
      expect(num(s, 'gen_ai.usage.cost.amount')).toBe(u.cost);
      expect(s.attributes['gen_ai.usage.cost.source']).toBe('provider');
      const book = usd(RATES.openrouterGpt4oMini, u.prompt_tokens, u.completion_tokens, u.prompt_tokens_details.cached_tokens);
      expect(num(s, 'tokenomics.price_book.cost')).toBeCloseTo(book, 15);
      expect(num(s, 'tokenomics.price_book.cost_difference')).toBeCloseTo(u.cost - book, 15);

      const r = result('openrouter stream');
      expect(r.usageChunks).toBe(1);
      const streamed = span(SCOPE_OPENAI, 'openai/gpt-4o-mini', outcome('completed'));
      expect(num(streamed, 'gen_ai.usage.cost.amount')).toBe(r.usage!.cost);
      expect(streamed.attributes['gen_ai.usage.cost.source']).toBe('provider');
      const request = emulatorRequests(emulator, '/hosts/openrouter/api/v1/chat/completions').find(
        (q) => (q.body as Usage).stream === true,
      );
      expect(request).toBeDefined();
      expect((request!.body as Usage).stream_options).toBeUndefined();
    });

    it('exports an OpenRouter 429 as one error span without a cost', () => {
      expect(result('openrouter error').status).toBe(429);
      const s = span(SCOPE_OPENAI, 'openai/gpt-4o-mini', failed);
      expect(s.attributes['error.type']).toBe('429');
      expect(s.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
    });

    it("records Perplexity's reported cost, request fee of the search context size included, and the book's equal figure", () => {
      const u = usageOf('perplexity');
      expect(u.search_context_size).toBe('medium');
      expect(u.num_search_queries).toBe(2);
      const s = span(SCOPE_OPENAI, 'sonar', plain);
      expect(s.attributes['gen_ai.provider.name']).toBe('perplexity');
      expect(num(s, 'gen_ai.usage.input_tokens')).toBe(u.prompt_tokens);
      expect(num(s, 'gen_ai.usage.cost.amount')).toBe(u.cost.total_cost);
      expect(s.attributes['gen_ai.usage.cost.source']).toBe('provider');
      // fixtures/hosts/prices.yaml: $1 / $1 per million tokens, $0.005 per request and $0.003 more at medium context.
      const book = (u.prompt_tokens + u.completion_tokens) / 1e6 + 0.005 + 0.003;
      expect(num(s, 'tokenomics.price_book.cost')).toBeCloseTo(book, 15);
      expect(num(s, 'tokenomics.price_book.cost_difference')).toBeCloseTo(0, 15);
    });

    it('prices a Perplexity answer without a reported cost from the book, request fee included, and marks the searches it has no fee for', () => {
      const u = usageOf('perplexity unreported');
      expect(u.cost).toBeUndefined();
      expect(u.num_search_queries).toBe(2);
      const s = span(SCOPE_OPENAI, 'sonar-reasoning-pro', plain);
      expect(s.attributes['gen_ai.usage.cost.source']).toBe('local');
      // fixtures/hosts/prices.yaml: $2 / $8 per million input / output tokens and $0.014 per request.
      expect(num(s, 'gen_ai.usage.cost.amount')).toBeCloseTo((u.prompt_tokens * 2 + u.completion_tokens * 8) / 1e6 + 0.014, 15);
      expect(s.attributes['tokenomics.unpriced_requests']).toEqual(['web_search']);
      expect(s.attributes['tokenomics.unpriced']).toBeUndefined();
    });

    it("names Groq's OpenAI-compatible endpoint groq and reads the stream usage in x_groq without asking for it", () => {
      const r = result('groq-compatible stream');
      const s = span(SCOPE_OPENAI, 'llama-3.1-8b-instant', outcome('completed'));
      expect(s.attributes['gen_ai.provider.name']).toBe('groq');
      expect(num(s, 'gen_ai.usage.input_tokens')).toBe(r.usage!.prompt_tokens);
      expect(num(s, 'gen_ai.usage.output_tokens')).toBe(r.usage!.completion_tokens);
      expect(num(s, 'gen_ai.usage.cost.amount')).toBeCloseTo(
        usd(RATES.groqLlama8b, r.usage!.prompt_tokens, r.usage!.completion_tokens),
        15,
      );
      const request = emulatorRequests(emulator, '/hosts/groq/openai/v1/chat/completions')[0];
      expect((request.body as Usage).stream_options).toBeUndefined();
    });

    it('names hosts from TOKENOMICS_PROVIDER_HOSTS: a gateway priced as together_ai, a vLLM server unpriced', () => {
      const g = usageOf('gateway');
      const gateway = span(SCOPE_OPENAI, 'meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo', plain);
      expect(gateway.attributes['gen_ai.provider.name']).toBe('together_ai');
      expect(num(gateway, 'gen_ai.usage.cost.amount')).toBeCloseTo(usd(RATES.togetherLlama8b, g.prompt_tokens, g.completion_tokens), 15);

      const vllm = span(SCOPE_OPENAI, 'Qwen/Qwen2.5-7B-Instruct', plain);
      expect(vllm.attributes['gen_ai.provider.name']).toBe('vllm');
      expect(num(vllm, 'gen_ai.usage.input_tokens')).toBe(usageOf('vllm').prompt_tokens);
      expect(vllm.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
      expect(vllm.attributes['tokenomics.unpriced']).toBe(true);
      expect(vllm.attributes['tokenomics.unpriced_reason']).toBe('unknown_provider');
    });

    it("names a llama.cpp server off its default port from its answer's timings, and leaves it unpriced", () => {
      expect(result('llamacpp').timings).toBe('object');
      const s = span(SCOPE_OPENAI, 'qwen2.5-7b-instruct-q4_k_m.gguf', plain);
      expect(s.attributes['gen_ai.provider.name']).toBe('llama_cpp');
      expect(num(s, 'gen_ai.usage.input_tokens')).toBe(usageOf('llamacpp').prompt_tokens);
      expect(s.attributes['tokenomics.unpriced_reason']).toBe('unknown_provider');
    });

    it('reports a host nobody named as openai and leaves a model OpenAI does not sell unpriced, never $0', () => {
      const s = span(SCOPE_OPENAI, 'llama-3.1-8b', plain);
      expect(s.attributes['gen_ai.provider.name']).toBe('openai');
      expect(s.attributes['server.address']).toBe('llm.example.invalid');
      expect(num(s, 'gen_ai.usage.input_tokens')).toBe(usageOf('unknown host').prompt_tokens);
      expect(s.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
      expect(s.attributes['tokenomics.unpriced_reason']).toBe('unknown_model');
    });
  });

  it('exports a cost counter whose total equals the spans, the provider-reported costs as token type total', () => {
    const spanTotal = spans.reduce((sum, s) => sum + ((s.attributes['gen_ai.usage.cost.amount'] as number | undefined) ?? 0), 0);
    const points = receiver.metricPoints('tokenomics.cost');
    const metricTotal = points.reduce((sum, p) => sum + (p.value as number), 0);
    expect(metricTotal).toBeCloseTo(spanTotal, 12);
    const reported = points.filter((p) => p.attributes['tokenomics.token.type'] === 'total');
    const reportedSpans = spans.filter((s) => s.attributes['gen_ai.usage.cost.source'] === 'provider');
    expect(reportedSpans).toHaveLength(3);
    expect(reported.reduce((sum, p) => sum + (p.value as number), 0)).toBeCloseTo(
      reportedSpans.reduce((sum, s) => sum + (s.attributes['gen_ai.usage.cost.amount'] as number), 0),
      12,
    );
    const providers = new Set(points.map((p) => p.attributes['gen_ai.provider.name']));
    expect([...providers].sort()).toEqual(['deepseek', 'groq', 'openrouter', 'perplexity', 'together_ai', 'x_ai']);
  });

  it('never exports the API key or prompt text', () => {
    const text = JSON.stringify(spans, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    expect(text).not.toContain('sk-hosts-e2e-secret-000');
    expect(text).not.toContain('chain lube');
  });
});

/** Requests the emulator received on `path`, oldest first. */
function emulatorRequests(emulator: Emulator, path: string) {
  return emulator.requests.filter((r) => r.path === path);
}
