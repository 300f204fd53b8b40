import { join } from 'node:path';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { compileProviderHosts, detectCompatibleHost, parseProviderHosts, ProviderHostsError } from '../packages/instrumentation/src/index';
import { selfHostedProviderOf } from '../packages/instrumentation/src/genai/compatible-hosts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpExportEnv } from './support/examples';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver';
import { E2E_DIR, runApp } from './support/run-app';

const FIXTURES = join(E2E_DIR, 'fixtures', 'hosts');

describe('provider detection from an OpenAI-compatible base URL', () => {
  it.each([
    ['https://api.openai.com/v1', 'openai', 'host', 'on_request'],
    ['https://openrouter.ai/api/v1', 'openrouter', 'host', 'always'],
    ['https://api.deepseek.com', 'deepseek', 'host', 'on_request'],
    ['https://api.deepseek.com/v1', 'deepseek', 'host', 'on_request'],
    ['https://api.x.ai/v1', 'x_ai', 'host', 'on_request'],
    ['https://api.groq.com/openai/v1', 'groq', 'host', 'always'],
    ['https://api.together.xyz/v1', 'together_ai', 'host', 'always'],
    ['https://api.fireworks.ai/inference/v1', 'fireworks_ai', 'host', 'always'],
    ['https://api.perplexity.ai', 'perplexity', 'host', 'always'],
    ['https://api.mistral.ai/v1', 'mistral_ai', 'host', 'always'],
    ['https://generativelanguage.googleapis.com/v1beta/openai/', 'gcp.gemini', 'host', 'on_request'],
    ['https://my-resource.openai.azure.com/openai/v1', 'azure.ai.openai', 'host', 'on_request'],
    ['https://gateway.azure-api.net/openai/deployments/gpt-4o', 'azure.ai.openai', 'host', 'on_request'],
    ['http://localhost:11434/v1', 'ollama', 'port', 'on_request'],
    ['http://127.0.0.1:1234/v1', 'lm_studio', 'port', 'on_request'],
    ['http://litellm.internal:4000', 'litellm', 'port', 'on_request'],
    ['http://gpu-01:8000/v1', 'vllm', 'port', 'on_request'],
    ['http://localhost:8080/v1', 'llama_cpp', 'port', 'on_request'],
    ['https://llm.example.com/v1', 'openai', 'fallback', 'on_request'],
    ['https://api.deepseek.com.evil.example/v1', 'openai', 'fallback', 'on_request'],
    ['not a url', 'openai', 'fallback', 'on_request'],
  ])('%s is %s (by %s, stream usage %s)', (baseURL, provider, detectedBy, streamUsage) => {
    const host = detectCompatibleHost(baseURL);
    expect([host.provider, host.detectedBy, host.streamUsage]).toEqual([provider, detectedBy, streamUsage]);
  });

  it('gives server.address and server.port, the scheme default when the URL has no port', () => {
    expect(detectCompatibleHost('https://api.x.ai/v1')).toMatchObject({ serverAddress: 'api.x.ai', serverPort: 443 });
    expect(detectCompatibleHost('http://gpu-01:8000/v1')).toMatchObject({ serverAddress: 'gpu-01', serverPort: 8000 });
  });

  it("prefers the user's map, longest matching base URL first, over known hosts and default ports", () => {
    const hosts = compileProviderHosts(
      {
        'https://gateway.internal.example': 'litellm',
        'https://gateway.internal.example/groq': 'groq',
        'gpu-01:8000': 'my_vllm',
        'https://api.openai.com/v1': 'openai_proxy',
      },
      'test',
    );
    expect(detectCompatibleHost('https://gateway.internal.example/v1', hosts)).toMatchObject({
      provider: 'litellm',
      detectedBy: 'configured',
    });
    expect(detectCompatibleHost('https://gateway.internal.example/groq/openai/v1', hosts)).toMatchObject({
      provider: 'groq',
      streamUsage: 'always',
    });
    expect(detectCompatibleHost('https://gateway.internal.example/groqx', hosts).provider).toBe('litellm');
    expect(detectCompatibleHost('http://gpu-01:8000/v1', hosts).provider).toBe('my_vllm');
    expect(detectCompatibleHost('http://gpu-01:8001/v1', hosts).provider).toBe('openai');
    expect(detectCompatibleHost('https://api.openai.com/v1', hosts).provider).toBe('openai_proxy');
  });

  it('recognises self-hosted servers by the fields only they put in an answer', () => {
    expect(selfHostedProviderOf({ id: 'chatcmpl-1', usage: {}, timings: { prompt_n: 3, predicted_n: 5 } })).toBe('llama_cpp');
    expect(selfHostedProviderOf({ id: 'chatcmpl-1', system_fingerprint: 'fp_ollama' })).toBe('ollama');
    expect(selfHostedProviderOf({ id: 'chatcmpl-1', prompt_logprobs: null, kv_transfer_params: null })).toBe('vllm');
    expect(selfHostedProviderOf({ id: 'chatcmpl-1', stats: {}, system_fingerprint: 'qwen2.5-7b-instruct' })).toBe('lm_studio');
    expect(selfHostedProviderOf({ id: 'chatcmpl-1', system_fingerprint: 'fp_44709d6fcb', usage: {} })).toBeUndefined();
    expect(selfHostedProviderOf({ timings: null, stats: [1] })).toBeUndefined();
    expect(selfHostedProviderOf(Object.create({ timings: {} }))).toBeUndefined();
    expect(selfHostedProviderOf('timings')).toBeUndefined();
  });

  it('reads the text form of the map: comma-separated base URL=provider, blanks ignored', () => {
    expect(parseProviderHosts(' https://llm.internal.example/v1=vllm , ,10.0.0.5:4000=litellm ', 'TOKENOMICS_PROVIDER_HOSTS')).toEqual([
      { baseURL: 'https://llm.internal.example/v1', provider: 'vllm' },
      { baseURL: '10.0.0.5:4000', provider: 'litellm' },
    ]);
  });

  it.each([
    ['https://llm.internal.example/v1', "has no '=<provider>'"],
    ['https://llm.internal.example/v1=Bad Name', 'has an invalid provider "Bad Name"'],
    ['=vllm', "has no '=<provider>'"],
    ['ftp://files.example/v1=vllm', 'has a base URL with scheme ftp: (http or https only)'],
    ['https://llm.internal.example/v1?key=1=vllm', 'has a base URL with a query, fragment or credentials'],
  ])('rejects the entry %s, naming the source, the entry and what is accepted', (text, reason) => {
    let error: unknown;
    try {
      parseProviderHosts(text, 'TOKENOMICS_PROVIDER_HOSTS');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ProviderHostsError);
    const message = (error as Error).message;
    expect(message).toContain(`TOKENOMICS_PROVIDER_HOSTS: entry "`);
    expect(message).toContain(reason);
    expect(message).toContain('accepted: comma-separated <base URL>=<provider>');
  });
});

