import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpExportEnv, type OtlpProtocol } from './support/examples';
import { OTLP_SPAN_KIND, OTLP_STATUS_CODE, startOtlpReceiver, type OtlpReceiver, type OtlpSpan } from './support/otlp-receiver';
import { E2E_DIR, runApp } from './support/run-app';

const SCOPE = '@tokenomics/instrumentation-ollama';
const FIXTURES = join(E2E_DIR, 'fixtures', 'ollama');
/** Rates of `fixtures/ollama/prices.yaml`, USD per million tokens: llama3.2 per token; qwen2.5-coder:7b from $0.72 per GPU hour at 4,000 / 100 tokens per second. */
const RATES: Record<string, { input: number; output: number }> = {
  'llama3.2': { input: 0.05, output: 0.2 },
  'qwen2.5-coder:7b': { input: (0.72 * 1e6) / (3600 * 4000), output: (0.72 * 1e6) / (3600 * 100) },
};
const APPS: Array<{ kind: string; app: string; protocol: OtlpProtocol }> = [
  { kind: 'CommonJS (--require)', app: join(FIXTURES, 'app.cjs'), protocol: 'http/protobuf' },
  { kind: 'ESM (--import)', app: join(FIXTURES, 'app.mjs'), protocol: 'http/json' },
];
const SPANS = 8;

interface Run {
  emulator: Emulator;
  receiver: OtlpReceiver;
  stdout: string;
  spans: OtlpSpan[];
}

