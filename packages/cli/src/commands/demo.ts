import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { startEmulator } from '@tokenomics/emulator';
import { BudgetsFileError, loadBudgetsFile, type BudgetsConfig } from '@tokenomics/node';
import { parsePrometheusText } from '../prometheus-text';
import { renderSpendTable, summariseSpend, type SpendOptions, type SpendSummary } from '../spend-table';

const USAGE = `Usage: tokenomics demo [--keep-running] [--metrics-port N] [--json]

Starts the provider emulator and the example service with the Tokenomics hook, which makes a mix
of OpenAI calls and exports metrics to the embedded Prometheus endpoint; then prints spend by model
and token type, cache savings, quota headroom, estimates against bills and budget use, read back
from that endpoint. The service runs with the budget guard and examples/openai-cjs/budgets.yml
(TOKENOMICS_BUDGETS_FILE names another file).

  --keep-running    keep the service (repeating its workload every 15 s) and the emulator up, so
                    Prometheus or Grafana can scrape http://127.0.0.1:<port>/metrics; Ctrl-C stops
  --metrics-port N  port of the Prometheus endpoint (default 9464, or a free one if taken)
  --json            print the summary as JSON`;

interface DemoOptions {
  keepRunning: boolean;
  metricsPort?: number;
  json: boolean;
}

function parseArgs(argv: string[]): DemoOptions | string {
  const o: DemoOptions = { keepRunning: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    // `pnpm run demo -- --json` hands the `--` on: it ends no options here.
    if (a === '--') continue;
    if (a === '--keep-running') o.keepRunning = true;
    else if (a === '--json') o.json = true;
    else if (a === '--metrics-port') {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1 || v > 65535) return `--metrics-port: '${argv[i]}' is not a port; accepted: 1-65535`;
      o.metricsPort = v;
    } else if (a === '--help' || a === '-h') return USAGE;
    else return `unknown argument '${a}'\n\n${USAGE}`;
  }
  return o;
}

/** `tokenomics demo`: runs the emulator and an example service with the hook, then prints spend. */
export async function runDemo(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv);
  if (typeof parsed === 'string') {
    const help = parsed === USAGE;
    (help ? process.stdout : process.stderr).write(`${parsed}\n`);
    return help ? 0 : 2;
  }
  const app = findExampleApp();
  if (!app) {
    process.stderr.write('tokenomics demo: examples/openai-cjs/app.js not found; run the demo from a clone of the repository\n');
    return 1;
  }
  const budgetsFile = process.env.TOKENOMICS_BUDGETS_FILE?.trim() || join(dirname(app), 'budgets.yml');
  let budgets: BudgetsConfig;
  try {
    budgets = loadBudgetsFile(budgetsFile);
  } catch (err) {
    if (!(err instanceof BudgetsFileError)) throw err;
    process.stderr.write(`tokenomics demo: ${err.message}\n`);
    return 1;
  }
  const serviceName = process.env.OTEL_SERVICE_NAME ?? 'bike-shop-support';
  const register = require.resolve('@tokenomics/node/register');
  const metricsPort = parsed.metricsPort ?? ((await isFree(9464)) ? 9464 : await freePort());
  const emulator = await startEmulator({ port: 0, timeToFirstChunkMs: 40, chunkIntervalMs: 2, latencyMs: 30 });
  const child = spawn(process.execPath, ['--require', register, app], {
    cwd: dirname(app),
    env: {
      ...process.env,
      OPENAI_BASE_URL: emulator.openaiBaseURL,
      OPENAI_API_KEY: 'sk-demo-not-a-real-key',
      OTEL_SERVICE_NAME: serviceName,
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
      EXAMPLE_STAY_ALIVE: '1',
      EXAMPLE_REPEAT_MS: parsed.keepRunning ? '15000' : '',
      // Every call's input is also estimated locally, off the app's path, and compared with the
      // bill (a service would sample a few percent, e.g. 0.05).
      TOKENOMICS_RECONCILE_SAMPLE: process.env.TOKENOMICS_RECONCILE_SAMPLE ?? '1',
      // The in-process budget guard checks every call against the example budgets before it is sent.
      TOKENOMICS_BUDGETS_FILE: budgetsFile,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = async () => {
    await stopChild(child);
    await emulator.close();
  };
  try {
    const lines = await waitForLine(child, 'workload done', 45_000);
    if (!parsed.json) {
      process.stdout.write(`Example service made these calls through the emulator at ${emulator.openaiBaseURL}:\n`);
      for (const l of lines) process.stdout.write(`  ${l}\n`);
    }
    const metricsURL = `http://127.0.0.1:${metricsPort}/metrics`;
    const summary = await readSummary(metricsURL, { budgets: budgets.budgets, serviceName });
    print(summary, metricsURL, parsed.json);
    if (summary.rows.length === 0) {
      process.stderr.write('tokenomics demo: the endpoint exported no spend\n');
      await stop();
      return 1;
    }
    if (parsed.keepRunning) {
      process.stdout.write(`\nRunning: scrape ${metricsURL} (Ctrl-C stops).\n`);
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
        child.once('exit', done);
      });
    }
    await stop();
    return 0;
  } catch (err) {
    process.stderr.write(`tokenomics demo: ${(err as Error).message}\n`);
    await stop();
    return 1;
  }
}

/**
 * The summary of the endpoint's metrics once every billed call has its reconciliation point (the
 * token worker counts the estimates just after the calls end), or as it is after 10 s.
 */
async function readSummary(metricsURL: string, options: SpendOptions): Promise<SpendSummary> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const summary = summariseSpend(parsePrometheusText(await (await fetch(metricsURL)).text()), options);
    const reconciled = summary.reconciliation.reduce((n, r) => n + r.calls, 0);
    const billed = summary.calls - summary.failedCalls;
    if (reconciled >= billed || Date.now() > deadline || process.env.TOKENOMICS_RECONCILE_SAMPLE !== undefined) return summary;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function print(summary: SpendSummary, source: string, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ source, ...summary }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`\nSpend read back from ${source}:\n\n${renderSpendTable(summary)}\n`);
}

function findExampleApp(): string | undefined {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'examples', 'openai-cjs', 'app.js');
    if (existsSync(candidate)) return resolve(candidate);
  }
  return undefined;
}

function waitForLine(child: ChildProcess, marker: string, timeoutMs: number): Promise<string[]> {
  return new Promise((resolveLines, reject) => {
    const lines: string[] = [];
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`the example service did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (data: string) => {
      buffered += data;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line === marker) {
          clearTimeout(timer);
          resolveLines(lines);
          return;
        }
        lines.push(line);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the example service exited early (code ${code}, signal ${signal})`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

function isFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}
