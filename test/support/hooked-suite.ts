import { join } from 'node:path';
import type { Emulator, RecordedRequest } from '@tokenomics/emulator';
import { afterAll, beforeAll, expect } from 'vitest';
import { runHookedExample, type ExampleFlavour, type HookedExampleOptions, type HookedExampleRun } from './examples';
import { E2E_DIR, runApp } from './run-app';

/**
 * The two apps of `test/fixtures/<name>`: `app.cjs` (hook through `--require`, OTLP protobuf) and
 * `app.mjs` (hook through `--import`, OTLP JSON). `cjsKind` names the CommonJS one in test titles.
 */
export function fixtureFlavours(name: string, cjsKind = 'CommonJS (--require)'): ExampleFlavour[] {
  const dir = join(E2E_DIR, 'fixtures', name);
  return [
    { kind: cjsKind, app: join(dir, 'app.cjs'), protocol: 'http/protobuf' },
    { kind: 'ESM (--import)', app: join(dir, 'app.mjs'), protocol: 'http/json' },
  ];
}

/**
 * Runs an app through the hook once before the tests of the enclosing `describe` block (see
 * {@link runHookedExample}) and closes its emulator and receiver after them. The returned run is
 * filled in when the block's tests start.
 */
export function runHookedExampleForSuite(options: HookedExampleOptions): HookedExampleRun {
  const run = {} as Partial<HookedExampleRun>;
  beforeAll(async () => {
    Object.assign(run, await runHookedExample(options));
  });
  afterAll(async () => {
    await run.receiver?.close();
    await run.emulator?.close();
  });
  return run as HookedExampleRun;
}

/** Input and output token counts of the app's `<label>: <input> in / <output> out` line. */
export function printedTokens(stdout: string, label: string, wholeLine = false): { input: number; output: number } {
  const m = stdout.match(new RegExp(`^${label}: (\\d+) in / (\\d+) out${wholeLine ? '$' : ''}`, 'm'));
  expect(m, `app output ${label}`).not.toBeNull();
  return { input: Number(m![1]), output: Number(m![2]) };
}

/** A context app's run through the hook, then its run without the hook on the same emulator. */
export interface HookedAndPlainRun extends HookedExampleRun {
  /** The requests of the run with the hook. */
  hookedRequests: RecordedRequest[];
  /** What the app printed without the hook. */
  unhookedStdout: string;
}

/**
 * Runs `app` (test/fixtures/<name>/context-app.cjs, an OpenAI-backed framework app making `spans`
 * model calls) through the hook, then without it, once before the tests of the enclosing
 * `describe` block; closes the emulator and receiver after them.
 */
export function runOpenAIContextAppForSuite(app: string, spans: number): HookedAndPlainRun {
  const run = {} as Partial<HookedAndPlainRun>;
  const env = (emulator: Emulator) => ({ OPENAI_BASE_URL: emulator.openaiBaseURL, OPENAI_API_KEY: 'sk-e2e-secret-000' });
  beforeAll(async () => {
    Object.assign(
      run,
      await runHookedExample({
        app,
        protocol: 'http/protobuf',
        env,
        scope: '@tokenomics/instrumentation-openai',
        spans,
        timeoutMs: 60_000,
      }),
    );
    run.hookedRequests = [...run.emulator!.requests];
    const plain = await runApp({ app, hook: 'none', env: env(run.emulator!), timeoutMs: 60_000 });
    expect(plain.code).toBe(0);
    run.unhookedStdout = plain.stdout;
  }, 150_000);
  afterAll(async () => {
    await run.receiver?.close();
    await run.emulator?.close();
  });
  return run as HookedAndPlainRun;
}
