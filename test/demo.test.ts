import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createServer } from 'node:net';
import {
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_TOKENOMICS_BUDGET_ACTION,
  ATTR_TOKENOMICS_BUDGET_ESTIMATE,
  ATTR_TOKENOMICS_BUDGET_LIMIT,
  ATTR_TOKENOMICS_BUDGET_NAME,
  ATTR_TOKENOMICS_BUDGET_SPENT,
  ATTR_TOKENOMICS_BUDGET_WINDOW,
  EVENT_TOKENOMICS_BUDGET_EXCEEDED,
} from '../packages/contract/src/index';
import { describe, expect, it } from 'vitest';
import { startOtlpReceiver } from './support/otlp-receiver';
import { E2E_DIR } from './support/run-app';

const BIN = join(E2E_DIR, '..', 'packages', 'cli', 'dist', 'bin.js');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function run(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OTEL_|TOKENOMICS_|NODE_OPTIONS$)/.test(k))),
      ...extraEnv,
    };
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('tokenomics demo', () => {
  it('prints spend by model and token type, savings, headroom, reconciliation and budget use read back from the Prometheus endpoint, and exits 0', async () => {
    const port = await freePort();
    // The service's spans go to a receiver (the demo leaves the trace exporter to the environment).
    const receiver = await startOtlpReceiver();
    const { code, stdout, stderr } = await run(['demo', '--json', '--metrics-port', String(port)], {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.source).toBe(`http://127.0.0.1:${port}/metrics`);
    expect(summary.calls).toBe(7);
    expect(summary.failedCalls).toBe(1);
    expect(summary.unpricedCalls).toBe(0);
    const models = new Set(summary.rows.map((r: { model: string }) => r.model));
    expect([...models].sort()).toEqual([
      'gpt-4.1-2025-04-14',
      'gpt-4o-2024-08-06',
      'gpt-4o-mini-2024-07-18',
      'o3-mini-2025-01-31',
      'text-embedding-3-small',
    ]);
    const cacheRead = summary.rows.find(
      (r: { model: string; tokenType: string }) => r.model === 'gpt-4o-2024-08-06' && r.tokenType === 'cache_read',
    );
    // 1,024 cached tokens at gpt-4o's $1.25 per million.
    expect(cacheRead.tokens).toBe(1024);
    expect(cacheRead.usd).toBeCloseTo(0.00128, 12);
    const reasoning = summary.rows.find((r: { tokenType: string }) => r.tokenType === 'reasoning');
    // 256 reasoning tokens at o3-mini's $4.40 per million output.
    expect(reasoning.usd).toBeCloseTo(0.0011264, 12);
    const rowsTotal = summary.rows.reduce((n: number, r: { usd: number }) => n + r.usd, 0);
    expect(summary.totalUsd).toBeCloseTo(rowsTotal, 12);
    // Cache savings: the 1,024 cached gpt-4o tokens at ($2.50 - $1.25) per million; no cache writes.
    expect(summary.cacheSavingsUsd).toBeCloseTo(0.00128, 12);
    expect(summary.cacheWritePremiumUsd).toBe(0);
    // Headroom from the emulator's OpenAI rate-limit headers; the workload's last gpt-4o-mini call
    // is the 429, whose headers say no request is left.
    const quota = (model: string, limitType: string) =>
      summary.quota.find((q: { model: string; limitType: string }) => q.model === model && q.limitType === limitType);
    expect(quota('gpt-4o', 'requests')).toEqual({ model: 'gpt-4o', limitType: 'requests', remaining: 9999, limit: 10000 });
    expect(quota('gpt-4o', 'tokens')).toEqual({ model: 'gpt-4o', limitType: 'tokens', remaining: 29999000, limit: 30000000 });
    expect(quota('gpt-4o-mini', 'requests')).toEqual({ model: 'gpt-4o-mini', limitType: 'requests', remaining: 0, limit: 10000 });
    // Reconciliation: every billed call (6 of 7) estimated locally; the emulator bills with the
    // same tiktoken counts, so every ratio is exactly 1.
    const reconciled = summary.reconciliation as { model: string; encoding: string; calls: number; meanRatio: number }[];
    expect(reconciled.reduce((n, r) => n + r.calls, 0)).toBe(6);
    expect(reconciled.find((r) => r.model === 'text-embedding-3-small')).toEqual({
      model: 'text-embedding-3-small',
      encoding: 'cl100k_base',
      calls: 1,
      meanRatio: 1,
    });
    for (const r of reconciled) expect(r.meanRatio).toBe(1);
    // Budgets (examples/openai-cjs/budgets.yml, default output 100 tokens). globex-hourly counts
    // the three globex calls: streamed gpt-4o-mini 24 in x $0.15 + 40 out x $0.60 = $0.0000276;
    // o3-mini 25 x $1.10 + (80 + 256) x $4.40 = $0.0015059; gpt-4.1 14 x $2 + 25 x $8 = $0.000228
    // (per million). Before the gpt-4.1 call $0.0015335 is spent, over the $0.0015 limit: one
    // warning, the call still sent. service-daily (reject, $0.05) counts every call: nothing rejected.
    expect(summary.budgets).toHaveLength(2);
    const globex = summary.budgets[0];
    expect(globex).toMatchObject({ name: 'globex-hourly', window: 'hour', action: 'warn', limitUsd: 0.0015, warnings: 1, rejections: 0 });
    expect(globex.spentUsd).toBeCloseTo(0.0017615, 12);
    const daily = summary.budgets[1];
    expect(daily).toMatchObject({ name: 'service-daily', window: 'day', action: 'reject', limitUsd: 0.05, warnings: 0, rejections: 0 });
    expect(daily.spentUsd).toBeCloseTo(0.00377523, 12);
    // The warning is an event on the gpt-4.1 span: $0.0015335 spent + 14 x $2 + 100 x $8 = $0.000828 estimated.
    const warned = await receiver.waitFor((r) => {
      const hits = r.spans().filter((sp) => sp.events.some((e) => e.name === EVENT_TOKENOMICS_BUDGET_EXCEEDED));
      return hits.length > 0 ? hits : undefined;
    });
    expect(warned).toHaveLength(1);
    expect(warned[0].attributes[ATTR_GEN_AI_REQUEST_MODEL]).toBe('gpt-4.1');
    const event = warned[0].events.find((e) => e.name === EVENT_TOKENOMICS_BUDGET_EXCEEDED);
    expect(event?.attributes[ATTR_TOKENOMICS_BUDGET_NAME]).toBe('globex-hourly');
    expect(event?.attributes[ATTR_TOKENOMICS_BUDGET_WINDOW]).toBe('hour');
    expect(event?.attributes[ATTR_TOKENOMICS_BUDGET_ACTION]).toBe('warn');
    expect(event?.attributes[ATTR_TOKENOMICS_BUDGET_LIMIT]).toBe(0.0015);
    expect(event?.attributes[ATTR_TOKENOMICS_BUDGET_SPENT]).toBeCloseTo(0.0015335, 12);
    expect(event?.attributes[ATTR_TOKENOMICS_BUDGET_ESTIMATE]).toBeCloseTo(0.000828, 12);
    await receiver.close();
  });

  it('the example budgets file the demo runs with passes tokenomics budgets check', async () => {
    const file = join(E2E_DIR, '..', 'examples', 'openai-cjs', 'budgets.yml');
    const { code, stdout, stderr } = await run(['budgets', 'check', file]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(`${file}: 2 budgets ok`);
  });

  it('takes its options after a "--", as pnpm run demo -- --help passes them', async () => {
    const { code, stdout, stderr } = await run(['demo', '--', '--help']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: tokenomics demo');
  });

  it('rejects an unknown argument with usage and exit code 2', async () => {
    const { code, stderr } = await run(['demo', '--bogus']);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown argument '--bogus'");
  });
});