describe('the provider-host map at start-up', () => {
  let emulator: Emulator;
  let receiver: OtlpReceiver;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    receiver = await startOtlpReceiver();
  });

  afterAll(async () => {
    await receiver?.close();
    await emulator?.close();
  });

  it('stops the hook before the app runs on a bad TOKENOMICS_PROVIDER_HOSTS entry, naming the variable, the entry and what is accepted', async () => {
    const run = await runApp({
      app: join(FIXTURES, 'app.cjs'),
      env: { EMULATOR_URL: emulator.url, TOKENOMICS_PROVIDER_HOSTS: 'https://llm.internal.example/v1=vllm,10.0.0.5:4000=Lite LLM' },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('@tokenomics/node: TOKENOMICS_PROVIDER_HOSTS=');
    expect(run.stderr).toContain('entry "10.0.0.5:4000=Lite LLM" has an invalid provider "Lite LLM"');
    expect(run.stderr).toContain('accepted: comma-separated <base URL>=<provider>');
    expect(emulator.requests).toHaveLength(0);
  });

  it('never prints the credentials of a bad entry', async () => {
    const run = await runApp({
      app: join(FIXTURES, 'app.cjs'),
      env: { EMULATOR_URL: emulator.url, TOKENOMICS_PROVIDER_HOSTS: 'https://user:hunter2-secret@llm.internal.example/v1=vllm' },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('TOKENOMICS_PROVIDER_HOSTS');
    expect(run.stderr).not.toContain('hunter2-secret');
  });

  it('names a host from the providerHosts option of start()', async () => {
    receiver.clear();
    const run = await runApp({
      app: join(FIXTURES, 'start-option.cjs'),
      hook: 'none',
      env: {
        OPENAI_BASE_URL: `${emulator.url}/hosts/together/v1`,
        PROVIDER_HOSTS_JSON: JSON.stringify({ [`${emulator.url}/hosts/together`]: 'together_ai' }),
        TOKENOMICS_PRICE_OVERRIDES: join(FIXTURES, 'prices.yaml'),
        ...otlpExportEnv(receiver.url, 'http/json'),
      },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const usage = JSON.parse(
      run.stdout
        .split('\n')
        .find((l) => l.startsWith('RESULT '))!
        .slice(7),
    ).usage;
    const span = await receiver.waitFor((r) => r.spanByName('chat meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo'), 10_000);
    expect(span.attributes['gen_ai.provider.name']).toBe('together_ai');
    // fixtures/hosts/prices.yaml: $0.18 per million input and output tokens.
    expect(span.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(((usage.prompt_tokens + usage.completion_tokens) * 0.18) / 1e6, 15);
  });

  it('makes start() throw a ConfigError on a bad providerHosts entry, naming the option, the entry and what is accepted', async () => {
    const run = await runApp({
      app: join(FIXTURES, 'start-option.cjs'),
      hook: 'none',
      env: { OPENAI_BASE_URL: emulator.openaiBaseURL, PROVIDER_HOSTS_JSON: JSON.stringify({ 'ftp://files.example/v1': 'vllm' }) },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'START ConfigError: start({ instrumentationConfig: { providerHosts } }): entry "ftp://files.example/v1=vllm" has a base URL with scheme ftp: (http or https only); accepted: comma-separated <base URL>=<provider>',
    );
  });
});
