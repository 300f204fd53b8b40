import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { startEmulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadDashboard, panelQueries, substituteVariables } from './support/dashboard';
import { CallFigures, diffVectors, divide, orZero, quantileBy, sumBy, type DriverCall } from './support/expectations';
import { freePort, Service, tools, waitFor } from './support/processes';
import { compressRules, CONFIG_DIR, PromClient, readYaml, RULE_FILES, sumOf, type Sample } from './support/prometheus';

const HERE = dirname(fileURLToPath(import.meta.url));
const TEST_DIR = resolve(HERE, '..');
const DRIVER = join(HERE, 'fixtures/workload-driver.cjs');
const REGISTER = '@tokenomics/node/register';
const SERVICE = 'stack-demo';
/** Every rule window, offset and Grafana interval becomes this many seconds. */
const W = 10;
const WINDOW = `${W}s`;
/** Test-only budget of the demo service, far below what one round of calls spends per hour. */
const TEST_BUDGET = 0.01;
const DURATION_BOUNDS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const CALLS_PER_ROUND = 6;
/** The normalisation copies of the "tokenomics" group, which the dashboards and derived rules read. */
const COPIES = 'tokenomics:[a-z_]+_(total|bucket|sum|count)';
/** Calls reconciled so far, on the hook's page: the counts of the reconciliation histogram. */
const RECONCILED = 'tokenomics_reconciliation_input_tokens_count';

/** Service, provider and model labels of a recorded series of the demo service. */
function spmOf(model: string): Record<string, string> {
  return { service_name: SERVICE, gen_ai_provider_name: 'openai', gen_ai_request_model: model };
}

/** `labels` cut to `keys`. */
function pick(labels: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => k in labels).map((k) => [k, labels[k]]));
}

/** Equal within float rounding. */
function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-12 + 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

const noPrometheus = !tools.prometheus || !tools.alertmanager;
if (noPrometheus) {
  console.warn(
    'stack tests: live Prometheus/Alertmanager tests skipped: prometheus or prometheus-alertmanager not on PATH ' +
      '(apt-get install -y prometheus prometheus-alertmanager)',
  );
}

