import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver';
import { E2E_DIR, runApp } from './support/run-app';
import { EXAMPLES, otlpExportEnv } from './support/examples';

// The hook on newer Node.js releases, run as `npx -y node@N`, and openai 7.x, which needs
// Node.js 22. Skipped, with the reason printed, where that Node.js cannot be fetched.

const here = createRequire(join(E2E_DIR, 'package.json'));

function nodeBinary(major: number): string | undefined {
  try {
    return execFileSync('npx', ['-y', `node@${major}`, '-p', 'process.execPath'], { encoding: 'utf8', timeout: 180_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** An app dir whose `openai` is the 7.x release, by its bare name, as an app would have it. */
function openai7App(): string {
  const root = mkdtempSync(join(tmpdir(), 'openai7-app-'));
  mkdirSync(join(root, 'node_modules', '@tokenomics'), { recursive: true });
  symlinkSync(realpathSync(dirname(here.resolve('openai-v7'))), join(root, 'node_modules', 'openai'), 'dir');
  symlinkSync(realpathSync(dirname(here.resolve('@tokenomics/node/package.json'))), join(root, 'node_modules', '@tokenomics', 'node'), 'dir');
  writeFileSync(
    join(root, 'app.mjs'),
    [
      "import OpenAI from 'openai';",
      "import { withAttribution } from '@tokenomics/node';",
      "import { createRequire } from 'node:module';",
      `const { runWorkload } = createRequire(import.meta.url)(${JSON.stringify(join(EXAMPLES, 'openai-cjs', 'workload.js'))});`,
      'const log = await runWorkload(new OpenAI({ maxRetries: 0 }), withAttribution);',
      "for (const line of log) console.log(line);",
      '',
    ].join('\n'),
  );
  return join(root, 'app.mjs');
}

const CASES = [
  { node: 22, app: () => join(EXAMPLES, 'openai-cjs', 'app.js'), label: 'CommonJS example, openai 6' },
  { node: 24, app: () => join(EXAMPLES, 'openai-esm', 'app.mjs'), label: 'ESM example, openai 6' },
  { node: 22, app: openai7App, label: 'ESM app, openai 7' },
];

describe.each(CASES)('Node.js $node: $label', ({ node, app }) => {
  let binary: string | undefined;
  let emulator: Emulator;
  let receiver: OtlpReceiver;

  beforeAll(async () => {
    binary = nodeBinary(node);
    if (!binary) console.warn(`Node.js ${node} could not be fetched with npx; skipping its hook tests`);
    emulator = await startEmulator({ port: 0 });
    receiver = await startOtlpReceiver();
  }, 200_000);

  afterAll(async () => {
    await receiver?.close();
    await emulator?.close();
  });

  it('records every call of the workload with its cost through the hook', async (ctx) => {
    if (!binary) ctx.skip();
    const entry = app();
    const result = await runApp({
      app: entry,
      execPath: binary,
      env: {
        OPENAI_BASE_URL: emulator.openaiBaseURL,
        OPENAI_API_KEY: 'sk-matrix',
        ...otlpExportEnv(receiver.url, 'http/json'),
      },
      timeoutMs: 60_000,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const spans = await receiver.waitFor((r) => {
      const s = r.spans().filter((x) => x.scope.name === '@tokenomics/instrumentation-openai');
      return s.length === 7 ? s : undefined;
    }, 15_000);
    expect(spans.filter((s) => typeof s.attributes['gen_ai.usage.cost.amount'] === 'number')).toHaveLength(6);
    expect(spans.filter((s) => s.attributes['error.type'] === '429')).toHaveLength(1);
    const [input, output] = result.stdout.match(/chat gpt-4o-mini: (\d+) in \/ (\d+) out/)!.slice(1).map(Number);
    const plain = spans.find((s) => s.name === 'chat gpt-4o-mini' && s.attributes['gen_ai.usage.input_tokens'] === input)!;
    // gpt-4o-mini: $0.15 per million input tokens, $0.60 per million output tokens.
    expect(plain.attributes['gen_ai.usage.cost.amount']).toBeCloseTo((input * 0.15 + output * 0.6) / 1e6, 12);
  }, 90_000);
});
