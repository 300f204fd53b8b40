import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { runHookedExample, type ExampleFlavour, type HookedExampleOptions, type HookedExampleRun } from './examples';
import { E2E_DIR } from './run-app';

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
