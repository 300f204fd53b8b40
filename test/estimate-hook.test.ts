import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { otlpExportEnv } from './support/examples';
import { startOtlpReceiver, type OtlpReceiver, type OtlpSpan } from './support/otlp-receiver';
import { E2E_DIR, runApp, stopAllApps, type AppResult } from './support/run-app';

// Streamed calls whose usage must be estimated (the app stops reading, the server cuts the stream,
// or the stream carries no usage), with model names that are also names of built-in object
// properties. With the hook, the app must exit exactly as it does without it: same code, same
// output. The estimate is counted in a worker thread and its span still reaches the backend.
const APP = join(E2E_DIR, 'fixtures', 'estimate-app.cjs');
const HOSTILE_MODELS = ['constructor', '__proto__', 'hasOwnProperty'];

type Provider = 'openai' | 'anthropic' | 'gemini';
const SPAN_PREFIX: Record<Provider, string> = { openai: 'chat', anthropic: 'chat', gemini: 'generate_content' };

describe('streamed calls that need a usage estimate, with hostile model names, through the hook', () => {
  let emulator: Emulator;
  let receiver: OtlpReceiver;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    receiver = await startOtlpReceiver();
  });

  afterEach(() => {
    stopAllApps();
    receiver.clear();
  });

  afterAll(async () => {
    await receiver?.close();
    await emulator?.close();
  });

  function run(provider: Provider, model: string, mode: string, hooked: boolean): Promise<AppResult> {
    const env: Record<string, string> = {
      OPENAI_BASE_URL: emulator.openaiBaseURL,
      ANTHROPIC_BASE_URL: emulator.anthropicBaseURL,
      GEMINI_BASE_URL: emulator.geminiBaseURL,
      // The app does not ask for stream usage and the hook is told not to add it: no usage arrives.
      TOKENOMICS_OPENAI_STREAM_USAGE: 'off',
      ...(hooked ? otlpExportEnv(receiver.url, 'http/json') : {}),
    };
    return runApp({ app: APP, args: [provider, model, mode], hook: hooked ? 'require' : 'none', env, timeoutMs: 60_000 });
  }

  async function expectSameAsWithoutHook(provider: Provider, model: string, mode: string): Promise<void> {
    const plain = await run(provider, model, mode, false);
    const hooked = await run(provider, model, mode, true);
    expect(hooked.timedOut).toBe(false);
    expect(hooked.stderr).toBe(plain.stderr);
    expect(hooked.stdout).toBe(plain.stdout);
    // The estimate was counted in the hook's worker thread: the app's thread never loaded tiktoken.
    expect(hooked.stdout).toContain('tiktoken loaded here: false');
    expect(hooked.code).toBe(plain.code);
    expect(hooked.signal).toBe(plain.signal);
    // The call's span was exported at exit: estimated, or saying why the estimate is missing.
    const name = `${SPAN_PREFIX[provider]} ${model}`;
    const span = await receiver.waitFor((r) => r.spans().find((s: OtlpSpan) => s.name === name), 10_000);
    const a = span.attributes;
    if (a['tokenomics.usage.estimate_unavailable'] === undefined) {
      expect(a['tokenomics.usage.estimated']).toBe(true);
      expect(a['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    } else {
      expect(['timeout', 'worker_failed']).toContain(a['tokenomics.usage.estimate_unavailable']);
    }
    expect(a['gen_ai.usage.cost.source'] === undefined || a['tokenomics.usage.estimated'] === true).toBe(true);
  }

  for (const provider of ['openai', 'anthropic', 'gemini'] as const) {
    for (const model of HOSTILE_MODELS) {
      it(`exits as without the hook when the app breaks out of a ${provider} stream of model ${model}`, async () => {
        await expectSameAsWithoutHook(provider, model, 'break');
      });
    }
  }

  it('exits as without the hook when an OpenAI stream of model __proto__ carries no usage', async () => {
    await expectSameAsWithoutHook('openai', '__proto__', 'full');
  });

  it('exits as without the hook when the server cuts an Anthropic stream of model constructor short', async () => {
    await expectSameAsWithoutHook('anthropic', 'constructor', 'cut');
  });

  it('exits as without the hook when the server cuts a Gemini stream of model hasOwnProperty short', async () => {
    await expectSameAsWithoutHook('gemini', 'hasOwnProperty', 'cut');
  });
});