describe.skipIf(noPrometheus)('live stack: the hook scraped by a real Prometheus, alerts through a real Alertmanager', () => {
  let tmp: string;
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  let driver: Service;
  let prometheus: Service;
  let alertmanager: Service;
  let proxy: Server;
  let webhook: Server;
  const webhookBodies: any[] = [];
  let prom: PromClient;
  let hookPort: number;
  /** While a round of calls runs, scrapes get the page from before it, so no scrape sees half a round. */
  let frozenPage: string | undefined;
  const driverLines: string[] = [];
  const lineWaiters: ((line: string) => void)[] = [];

  const context = () =>
    [driver, prometheus, alertmanager]
      .filter(Boolean)
      .map((s) => s.tail(15))
      .join('\n');

  async function hookPage(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${hookPort}/metrics`)).text();
  }

  function nextLine(): Promise<string> {
    const queued = driverLines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((r) => lineWaiters.push(r));
  }

  /**
   * One round of the driver's calls, invisible to Prometheus until it is complete: until the
   * driver has answered and the hook's page holds the reconciliation of every answered call (the
   * local count runs in the token worker after the call, later still on a loaded machine).
   */
  async function round(): Promise<DriverCall[]> {
    frozenPage = await hookPage();
    const before = sumOf(frozenPage, RECONCILED);
    driver.child.stdin!.write('run\n');
    const line = await Promise.race([
      nextLine(),
      new Promise<string>((_, rej) => setTimeout(() => rej(new Error(`driver did not answer\n${context()}`)), 20_000)),
    ]);
    const calls = (JSON.parse(line) as { calls: DriverCall[] }).calls;
    const answered = calls.filter((c) => !c.error).length;
    await waitFor('the reconciliation of the round', async () => sumOf(await hookPage(), RECONCILED) >= before + answered, 90_000, context);
    frozenPage = undefined;
    return calls;
  }

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'tokenomics-stack-'));
    emulator = await startEmulator({ port: 0 });
    const [proxyPort, promPort, amPort, webhookPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    hookPort = await freePort();

    // The instrumented service: the driver under the hook, serving /metrics on hookPort.
    driver = new Service('driver', process.execPath, ['--require', REGISTER, DRIVER], {
      cwd: TEST_DIR,
      env: {
        ...process.env,
        OPENAI_BASE_URL: `${emulator.url}/v1`,
        OPENAI_API_KEY: 'emulated',
        OTEL_SERVICE_NAME: SERVICE,
        OTEL_METRICS_EXPORTER: 'prometheus',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(hookPort),
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
        // every call with billed input is also estimated locally, for the reconciliation histogram
        TOKENOMICS_RECONCILE_SAMPLE: '1',
      },
    });
    createInterface({ input: driver.child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const w = lineWaiters.shift();
      if (w) w(line);
      else driverLines.push(line);
    });
    const ready = await waitFor(
      'the driver to start',
      async () => (driver.exit ? 'exited' : driverLines.length ? nextLine() : undefined),
      20_000,
      context,
    );
    expect(ready, context()).toContain('"ready":true');
    await waitFor('the hook endpoint', async () => (await fetch(`http://127.0.0.1:${hookPort}/metrics`)).ok, 10_000, context);

    // Pass-through of the hook's page (byte for byte), holding the previous page during a round.
    proxy = createServer(async (_req, res) => {
      try {
        const body = frozenPage ?? (await hookPage());
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
      } catch (err) {
        res.writeHead(502).end(String(err));
      }
    }).listen(proxyPort, '127.0.0.1');

    webhook = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        webhookBodies.push({ path: req.url, body: JSON.parse(body) });
        res.writeHead(200).end();
      });
    }).listen(webhookPort, '127.0.0.1');

    // Prometheus: the shipped rules, time-compressed; a test-only budget file in the documented pattern.
    const files: string[] = [];
    for (const f of RULE_FILES) {
      writeFileSync(join(tmp, f), compressRules(f, WINDOW));
      files.push(join(tmp, f));
    }
    writeFileSync(
      join(tmp, 'budgets.test.yml'),
      stringify({
        groups: [
          {
            name: 'budgets-test',
            rules: [{ record: 'tokenomics_budget_usd_per_hour', expr: `vector(${TEST_BUDGET})`, labels: { service_name: SERVICE } }],
          },
        ],
      }),
    );
    files.push(join(tmp, 'budgets.test.yml'));
    writeFileSync(
      join(tmp, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
        rule_files: files,
        alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
        scrape_configs: [{ job_name: 'stack-demo-hook', static_configs: [{ targets: [`127.0.0.1:${proxyPort}`] }] }],
      }),
    );
    prometheus = new Service('prometheus', tools.prometheus!, [
      `--config.file=${join(tmp, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(tmp, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--log.level=warn',
    ]);

    // Alertmanager: the shipped config, with the example webhook pointed at the test's receiver.
    const am = readYaml<any>(join(CONFIG_DIR, 'alertmanager/alertmanager.yml'));
    am.receivers[0].webhook_configs[0].url = `http://127.0.0.1:${webhookPort}/tokenomics`;
    writeFileSync(join(tmp, 'alertmanager.yml'), stringify(am));
    alertmanager = new Service('alertmanager', tools.alertmanager!, [
      `--config.file=${join(tmp, 'alertmanager.yml')}`,
      `--storage.path=${join(tmp, 'am')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ]);

    prom = new PromClient(`http://127.0.0.1:${promPort}`);
    await waitFor(
      'Prometheus to be ready',
      async () => (prometheus.exit ? 'exited' : (await fetch(`${prom.base}/-/ready`)).ok),
      20_000,
      context,
    );
    expect(prometheus.exit, context()).toBeUndefined();
    await waitFor('Alertmanager to be ready', async () => (await fetch(`http://127.0.0.1:${amPort}/-/ready`)).ok, 20_000, context);
  }, 60_000);

  afterAll(async () => {
    spending = false;
    await spender.catch(() => undefined);
    driver?.child.stdin?.write('exit\n');
    await Promise.all([driver?.stop(), prometheus?.stop(), alertmanager?.stop()]);
    await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
    await new Promise<void>((r) => (webhook ? webhook.close(() => r()) : r()));
    await emulator?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  let figures: CallFigures;
  /** Evaluation time: window [T - W, T] spans exactly the second round of calls. */
  let T: number;

  /** Rounds every few seconds from T on, so the budget alert keeps firing. */
  let spending = false;
  let spender: Promise<void> = Promise.resolve();
  function startSpending(): void {
    spending = true;
    spender = (async () => {
      while (spending) {
        await round();
        await new Promise((r) => setTimeout(r, 3000));
      }
    })();
  }

  it('scrapes two rounds of calls and every rule evaluates without error', async () => {
    const ref = `tokenomics:operation_duration_seconds_count{gen_ai_request_model="gpt-4o"}`;
    await round();
    await waitFor(
      'the first round in the recorded series',
      async () => {
        const v = await prom.query(`sum(tokenomics:operation_duration_seconds_count{service_name="${SERVICE}"})`);
        return v.length === 1 && v[0].value === CALLS_PER_ROUND;
      },
      15_000,
      context,
    );
    // The window [T - W, T] must hold the second round only: leave the first round alone for a
    // while, and start the next rounds a few seconds after the second.
    await new Promise((r) => setTimeout(r, 6000));
    const calls = await round();
    expect(calls.map((c) => c.model)).toEqual(['gpt-4o-mini', 'gpt-4o', 'gpt-4o-mini', 'o3-mini', 'gpt-4o-mini', 'gpt-9-preview']);
    figures = new CallFigures(SERVICE, calls);

    // T: an evaluation at which the reference copy shows both rounds while T - W showed only the
    // first, and at which every normalisation copy has a sample at both ends of [T - W, T]. A copy
    // can miss one evaluation on a loaded machine (a scrape that failed or landed during the
    // group's evaluation); increase() and rate() over a window without its end sample
    // extrapolate, so such an evaluation is passed over for the next one.
    T = await waitFor(
      'an evaluation W after the last first-round one, with every copy sampled at both ends',
      async () => {
        const [series] = await prom.samples(`${ref}[60s]`);
        if (!series) return undefined;
        const at = new Map(series.values.map(([t, v]) => [Math.round(t * 1000), v]));
        const firsts = [...at].filter(([, v]) => v === 1).map(([t]) => t);
        const candidates = firsts.map((a) => a + W * 1000).filter((b) => at.get(b) === 2);
        if (!candidates.length) return undefined;
        const copies = (await prom.samples(`{__name__=~"${COPIES}"}[60s]`)).map(
          (c) => new Set(c.values.map(([t]) => Math.round(t * 1000))),
        );
        const t = candidates.find((b) =>
          copies.every((times) => {
            const inWindow = [...times].some((x) => x >= b - W * 1000 && x <= b);
            return !inWindow || (times.has(b - W * 1000) && times.has(b));
          }),
        );
        return t === undefined ? undefined : t / 1000;
      },
      2 * W * 1000 + 10_000,
      context,
      250,
    );
    // Further rounds keep the budget alert firing; they start after T so that the window
    // [T - W, T] holds the second round only, however long finding T took.
    startSpending();
    // let the budget and slow groups evaluate past T
    await new Promise((r) => setTimeout(r, 1500));

    const groups = await prom.rules();
    expect(groups.map((g) => g.name).sort()).toEqual([
      'budgets-test',
      'tokenomics',
      'tokenomics-alerts',
      'tokenomics-budget-burn',
      'tokenomics-budgets',
      'tokenomics-month',
      'tokenomics-slow',
    ]);
    for (const g of groups) {
      for (const r of g.rules)
        expect({ rule: r.name, health: r.health, error: r.lastError ?? '' }).toEqual({ rule: r.name, health: 'ok', error: '' });
    }
    const [target] = await prom.targets();
    expect(target.health, target.lastError).toBe('up');
  }, 180_000);

  it('every recording rule returns the figures of the calls made, priced with the price book', async () => {
    expect(T, 'previous test set T').toBeDefined();
    const f = figures;
    const rate = 1 / W;
    const perHour = 3600 / W;
    const SPM = ['service_name', 'gen_ai_provider_name', 'gen_ai_request_model'];
    const callsByModel = sumBy(f.calls, SPM, rate);
    const inputs = sumBy(f.tokens, SPM, rate, (l) => /^(input|cache_read|cache_write.*)$/.test(l.tokenomics_token_type));
    const cacheReads = sumBy(f.tokens, SPM, rate, (l) => l.tokenomics_token_type === 'cache_read');
    const inputPrice = divide(
      sumBy(f.cost, SPM, rate, (l) => l.tokenomics_token_type === 'input'),
      sumBy(f.tokens, SPM, rate, (l) => l.tokenomics_token_type === 'input'),
    );
    const cacheCost = sumBy(f.cost, SPM, rate, (l) => l.tokenomics_token_type === 'cache_read');
    const savings = cacheReads.flatMap((s) => {
      const p = inputPrice.find((x) => JSON.stringify(x.labels) === JSON.stringify(s.labels));
      const c = cacheCost.find((x) => JSON.stringify(x.labels) === JSON.stringify(s.labels));
      return p && c ? [{ labels: s.labels, value: 3600 * (s.value * p.value - c.value) }] : [];
    });
    const byService = sumBy(f.cost, ['service_name'], perHour);
    const byTenant = sumBy(f.cost, ['tokenomics_attribution_tenant'], perHour);
    const rounds = (items: { labels: Record<string, string>; value: number }[], by: string[]) => sumBy(items, by);

    // Normalisation copies: the increase over the window is the second round; every series has the service.
    const copies: Record<string, [string, Sample[]]> = {
      'tokenomics:cost_usd_total': [
        'gen_ai_request_model, tokenomics_token_type, tokenomics_attribution_tenant, service_name',
        rounds(f.cost, ['gen_ai_request_model', 'tokenomics_token_type', 'tokenomics_attribution_tenant', 'service_name']),
      ],
      'tokenomics:tokens_total': [
        'gen_ai_request_model, tokenomics_token_type, tokenomics_attribution_tenant, service_name',
        rounds(f.tokens, ['gen_ai_request_model', 'tokenomics_token_type', 'tokenomics_attribution_tenant', 'service_name']),
      ],
      'tokenomics:calls_unpriced_total': [
        'gen_ai_request_model, tokenomics_unpriced_reason, service_name',
        rounds(f.unpriced, ['gen_ai_request_model', 'tokenomics_unpriced_reason', 'service_name']),
      ],
      'tokenomics:calls_estimated_total': ['service_name', []],
      'tokenomics:operation_duration_seconds_count': [
        'gen_ai_request_model, error_type, service_name',
        rounds(f.calls, ['gen_ai_request_model', 'error_type', 'service_name']),
      ],
      'tokenomics:operation_duration_seconds_bucket': ['gen_ai_request_model, service_name', []],
      'tokenomics:operation_duration_seconds_sum': ['service_name', []],
      'tokenomics:time_to_first_chunk_seconds_count': [
        'gen_ai_request_model, service_name',
        rounds(f.firstChunk, ['gen_ai_request_model', 'service_name']),
      ],
      'tokenomics:time_to_first_chunk_seconds_bucket': ['gen_ai_request_model, service_name', []],
      'tokenomics:time_to_first_chunk_seconds_sum': ['service_name', []],
      // token usage histogram: one input and one output observation per call with usage
      'tokenomics:token_usage_count': [
        'gen_ai_request_model, gen_ai_token_type, service_name',
        sumBy(
          f.calls
            .filter((c) => !c.labels.error_type)
            .flatMap((c) => ['input', 'output'].map((t) => ({ labels: { ...c.labels, gen_ai_token_type: t }, value: 1 }))),
          ['gen_ai_request_model', 'gen_ai_token_type', 'service_name'],
        ),
      ],
      'tokenomics:token_usage_sum': ['gen_ai_token_type, service_name', []],
      'tokenomics:token_usage_bucket': ['service_name', []],
      // per-call cache savings: the gpt-4o call's cache reads at (input - cache read) rate
      'tokenomics:cache_savings_usd_total': [
        'gen_ai_request_model, service_name',
        savings.map((x) => ({
          labels: { gen_ai_request_model: x.labels.gen_ai_request_model, service_name: x.labels.service_name },
          value: (x.value * W) / 3600,
        })),
      ],
      'tokenomics:cache_write_premium_usd_total': ['service_name', []],
      // the 429 answer names the requests limit (x-ratelimit-remaining-requests: 0)
      'tokenomics:quota_rate_limited_total': [
        'gen_ai_request_model, tokenomics_quota_limit_type, service_name',
        [{ labels: { gen_ai_request_model: 'gpt-4o-mini', tokenomics_quota_limit_type: 'requests', service_name: SERVICE }, value: 1 }],
      ],
      // one reconciled estimate per priced call with billed input
      'tokenomics:reconciliation_input_tokens_ratio_count': [
        'gen_ai_request_model, service_name',
        sumBy(
          f.calls.filter((c) => !c.labels.error_type),
          ['gen_ai_request_model', 'service_name'],
        ),
      ],
      'tokenomics:reconciliation_input_tokens_ratio_sum': ['service_name', []],
      'tokenomics:reconciliation_input_tokens_ratio_bucket': ['service_name', []],
    };
    // Rate-limit gauges: the emulator's OpenAI headers (10,000 requests / 30,000,000 tokens a
    // window, one request and 1,000 tokens used); gpt-4o-mini's last answer of a round is the 429
    // with x-ratelimit-remaining-requests 0.
    const models = ['gpt-4o', 'gpt-4o-mini', 'gpt-9-preview', 'o3-mini'];
    const quota = (which: 'remaining' | 'limit') =>
      models.flatMap((m) => [
        {
          labels: { service_name: SERVICE, gen_ai_request_model: m, tokenomics_quota_limit_type: 'requests' },
          value: which === 'limit' ? 10000 : m === 'gpt-4o-mini' ? 0 : 9999,
        },
        {
          labels: { service_name: SERVICE, gen_ai_request_model: m, tokenomics_quota_limit_type: 'tokens' },
          value: which === 'limit' ? 30000000 : 29999000,
        },
      ]);
    const gauges: Record<string, Sample[]> = {
      'tokenomics:quota_remaining': quota('remaining'),
      'tokenomics:quota_limit': quota('limit'),
    };
    const headroom = quota('remaining').map((r) => ({
      labels: { ...r.labels, gen_ai_provider_name: 'openai' },
      value: r.value / (r.labels.tokenomics_quota_limit_type === 'requests' ? 10000 : 30000000),
    }));
    // Month to date: both rounds, or only the first when the month group evaluated just before
    // the copy of the second round was written (the groups run concurrently).
    const perRound = (by: string) => sumBy(f.cost, [by]);
    // Hours left in the month at a time (seconds): the rule's own arithmetic, by the minute.
    const hoursLeftAt = (seconds: number) => {
      const at = new Date(seconds * 1000);
      const daysInMonth = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 0)).getUTCDate();
      return daysInMonth * 24 - (at.getUTCDate() - 1) * 24 - at.getUTCHours() - at.getUTCMinutes() / 60;
    };
    // Bucket copies: the second round falls where the emulator's delays put it.
    const le = (items: typeof f.calls, bound: number) =>
      sumBy(
        items.filter((c) => c.le <= bound),
        ['gen_ai_request_model', 'service_name'],
      );
    const durationLe064 = le(f.calls, 0.64);
    const ttfcLe128 = le(f.firstChunk as typeof f.calls, 1.28);

    const expected: Record<string, Sample[]> = {
      'tokenomics:spend_usd_per_hour:rate5m': sumBy(f.cost, [...SPM, 'tokenomics_attribution_tenant'], perHour),
      'tokenomics:tokens_per_second:rate5m': sumBy(f.tokens, [...SPM, 'tokenomics_token_type'], rate),
      'tokenomics:cache_hit_ratio:rate5m': divide(orZero(cacheReads, inputs), inputs),
      'tokenomics:cache_savings_usd_per_hour:rate5m': savings,
      'tokenomics:calls_per_second:rate5m': sumBy(f.calls, [...SPM, 'error_type'], rate),
      'tokenomics:cost_per_request_usd:rate5m': divide(sumBy(f.cost, SPM, rate), callsByModel),
      'tokenomics:error_ratio:rate5m': divide(
        orZero(
          sumBy(f.calls, SPM, rate, (l) => l.error_type !== ''),
          callsByModel,
        ),
        callsByModel,
      ),
      'tokenomics:calls_unpriced_per_second:rate5m': sumBy(f.unpriced, [...SPM, 'tokenomics_unpriced_reason'], rate),
      'tokenomics:estimated_share:ratio_rate5m': orZero(sumBy(f.estimated, SPM, rate), callsByModel).map((s) => ({ ...s, value: 0 })),
      'tokenomics:operation_duration_seconds:p95_rate5m': quantileBy(0.95, f.calls, SPM, DURATION_BOUNDS),
      'tokenomics:time_to_first_chunk_seconds:p95_rate5m': quantileBy(0.95, f.firstChunk, SPM, DURATION_BOUNDS),
      ...Object.fromEntries(
        ['rate5m', 'rate30m', 'rate1h', 'rate6h'].flatMap((w) => [
          [`tokenomics:spend_usd_per_hour:by_service:${w}`, byService],
          [`tokenomics:spend_usd_per_hour:by_tenant:${w}`, byTenant],
        ]),
      ),
      tokenomics_budget_usd_per_hour: [
        { labels: { tokenomics_budget_source: 'shipped_default' }, value: 5 },
        { labels: { service_name: SERVICE }, value: TEST_BUDGET },
        // generated from budgets.example.yml: per hour, 120 / 24, 20000 / 720, 1000 / 720 and 2
        ...[
          { name: 'service-daily', action: 'warn', match: {}, value: 5 },
          { name: 'reports-monthly', action: 'warn', match: { service_name: 'reports' }, value: 20000 / 720 },
          { name: 'umbrella-monthly', action: 'reject', match: { tokenomics_attribution_tenant: 'umbrella' }, value: 1000 / 720 },
          {
            name: 'summarise-gpt-4o',
            action: 'reject',
            match: { tokenomics_attribution_feature: 'summarise', gen_ai_request_model: 'gpt-4o' },
            value: 2,
          },
        ].map((b) => ({
          labels: {
            tokenomics_budget_source: 'budgets_file',
            tokenomics_budget_name: b.name,
            tokenomics_budget_action: b.action,
            ...b.match,
          },
          value: b.value,
        })),
      ],
      // the calls made carry no feature summarise: no spend for that budget
      ...Object.fromEntries(['rate5m', 'rate30m', 'rate1h', 'rate6h'].map((w) => [`tokenomics:budget_spend_usd_per_hour:${w}`, []])),
      'tokenomics:budget_usd_per_hour:default': [{ labels: {}, value: 5 }],
      'tokenomics:budget_usd_per_hour:by_service': [{ labels: { service_name: SERVICE }, value: TEST_BUDGET }],
      'tokenomics:budget_usd_per_hour:by_tenant': [],
      'tokenomics:cache_savings_net_usd_per_hour:rate5m': savings,
      'tokenomics:quota_headroom:ratio': headroom,
      'tokenomics:quota_rate_limited_per_second:rate5m': [
        { labels: { ...spmOf('gpt-4o-mini'), tokenomics_quota_limit_type: 'requests' }, value: rate },
      ],
      'tokenomics:conversation_turn_input_tokens:avg_rate1h': [],
      'tokenomics:conversation_turn_input_tokens_bucket': [],
      'tokenomics:conversation_turn_input_tokens_sum': [],
      'tokenomics:conversation_turn_input_tokens_count': [],
      'tokenomics:reconciliation_cost:ratio_avg_rate1h': [],
      'tokenomics:reconciliation_cost_ratio_bucket': [],
      'tokenomics:reconciliation_cost_ratio_sum': [],
      'tokenomics:reconciliation_cost_ratio_count': [],
      'tokenomics:month_hours_left': [{ labels: {}, value: hoursLeftAt(T) }],
    };
    // Figures that depend on when each group ran: checked for their series and a plausible value.
    const plausible: Record<string, [Sample[], (v: number, labels: Record<string, string>) => boolean]> = {
      'tokenomics:spend_usd:by_service:increase': [perRound('service_name'), (v) => v >= 0],
      'tokenomics:spend_usd:by_tenant:increase': [perRound('tokenomics_attribution_tenant'), (v) => v >= 0],
      'tokenomics:cost_usd_total:month_snapshot': [[], () => true],
      'tokenomics:cost_usd_total:month_seen': [[], () => true],
      // local estimate / billed input of each model: near 1 (the emulator bills with tiktoken too)
      'tokenomics:reconciliation_input_tokens:ratio_avg_rate1h': [
        ['gpt-4o', 'gpt-4o-mini', 'gpt-9-preview', 'o3-mini'].map((m) => ({
          labels: { ...spmOf(m), tokenomics_token_encoding: 'o200k_base' },
          value: 1,
        })),
        (v) => v > 0.5 && v < 2,
      ],
    };
    for (const [name, by] of [
      ['tokenomics:spend_usd:by_service:month_to_date', 'service_name'],
      ['tokenomics:spend_usd:by_tenant:month_to_date', 'tokenomics_attribution_tenant'],
    ] as const) {
      const one = perRound(by);
      plausible[name] = [one, (v, labels) => [1, 2].some((k) => close(v, k * one.find((x) => x.labels[by] === labels[by])!.value))];
    }
    for (const [name, by] of [
      ['tokenomics:spend_usd:by_service:month_projected', 'service_name'],
      ['tokenomics:spend_usd:by_tenant:month_projected', 'tokenomics_attribution_tenant'],
    ] as const) {
      // month to date + spend per hour of the (compressed) last 6 hours x hours left: at least one round
      const one = perRound(by);
      plausible[name] = [one, (v, labels) => v >= one.find((x) => x.labels[by] === labels[by])!.value * (1 - 1e-9)];
    }

    const recorded = (await prom.rules()).flatMap((g: any) =>
      g.rules.filter((r: any) => r.type === 'recording').map((r: any) => r.name as string),
    );
    const failures: string[] = [];
    const checked = new Set<string>();
    for (const name of new Set(recorded)) {
      let got: Sample[];
      let want: Sample[];
      if (copies[name]) {
        const [by, items] = copies[name];
        // every copy carries the service; the raw series keep job/instance
        const unlabelled = await prom.query(`count(${name}{service_name!="${SERVICE}"}) or count(${name}{job=""})`, T);
        if (unlabelled.length) failures.push(`${name}: ${unlabelled[0].value} series without service_name/job`);
        if (name === 'tokenomics:operation_duration_seconds_bucket') {
          got = await prom.query(`sum by (${by}) (${name}{le="0.64"} - ${name}{le="0.64"} offset ${WINDOW})`, T);
          want = durationLe064;
        } else if (name === 'tokenomics:time_to_first_chunk_seconds_bucket') {
          got = await prom.query(`sum by (${by}) (${name}{le="1.28"} - ${name}{le="1.28"} offset ${WINDOW})`, T);
          want = ttfcLe128;
        } else if (/_(sum|bucket)$/.test(name)) {
          // sums of real durations and token counts: present for the service, values not predictable
          got = (await prom.query(`count by (${by}) (${name})`, T)).map((s) => ({ ...s, value: 1 }));
          want = [{ labels: { service_name: SERVICE }, value: 1 }];
          if (name === 'tokenomics:token_usage_sum')
            want = [
              { labels: { service_name: SERVICE, gen_ai_token_type: 'input' }, value: 1 },
              { labels: { service_name: SERVICE, gen_ai_token_type: 'output' }, value: 1 },
            ];
        } else {
          got = await prom.query(`sum by (${by}) (${name} - ${name} offset ${WINDOW})`, T);
          want = items;
        }
      } else if (gauges[name]) {
        got = await prom.query(`sum by (gen_ai_request_model, tokenomics_quota_limit_type, service_name) (${name})`, T);
        want = gauges[name];
      } else if (plausible[name]) {
        const [series, ok] = plausible[name];
        const raw = await prom.query(name, T);
        for (const x of raw) if (!ok(x.value, x.labels)) failures.push(`${name}: implausible ${JSON.stringify(x)}`);
        got = raw.map((x) => ({ labels: pick(x.labels, Object.keys(series[0]?.labels ?? {})), value: 1 }));
        want = series.map((x) => ({ labels: x.labels, value: 1 }));
        if (name === 'tokenomics:cost_usd_total:month_snapshot' || name === 'tokenomics:cost_usd_total:month_seen') {
          if (name.endsWith(':month_seen')) {
            // one evaluation of the month group writes both: the snapshot is exactly what it read
            const snapshot = 'tokenomics:cost_usd_total:month_snapshot';
            const unname = (v: Sample[]) => v.map((x) => ({ labels: { ...x.labels, __name__: '' }, value: x.value }));
            const diff = diffVectors(unname(raw), unname(await prom.query(snapshot, T)));
            if (diff) failures.push(`${name} against ${snapshot}:\n${diff}`);
          }
          got = raw.length ? [{ labels: {}, value: 1 }] : [];
          want = [{ labels: {}, value: 1 }];
        }
      } else if (name.endsWith(':avg3d') || name.endsWith(':avg7d')) {
        // average of the hourly-spend series over its window, at the slow group's own evaluation
        const [when] = await prom.query(`timestamp(${name})`, T);
        if (!when) {
          failures.push(`${name}: no sample`);
          continue;
        }
        // (the groups run concurrently: a source sample stamped just before the evaluation may have
        // been written just after it, so the average without it is accepted too)
        const source = name.replace(/:avg[37]d$/, ':rate1h');
        const raw = await prom.samples(`${source}[${WINDOW}]`, when.value);
        const mean = (cut: number) =>
          raw.map((s) => {
            const vs = s.values.filter(([t]) => t <= cut);
            return { labels: { ...s.labels, __name__: '' }, value: vs.reduce((a, [, v]) => a + v, 0) / vs.length };
          });
        got = await prom.query(name, when.value);
        if (!got.length) failures.push(`${name}: empty`);
        want = diffVectors(got, mean(when.value)) ? mean(when.value - 0.25) : mean(when.value);
      } else if (name === 'tokenomics:month_hours_left') {
        // At the rule's own evaluation, which can fall in the minute before T.
        const [when] = await prom.query(`timestamp(${name})`, T);
        got = await prom.query(name, T);
        want = when ? [{ labels: {}, value: hoursLeftAt(when.value) }] : (expected[name] ?? []);
      } else if (expected[name]) {
        got = await prom.query(name, T);
        want = expected[name];
      } else {
        failures.push(`${name}: no expectation in this test`);
        continue;
      }
      checked.add(name);
      const diff = diffVectors(got, want);
      if (diff) failures.push(`${name}:\n${diff}`);
    }
    expect(failures, failures.join('\n\n')).toEqual([]);
    for (const name of [...Object.keys(expected), ...Object.keys(copies)]) expect(checked.has(name), `${name} was not recorded`).toBe(true);
    expect(checked.size).toBe(72);
  });

  it('every dashboard query parses and returns the figures of the calls made', async () => {
    expect(T, 'first test set T').toBeDefined();
    const f = figures;
    const rate = 1 / W;
    const perHour = 3600 / W;
    const M = ['gen_ai_request_model'];
    const callsByModel = sumBy(f.calls, M, rate);
    const input = (l: Record<string, string>) => /^(input|cache_read|cache_write.*)$/.test(l.tokenomics_token_type);
    const spentByService = sumBy(f.cost, ['service_name'], perHour);
    const savings = (() => {
      const SPM = ['service_name', 'gen_ai_provider_name', 'gen_ai_request_model'];
      const reads = sumBy(f.tokens, SPM, rate, (l) => l.tokenomics_token_type === 'cache_read');
      const price = divide(
        sumBy(f.cost, SPM, rate, (l) => l.tokenomics_token_type === 'input'),
        sumBy(f.tokens, SPM, rate, (l) => l.tokenomics_token_type === 'input'),
      );
      const cost = sumBy(f.cost, SPM, rate, (l) => l.tokenomics_token_type === 'cache_read');
      return reads.map((s) => ({
        labels: { gen_ai_request_model: s.labels.gen_ai_request_model },
        value:
          3600 *
          (s.value * price.find((p) => p.labels.gen_ai_request_model === s.labels.gen_ai_request_model)!.value -
            cost.find((c) => c.labels.gen_ai_request_model === s.labels.gen_ai_request_model)!.value),
      }));
    })();
    const total = (items: { value: number }[]) => [{ labels: {}, value: items.reduce((a, i) => a + i.value, 0) }];

    const expected: Record<string, Sample[]> = {
      'Spend in range/A': total(f.cost),
      'Spend rate/A': total(f.cost).map((s) => ({ ...s, value: s.value * perHour })),
      'Calls in range/A': total(f.calls),
      'Unpriced calls in range/A': sumBy(f.unpriced, [
        'service_name',
        'gen_ai_provider_name',
        'gen_ai_request_model',
        'tokenomics_unpriced_reason',
      ]),
      'Spend by model/A': sumBy(f.cost, ['gen_ai_provider_name', 'gen_ai_request_model'], perHour),
      'Spend by service/A': spentByService,
      'Spend by tenant/A': sumBy(f.cost, ['tokenomics_attribution_tenant'], perHour),
      'Budget burn rate/A': spentByService.map((s) => ({ ...s, value: s.value / TEST_BUDGET })),
      'Top spenders in range/A': sumBy(f.cost, [
        'service_name',
        'tokenomics_attribution_tenant',
        'gen_ai_provider_name',
        'gen_ai_request_model',
      ]),
      'Tokens by type/A': sumBy(f.tokens, ['tokenomics_token_type'], rate),
      'Cache hit ratio/A': divide(
        sumBy(f.tokens, M, rate, (l) => l.tokenomics_token_type === 'cache_read'),
        sumBy(f.tokens, M, rate, input),
      ),
      'Cache savings/A': savings,
      'Cost per request/A': divide(sumBy(f.cost, M, rate), callsByModel),
      'Estimated usage share/A': [],
      'Call duration/A': quantileBy(0.5, f.calls, M, DURATION_BOUNDS),
      'Call duration/B': quantileBy(0.95, f.calls, M, DURATION_BOUNDS),
      'Time to first chunk/A': quantileBy(0.5, f.firstChunk, M, DURATION_BOUNDS),
      'Time to first chunk/B': quantileBy(0.95, f.firstChunk, M, DURATION_BOUNDS),
      'Calls by outcome/A': sumBy(f.calls, ['error_type'], rate),
      'Error ratio/A': divide(
        sumBy(f.calls, M, rate, (l) => l.error_type !== ''),
        callsByModel,
      ),
    };
    // Quotas, conversations, estimates, forecasts (the demo service has no conversation, no
    // tenant budget and no provider-reported cost).
    expected['Cache savings/B'] = savings;
    const limits: Record<string, number> = { requests: 10000, tokens: 30000000 };
    expected['Quota headroom/A'] = ['gpt-4o', 'gpt-4o-mini', 'gpt-9-preview', 'o3-mini'].flatMap((m) =>
      Object.entries(limits).map(([type, limit]) => ({
        labels: { service_name: SERVICE, gen_ai_provider_name: 'openai', gen_ai_request_model: m, tokenomics_quota_limit_type: type },
        value: (type === 'requests' ? (m === 'gpt-4o-mini' ? 0 : 9999) : 29999000) / limit,
      })),
    );
    expected['Calls refused by rate limits/A'] = [
      { labels: { gen_ai_request_model: 'gpt-4o-mini', tokenomics_quota_limit_type: 'requests' }, value: rate },
    ];
    expected['Conversation growth/A'] = [];
    expected['Estimates against bills/B'] = [];
    expected['Month-end spend forecast/C'] = [{ labels: { service_name: SERVICE }, value: 730 * TEST_BUDGET }];
    expected['Month-end forecast by tenant/C'] = [];
    // Figures that depend on when each group ran: their series are checked, and the values below.
    const byTenant = sumBy(f.cost, ['tokenomics_attribution_tenant']);
    const present: Record<string, [Sample[], (v: number) => boolean]> = {
      'Month-end spend forecast/A': [[{ labels: { service_name: SERVICE }, value: 1 }], (v) => v > 0],
      'Month-end spend forecast/B': [[{ labels: { service_name: SERVICE }, value: 1 }], (v) => v > 0],
      'Month-end forecast by tenant/A': [byTenant, (v) => v > 0],
      'Month-end forecast by tenant/B': [byTenant, (v) => v > 0],
      'Estimates against bills/A': [
        ['gpt-4o', 'gpt-4o-mini', 'gpt-9-preview', 'o3-mini'].map((m) => ({
          labels: { ...spmOf(m), tokenomics_token_encoding: 'o200k_base' },
          value: 1,
        })),
        (v) => v > 0.5 && v < 2,
      ],
    };
    for (const [k, [series]] of Object.entries(present)) expected[k] = series.map((x) => ({ ...x, value: 1 }));

    // The stat "Unpriced calls in range" sums them; the table splits them.
    expected['Unpriced calls in range/A'] = total(f.unpriced);
    expected['Unpriced calls in range (table)/A'] = sumBy(f.unpriced, [
      'service_name',
      'gen_ai_provider_name',
      'gen_ai_request_model',
      'tokenomics_unpriced_reason',
    ]);

    const dash = loadDashboard();
    const variables = dash.templating.list.map((v) => v.name);
    const queries = panelQueries(dash);
    expect(queries).toHaveLength(33);
    const failures: string[] = [];
    const seen = new Set<string>();
    for (const q of queries) {
      const k = seen.has(q.key) ? q.key.replace('/', ' (table)/') : q.key;
      seen.add(k);
      const expr = substituteVariables(q.target.expr, WINDOW, variables);
      let got: Sample[];
      try {
        got = await prom.query(expr, T);
      } catch (err) {
        failures.push(`${k}: ${(err as Error).message}`);
        continue;
      }
      if (!(k in expected)) {
        failures.push(`${k}: no expectation in this test`);
        continue;
      }
      if (present[k]) {
        for (const x of got) if (!present[k][1](x.value)) failures.push(`${k}: implausible ${JSON.stringify(x)}`);
        got = got.map((x) => ({ labels: pick(x.labels, Object.keys(expected[k][0]?.labels ?? {})), value: 1 }));
      }
      const diff = diffVectors(got, expected[k]);
      if (diff) failures.push(`${k} (${expr}):\n${diff}`);
    }
    expect(failures, failures.join('\n\n')).toEqual([]);
    expect([...seen].sort()).toEqual(Object.keys(expected).sort());

    // Variables: label_values(<selector>, <label>) as Grafana resolves them.
    const values: Record<string, string[]> = {};
    for (const v of dash.templating.list.filter((x) => x.type === 'query')) {
      const m = /^label_values\((.+),\s*(\w+)\)$/.exec((v.query as { query: string }).query)!;
      values[v.name] = await prom.labelValues(m[2], substituteVariables(m[1], WINDOW, variables));
    }
    expect(values).toEqual({
      service: [SERVICE],
      provider: ['openai'],
      model: ['gpt-4o', 'gpt-4o-mini', 'gpt-9-preview', 'o3-mini'],
    });
  });

  it('a spend burn over a test-only budget reaches the webhook through Alertmanager with its labels and annotations', async () => {
    // The rounds started after the second keep the alert firing through Alertmanager's group_wait
    // (10 s for critical alerts).
    let firing: { body: any; alert: any };
    try {
      firing = await waitFor(
        'the budget alert at the webhook',
        () => {
          for (const { body } of webhookBodies) {
            const a = body.alerts.find((x: any) => x.labels.alertname === 'TokenomicsSpendBudgetBurnFast' && x.status === 'firing');
            if (a) return { body, alert: a };
          }
          return undefined;
        },
        40_000,
        () => context() + `\nwebhook: ${JSON.stringify(webhookBodies).slice(0, 2000)}`,
        250,
      );
    } finally {
      spending = false;
      await spender;
    }
    const { body, alert } = firing;
    expect(body.receiver).toBe('tokenomics-webhook');
    expect(body.status).toBe('firing');
    expect(body.groupLabels).toEqual({ alertname: 'TokenomicsSpendBudgetBurnFast', service_name: SERVICE });
    expect(alert.labels).toEqual({ alertname: 'TokenomicsSpendBudgetBurnFast', service_name: SERVICE, severity: 'critical' });
    expect(Object.keys(alert.annotations).sort()).toEqual(['description', 'runbook', 'summary']);
    const m = /^LLM spend of stack-demo is ([\d.]+)x its budget$/.exec(alert.annotations.summary);
    expect(m, alert.annotations.summary).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(14.4);
    const d =
      /^stack-demo spent ([\d.]+) USD\/h over the last hour and ([\d.]+) USD\/h over six hours, against a budget of 0\.01 USD\/h\. A 30-day budget lasts 30 days \/ ([\d.]+) at this pace\.$/.exec(
        alert.annotations.description,
      );
    expect(d, alert.annotations.description).not.toBeNull();
    // figures in the text agree with each other: burn = spend / budget
    expect(Number(d![3])).toBeCloseTo(Number(d![1]) / TEST_BUDGET, -1);
    expect(Number(d![1])).toBeGreaterThan(0);
    expect(Number(d![1])).toBeGreaterThan(14.4 * TEST_BUDGET);
    expect(alert.annotations.runbook).toContain(`tokenomics_budget_usd_per_hour{service_name="${SERVICE}"}`);
    expect(alert.generatorURL).toContain('/graph?g0.expr=');
  }, 60_000);
});
