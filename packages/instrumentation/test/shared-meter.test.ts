import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicInstrumentation, OpenAIInstrumentation } from '../src';
import { requireAnthropic } from './support/load-anthropic';
import { requireOpenAI } from './support/load-openai';

// The Prometheus exporter and the SDK it reads are the ones @tokenomics/node serves `/metrics` with.
const nodeRequire = createRequire(new URL('../../node/package.json', import.meta.url));
const { PrometheusExporter } = nodeRequire('@opentelemetry/exporter-prometheus');
const { MeterProvider } = nodeRequire('@opentelemetry/sdk-metrics');

// Every Tokenomics instrumentation records its metrics on one meter's instruments: with two
// clients instrumented, each metric family is declared once on `/metrics` (strict Prometheus
// parsers reject a repeated `# HELP`/`# TYPE`), and its values are the sums over both clients.

describe('two clients on one Prometheus endpoint', () => {
  const openaiInstrumentation = new OpenAIInstrumentation();
  const anthropicInstrumentation = new AnthropicInstrumentation();
  let exporter: any;
  let meterProvider: any;
  let server: Server;
  let emulator: Emulator;
  let metricsURL: string;

  beforeAll(async () => {
    exporter = new PrometheusExporter({ preventServerStart: true });
    meterProvider = new MeterProvider({ readers: [exporter] });
    for (const i of [openaiInstrumentation, anthropicInstrumentation]) {
      i.setMeterProvider(meterProvider);
      i.enable();
    }
    server = createServer((req, res) => exporter.getMetricsRequestHandler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    metricsURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    emulator = await startEmulator({ port: 0 });
  });

  afterAll(async () => {
    openaiInstrumentation.disable();
    anthropicInstrumentation.disable();
    await new Promise((resolve) => server.close(resolve));
    await meterProvider.shutdown();
    await emulator.close();
  });

  it('declares each metric family once, with the values summed over both clients', async () => {
    const { OpenAI } = requireOpenAI(6);
    const { Anthropic } = requireAnthropic(1);
    const openai = new OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
    const anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: emulator.anthropicBaseURL, maxRetries: 0 });
    const chat = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hello [emulate output_tokens=5]' }],
    });
    const message = await anthropic.messages.create({
      model: 'claude-3-5-haiku-20241022',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Hello [emulate output_tokens=7]' }],
    });
    expect(chat.usage.completion_tokens).toBe(5);
    expect(message.usage.output_tokens).toBe(7);

    const text = await (await fetch(metricsURL)).text();
    const lines = text.split('\n');
    const typeLines = lines.filter((l) => l.startsWith('# TYPE '));
    const helpLines = lines.filter((l) => l.startsWith('# HELP '));
    const families = typeLines.map((l) => l.split(' ')[2]);
    expect(families.length).toBeGreaterThan(0);
    expect(new Set(families).size, text).toBe(families.length);
    expect(new Set(helpLines.map((l) => l.split(' ')[2])).size).toBe(helpLines.length);

    // Every sample of a family, summed over its series (both providers).
    const sum = (sample: string) =>
      lines
        .filter((l) => l.startsWith(`${sample}{`) || l.startsWith(`${sample} `))
        .reduce((total, l) => total + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    const usageFamily = families.find((f) => f.startsWith('gen_ai_client_token_usage'));
    const durationFamily = families.find((f) => f.startsWith('gen_ai_client_operation_duration'));
    expect(usageFamily, text).toBeDefined();
    expect(durationFamily, text).toBeDefined();
    // One input and one output point per call.
    expect(sum(`${usageFamily}_count`)).toBe(4);
    expect(sum(`${usageFamily}_sum`)).toBe(chat.usage.prompt_tokens + 5 + message.usage.input_tokens + 7);
    expect(sum(`${durationFamily}_count`)).toBe(2);
    const tokensFamily = families.find((f) => f.startsWith('tokenomics_tokens'));
    expect(tokensFamily, text).toBeDefined();
    expect(sum(tokensFamily!)).toBe(chat.usage.prompt_tokens + 5 + message.usage.input_tokens + 7);
    expect(text).toContain('gen_ai_provider_name="openai"');
    expect(text).toContain('gen_ai_provider_name="anthropic"');
  });
});
