import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpExportEnv } from './support/examples';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver';
import { E2E_DIR, runApp } from './support/run-app';

// The in-process budget guard turned on with TOKENOMICS_BUDGETS_FILE, in an app run through the hook.
const DIR = join(E2E_DIR, 'fixtures', 'budgets');
const APP = join(DIR, 'guarded-app.cjs');

describe('budget guard through the hook', () => {
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

  const run = (tenant: string, file: string) =>
    runApp({
      app: APP,
      args: [tenant],
      env: {
        ...otlpExportEnv(receiver.url, 'http/protobuf'),
        OTEL_SERVICE_NAME: 'guarded',
        OPENAI_BASE_URL: emulator.openaiBaseURL,
        TOKENOMICS_BUDGETS_FILE: join(DIR, file),
      },
      timeoutMs: 60_000,
    });

  it('sends the call that reaches the limit exactly and rejects the next ones before anything is sent', async () => {
    const before = emulator.requests.length;
    const r = await run('acme', 'budgets.yml');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^call 1: sent, \d+ in \/ \d+ out$/m);
    expect(r.stdout).toContain('call 2: rejected by acme-hourly (hour, limit 0.0000072)');
    expect(r.stdout).toContain('call 3: rejected by acme-hourly (hour, limit 0.0000072)');
    expect(emulator.requests.length).toBe(before + 1);
    const rejections = await receiver.waitFor((rec) => {
      const points = rec.metricPoints('tokenomics.budget.rejections').filter((p) => p.resource['service.name'] === 'guarded');
      return points.length > 0 ? points : undefined;
    }, 30_000);
    expect(rejections.map((p) => [p.attributes['tokenomics.budget.name'], p.attributes['tokenomics.budget.window'], p.value])).toEqual([
      ['acme-hourly', 'hour', 2],
    ]);
  }, 90_000);

  it('guards an ES module app loaded with --import the same way', async () => {
    const before = emulator.requests.length;
    const r = await runApp({
      app: join(DIR, 'guarded-app.mjs'),
      args: ['acme'],
      env: { OPENAI_BASE_URL: emulator.openaiBaseURL, OTEL_METRICS_EXPORTER: 'none', TOKENOMICS_BUDGETS_FILE: join(DIR, 'budgets.yml') },
      timeoutMs: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^call 1: sent, \d+ in \/ \d+ out\ncall 2: rejected by acme-hourly \(hour, limit 0.0000072\)\ncall 3: rejected/,
    );
    expect(emulator.requests.length).toBe(before + 1);
  }, 90_000);

  it('leaves calls the budgets do not match alone', async () => {
    const before = emulator.requests.length;
    const r = await run('globex', 'budgets.yml');
    expect(r.code).toBe(0);
    expect(r.stdout.match(/sent/g)).toHaveLength(3);
    expect(emulator.requests.length).toBe(before + 3);
  }, 90_000);

  it('stops at start-up on a bad budgets file, naming the variable, file, line, field and value, before the app runs', async () => {
    const before = emulator.requests.length;
    const r = await run('acme', 'bad-budgets.yml');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `@tokenomics/node: TOKENOMICS_BUDGETS_FILE: ${join(DIR, 'bad-budgets.yml')}:4: budgets[0].window: "week" is not accepted; accepted: one of hour, day, 30d\n`,
    );
    expect(emulator.requests.length).toBe(before);
  }, 90_000);
});