/** Runs the Ollama app through the hook and waits for its spans and its unpriced or cost counter. */
async function runOllamaApp(app: string, protocol: OtlpProtocol, env: Record<string, string>): Promise<Run> {
  const emulator = await startEmulator({ port: 0 });
  const receiver = await startOtlpReceiver();
  try {
    const result = await runApp({
      app,
      env: { OLLAMA_HOST: emulator.ollamaHost, OTEL_SERVICE_NAME: 'ollama-bike-shop', ...env, ...otlpExportEnv(receiver.url, protocol) },
      timeoutMs: 30_000,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const spans = await receiver.waitFor((r) => {
      const s = r.spans().filter((x) => x.scope.name === SCOPE);
      return s.length === SPANS && r.metricPoints('tokenomics.calls.unpriced').length > 0 ? s : undefined;
    }, 10_000);
    return { emulator, receiver, stdout: result.stdout, spans };
  } catch (err) {
    await receiver.close();
    await emulator.close();
    throw err;
  }
}

const printedCounts = (stdout: string, label: string): { input: number; output: number } => {
  const m = stdout.match(new RegExp(`^${label}: (\\d+) in / (\\d+) out$`, 'm'));
  expect(m, `app output ${label}`).not.toBeNull();
  return { input: Number(m![1]), output: Number(m![2]) };
};

const LABELS = [
  ['chat llama3.2', 'chat llama3.2', false],
  ['chat stream llama3.2', 'chat llama3.2', true],
  ['generate qwen2.5-coder:7b', 'text_completion qwen2.5-coder:7b', false],
  ['generate stream qwen2.5-coder:7b', 'text_completion qwen2.5-coder:7b', true],
] as const;

const billedSpan = (spans: OtlpSpan[], name: string, input: number, streamed: boolean) =>
  spans.find(
    (s) =>
      s.name === name &&
      s.attributes['gen_ai.usage.input_tokens'] === input &&
      (s.attributes['tokenomics.stream.outcome'] !== undefined) === streamed &&
      s.attributes['tokenomics.usage.estimated'] === false,
  );

describe.each(APPS)('ollama through the hook without a rate: $kind', ({ app, protocol }) => {
  let run: Run;

  beforeAll(async () => {
    run = await runOllamaApp(app, protocol, {});
  });

  afterAll(async () => {
    await run?.receiver.close();
    await run?.emulator.close();
  });

  it('exports one CLIENT span per call with provider ollama and the operation of each method', () => {
    expect(run.spans.map((s) => s.name).sort()).toEqual([
      ...Array(4).fill('chat llama3.2'),
      'embeddings nomic-embed-text',
      'embeddings nomic-embed-text',
      'text_completion qwen2.5-coder:7b',
      'text_completion qwen2.5-coder:7b',
    ]);
    for (const s of run.spans) {
      expect(s.kind).toBe(OTLP_SPAN_KIND.CLIENT);
      expect(s.attributes['gen_ai.provider.name']).toBe('ollama');
      expect(s.attributes['server.port']).toBe(run.emulator.port);
    }
  });

  it('records prompt_eval_count and eval_count as tokens, streamed (final done chunk) or not', () => {
    for (const [label, name, streamed] of LABELS) {
      const u = printedCounts(run.stdout, label);
      const span = billedSpan(run.spans, name, u.input, streamed);
      expect(span, label).toBeDefined();
      expect(span!.attributes['gen_ai.usage.output_tokens'], label).toBe(u.output);
    }
    const embed = run.spans.find((s) => s.name === 'embeddings nomic-embed-text' && s.attributes['tokenomics.usage.estimated'] === false)!;
    expect(embed.attributes['gen_ai.usage.input_tokens']).toBe(printedCounts(run.stdout, 'embed nomic-embed-text').input);
  });

  it('counts the input of a legacy embeddings call locally, flagged as estimated', () => {
    expect(run.stdout).toContain('legacy embeddings nomic-embed-text: 768 dimensions');
    const legacy = run.spans.filter((s) => s.name === 'embeddings nomic-embed-text' && s.attributes['tokenomics.usage.estimated'] === true);
    expect(legacy).toHaveLength(1);
    // 'tubeless sealant' is 5 tokens in o200k_base, the stand-in tokenizer for models without a public one.
    expect(legacy[0].attributes['gen_ai.usage.input_tokens']).toBe(5);
    expect(legacy[0].attributes['gen_ai.usage.output_tokens']).toBeUndefined();
  });

  it('flags every local model as unpriced with its reason, never $0', () => {
    for (const s of run.spans.filter((x) => x.status.code !== OTLP_STATUS_CODE.ERROR)) {
      expect(s.attributes['gen_ai.usage.cost.amount'], s.name).toBeUndefined();
      expect(s.attributes['tokenomics.unpriced'], s.name).toBe(true);
      expect(s.attributes['tokenomics.unpriced_reason'], s.name).toBe('unknown_provider');
    }
    expect(run.receiver.metricPoints('tokenomics.cost').filter((p) => p.attributes['gen_ai.provider.name'] === 'ollama')).toEqual([]);
    const unpriced = run.receiver
      .metricPoints('tokenomics.calls.unpriced')
      .filter((p) => p.attributes['gen_ai.provider.name'] === 'ollama');
    expect(unpriced.reduce((n, p) => n + (p.value ?? 0), 0)).toBe(SPANS - 1);
  });

  it('exports the missing model as one error span with error.type 404', () => {
    expect(run.stdout).toContain('chat failed: 404');
    const failed = run.spans.filter((s) => s.status.code === OTLP_STATUS_CODE.ERROR);
    expect(failed).toHaveLength(1);
    expect(failed[0].attributes['error.type']).toBe('404');
  });

  it('ends the stream the app aborted as aborted, with the output seen counted and flagged as estimated', () => {
    expect(run.stdout).toMatch(/^aborted after 3 parts/m);
    const aborted = run.spans.filter((s) => s.attributes['tokenomics.stream.outcome'] === 'aborted');
    expect(aborted).toHaveLength(1);
    expect(aborted[0].attributes['tokenomics.usage.estimated']).toBe(true);
    expect(aborted[0].attributes['gen_ai.usage.output_tokens']).toBe(3);
  });
});

describe.each(APPS)('ollama through the hook with rates from a price override file: $kind', ({ app, protocol }) => {
  let run: Run;

  beforeAll(async () => {
    run = await runOllamaApp(app, protocol, { TOKENOMICS_PRICE_OVERRIDES: join(FIXTURES, 'prices.yaml') });
  });

  afterAll(async () => {
    await run?.receiver.close();
    await run?.emulator.close();
  });

  it('prices each call at the per-token or GPU-hour rate the override gives its model', () => {
    for (const [label, name, streamed] of LABELS) {
      const u = printedCounts(run.stdout, label);
      const span = billedSpan(run.spans, name, u.input, streamed)!;
      const r = RATES[name.split(' ')[1]];
      expect(span.attributes['gen_ai.usage.cost.amount'], label).toBeCloseTo((u.input * r.input + u.output * r.output) / 1e6, 15);
      expect(span.attributes['tokenomics.unpriced'], label).toBeUndefined();
    }
  });

  it('leaves a model the override does not list unpriced, with the reason', () => {
    const embeds = run.spans.filter((s) => s.name === 'embeddings nomic-embed-text');
    expect(embeds).toHaveLength(2);
    for (const embed of embeds) {
      expect(embed.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
      expect(embed.attributes['tokenomics.unpriced_reason']).toBe('unknown_model');
    }
  });

  it('exports a cost counter that adds up to the spans', () => {
    const spanTotal = run.spans.reduce((sum, s) => sum + ((s.attributes['gen_ai.usage.cost.amount'] as number) ?? 0), 0);
    expect(spanTotal).toBeGreaterThan(0);
    const cost = run.receiver.metricPoints('tokenomics.cost').filter((p) => p.attributes['gen_ai.provider.name'] === 'ollama');
    expect(cost.reduce((n, p) => n + (p.value ?? 0), 0)).toBeCloseTo(spanTotal, 15);
  });
});

describe('ollama through the hook against a server that sends malformed counts', () => {
  let server: Server;
  let receiver: OtlpReceiver;
  let stdout: string;
  let spans: OtlpSpan[];

  beforeAll(async () => {
    // A negative prompt count and a string output count on the answer, a fractional one at the end of the stream.
    server = createServer((req, res) => {
      if (req.url === '/api/chat') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            model: 'llama3.2',
            message: { role: 'assistant', content: 'Hello.' },
            done: true,
            prompt_eval_count: -5,
            eval_count: '12',
          }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(`${JSON.stringify({ model: 'llama3.2', response: 'Hel', done: false })}\n`);
      res.end(`${JSON.stringify({ model: 'llama3.2', response: 'lo.', done: true, prompt_eval_count: 4, eval_count: 2.5 })}\n`);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    receiver = await startOtlpReceiver();
    const result = await runApp({
      app: join(FIXTURES, 'hostile.cjs'),
      env: { OLLAMA_HOST: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ...otlpExportEnv(receiver.url, 'http/protobuf') },
      timeoutMs: 30_000,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    stdout = result.stdout;
    spans = await receiver.waitFor((r) => {
      const s = r.spans().filter((x) => x.scope.name === SCOPE);
      return s.length === 2 && r.metricPoints('tokenomics.calls.invalid_usage').length > 0 ? s : undefined;
    }, 10_000);
  });

  afterAll(async () => {
    await receiver?.close();
    server?.close();
  });

  it('gives the app the answers unchanged', () => {
    expect(stdout).toContain('chat: ["Hello.",-5,"12"]');
    expect(stdout).toContain('stream: ["Hel","lo."]');
  });

  it('records neither counts nor cost from malformed usage, and says why', () => {
    const byName = (name: string) => spans.find((s) => s.name === name)!;
    const chat = byName('chat llama3.2');
    expect(chat.attributes['tokenomics.usage.invalid']).toBe(true);
    expect(chat.attributes['tokenomics.usage.invalid_reason']).toBe('prompt_eval_count:negative');
    const stream = byName('text_completion llama3.2');
    expect(stream.attributes['tokenomics.usage.invalid_reason']).toBe('eval_count:not_integer');
    for (const s of spans) {
      expect(s.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
      expect(s.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
      expect(s.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
    }
    expect(receiver.metricPoints('tokenomics.tokens').filter((p) => p.attributes['gen_ai.provider.name'] === 'ollama')).toEqual([]);
  });
});
