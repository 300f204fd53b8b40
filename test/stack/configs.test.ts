import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allPanels, loadDashboard, panelQueries } from './support/dashboard';
import { run, tools } from './support/processes';
import { CONFIG_DIR, RULE_FILES, RULES_DIR, RULE_TESTS_DIR, readYaml } from './support/prometheus';

const RULE_TEST_FILES = [
  'tokenomics-rules.test.yml',
  'tokenomics-alerts.test.yml',
  'tokenomics-alerts-long.test.yml',
  'tokenomics-governance.test.yml',
  'tokenomics-budgets.test.yml',
  'tokenomics-month.test.yml',
];
const PROVISIONED_UID = 'tokenomics-prometheus';

const noPromtool = !tools.promtool;
if (noPromtool) console.warn('stack tests: promtool not found on PATH (Debian package "prometheus"); promtool checks skipped');
const noAmtool = !tools.amtool;
if (noAmtool)
  console.warn('stack tests: amtool not found on PATH (Debian package "prometheus-alertmanager"); Alertmanager config check skipped');

interface RuleGroupFile {
  groups: {
    name: string;
    rules: { record?: string; alert?: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }[];
  }[];
}
const rules = (file: string) => readYaml<RuleGroupFile>(join(RULES_DIR, file)).groups.flatMap((g) => g.rules);
const recordedNames = new Set(RULE_FILES.flatMap((f) => rules(f)).flatMap((r) => (r.record ? [r.record] : [])));
const alertRules = rules('tokenomics-alerts.rules.yml').filter((r) => r.alert);

describe('Prometheus configuration passes promtool', () => {
  it.skipIf(noPromtool)('promtool check config accepts prometheus.yml and the rule files it loads', async () => {
    const r = await run(tools.promtool!, ['check', 'config', join(CONFIG_DIR, 'prometheus/prometheus.yml')]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS: 64 rules found');
    expect(r.stdout).toContain('SUCCESS: 13 rules found');
  });

  it.skipIf(noPromtool)('promtool check rules accepts every rule file', async () => {
    const files = RULE_FILES.map((f) => join(RULES_DIR, f));
    const r = await run(tools.promtool!, ['check', 'rules', ...files]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.match(/SUCCESS: (\d+) rules found/g)).toEqual([
      'SUCCESS: 64 rules found',
      'SUCCESS: 13 rules found',
      'SUCCESS: 13 rules found',
    ]);
  });

  it.skipIf(noPromtool)('promtool test rules passes every unit test file', { timeout: 120_000 }, async () => {
    // one after the other: the live stack tests run beside this file and are timing-sensitive
    const results = [];
    for (const f of RULE_TEST_FILES) results.push(await run(tools.promtool!, ['test', 'rules', f], { cwd: RULE_TESTS_DIR }));
    for (const [i, r] of results.entries()) {
      expect(r.code, `${RULE_TEST_FILES[i]}:\n${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout + r.stderr).toContain('SUCCESS');
    }
  });
});

describe('promtool unit tests cover every alert', () => {
  interface AlertCase {
    alertname: string;
    eval_time: string;
    exp_alerts?: { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[];
  }
  const cases: AlertCase[] = RULE_TEST_FILES.flatMap((f) =>
    readYaml<{ tests: { alert_rule_test?: AlertCase[] }[] }>(join(RULE_TESTS_DIR, f)).tests.flatMap((t) => t.alert_rule_test ?? []),
  );

  it('has thirteen alerts, each with a firing case and a silent case', () => {
    expect(alertRules.map((r) => r.alert).sort()).toEqual([
      'TokenomicsEstimatedUsageHigh',
      'TokenomicsLLMErrorRateHigh',
      'TokenomicsLatencyHigh',
      'TokenomicsQuotaHeadroomLow',
      'TokenomicsSpendBudgetBurnFast',
      'TokenomicsSpendBudgetBurnSlow',
      'TokenomicsSpendForecastOverBudget',
      'TokenomicsSpendSpike',
      'TokenomicsTenantBudgetBurnFast',
      'TokenomicsTenantBudgetBurnSlow',
      'TokenomicsTenantSpendForecastOverBudget',
      'TokenomicsTimeToFirstChunkHigh',
      'TokenomicsUnpricedCalls',
    ]);
    for (const rule of alertRules) {
      const mine = cases.filter((c) => c.alertname === rule.alert);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${rule.alert} never fires in a test`,
      ).toBe(true);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${rule.alert} is never tested silent`,
      ).toBe(true);
    }
  });

  it('checks the exact summary, description and runbook of every firing alert', () => {
    for (const c of cases) {
      for (const a of c.exp_alerts ?? []) {
        expect(Object.keys(a.exp_annotations ?? {}).sort(), `${c.alertname} at ${c.eval_time}`).toEqual([
          'description',
          'runbook',
          'summary',
        ]);
        expect(a.exp_labels.severity, `${c.alertname} at ${c.eval_time}`).toMatch(/^(critical|warning|info)$/);
      }
    }
  });

  it('gives every alert a severity, a summary, a description with figures and a runbook', () => {
    for (const rule of alertRules) {
      expect(rule.labels?.severity, rule.alert).toMatch(/^(critical|warning|info)$/);
      expect(Object.keys(rule.annotations ?? {}).sort(), rule.alert).toEqual(['description', 'runbook', 'summary']);
      expect(rule.annotations!.description, rule.alert).toMatch(/\$value|query/);
    }
  });
});

describe('metric names through both routes', () => {
  // What the Collector's prometheus / prometheusremotewrite exporters call each instrument
  // (UnderscoreEscapingWithSuffixes): unit suffix from the OTel unit (s -> seconds, USD kept,
  // annotations in braces dropped), then _total for counters.
  const instruments = [
    { name: 'tokenomics.cost', unit: 'USD', kind: 'counter', hook: ['tokenomics_cost_total'], collector: ['tokenomics_cost_USD_total'] },
    {
      name: 'tokenomics.tokens',
      unit: '{token}',
      kind: 'counter',
      hook: ['tokenomics_tokens_total'],
      collector: ['tokenomics_tokens_total'],
    },
    {
      name: 'tokenomics.calls.unpriced',
      unit: '{call}',
      kind: 'counter',
      hook: ['tokenomics_calls_unpriced_total'],
      collector: ['tokenomics_calls_unpriced_total'],
    },
    {
      name: 'tokenomics.calls.estimated',
      unit: '{call}',
      kind: 'counter',
      hook: ['tokenomics_calls_estimated_total'],
      collector: ['tokenomics_calls_estimated_total'],
    },
    {
      name: 'tokenomics.cache.savings',
      unit: 'USD',
      kind: 'counter',
      hook: ['tokenomics_cache_savings_total'],
      collector: ['tokenomics_cache_savings_USD_total'],
    },
    {
      name: 'tokenomics.cache.write_premium',
      unit: 'USD',
      kind: 'counter',
      hook: ['tokenomics_cache_write_premium_total'],
      collector: ['tokenomics_cache_write_premium_USD_total'],
    },
    {
      name: 'tokenomics.quota.rate_limited',
      unit: '{call}',
      kind: 'counter',
      hook: ['tokenomics_quota_rate_limited_total'],
      collector: ['tokenomics_quota_rate_limited_total'],
    },
    ...(['bucket', 'sum', 'count'] as const).flatMap((part) => [
      {
        name: 'tokenomics.conversation.turn_input_tokens',
        unit: '{token}',
        kind: part,
        hook: [`tokenomics_conversation_turn_input_tokens_${part}`],
        collector: [`tokenomics_conversation_turn_input_tokens_${part}`],
      },
      {
        name: 'tokenomics.reconciliation.input_tokens',
        unit: '1',
        kind: part,
        hook: [`tokenomics_reconciliation_input_tokens_${part}`],
        collector: [`tokenomics_reconciliation_input_tokens_${part}`],
      },
      {
        name: 'tokenomics.reconciliation.cost',
        unit: '1',
        kind: part,
        hook: [`tokenomics_reconciliation_cost_${part}`],
        collector: [`tokenomics_reconciliation_cost_${part}`],
      },
    ]),
    ...(['bucket', 'sum', 'count'] as const).flatMap((part) => [
      {
        name: 'gen_ai.client.operation.duration',
        unit: 's',
        kind: part,
        hook: [`gen_ai_client_operation_duration_${part}`],
        collector: [`gen_ai_client_operation_duration_seconds_${part}`],
      },
      {
        name: 'gen_ai.client.operation.time_to_first_chunk',
        unit: 's',
        kind: part,
        hook: [`gen_ai_client_operation_time_to_first_chunk_${part}`],
        collector: [`gen_ai_client_operation_time_to_first_chunk_seconds_${part}`],
      },
      {
        name: 'gen_ai.client.token.usage',
        unit: '{token}',
        kind: part,
        hook: [`gen_ai_client_token_usage_${part}`],
        collector: [`gen_ai_client_token_usage_${part}`],
      },
    ]),
  ];
  const normalise = rules('tokenomics.rules.yml').filter((r) => r.record && /_(total|bucket|sum|count)$/.test(r.record));

  it('every instrument has a normalisation rule whose selector matches its name on both routes and nothing else', () => {
    const readme = readFileSync(join(CONFIG_DIR, 'README.md'), 'utf8');
    for (const inst of instruments) {
      const matching = normalise.filter((r) => {
        const m = /\{__name__=~"([^"]+)"\}/.exec(r.expr);
        const names = m ? [new RegExp(`^(?:${m[1]})$`)] : [];
        const plain = /^\s*\(\s*([a-z_]+)\s*$/m.exec(r.expr);
        return [...inst.hook, ...inst.collector].every((n) => names.some((re) => re.test(n)) || plain?.[1] === n);
      });
      expect(matching.length, `${inst.name} ${inst.kind}`).toBe(1);
      for (const n of [...inst.hook, ...inst.collector]) expect(readme, `README names ${n}`).toContain(n);
    }
    expect(normalise).toHaveLength(instruments.length);
  });
});

describe('Alertmanager configuration', () => {
  it.skipIf(noAmtool)('amtool check-config accepts alertmanager.yml', async () => {
    const r = await run(tools.amtool!, ['check-config', join(CONFIG_DIR, 'alertmanager/alertmanager.yml')]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('2 inhibit rules');
    expect(r.stdout).toContain('1 receivers');
  });

  it('groups by alert and service or tenant, and only names alerts that exist', () => {
    const am = readYaml<any>(join(CONFIG_DIR, 'alertmanager/alertmanager.yml'));
    expect(am.route.group_by).toEqual(['alertname', 'service_name', 'tokenomics_attribution_tenant']);
    const names = new Set(alertRules.map((r) => r.alert));
    const mentioned = JSON.stringify(am.inhibit_rules).match(/Tokenomics[A-Za-z]+/g) ?? [];
    expect(mentioned.length).toBeGreaterThan(0);
    for (const n of mentioned) expect(names.has(n), n).toBe(true);
    expect(am.receivers[0].webhook_configs[0].send_resolved).toBe(true);
  });
});

describe('OpenTelemetry Collector configuration', () => {
  const load = (f: string) => readYaml<any>(join(CONFIG_DIR, 'otel', f));

  for (const file of ['agent.yaml', 'gateway.yaml']) {
    it(`${file}: every pipeline starts with memory_limiter, ends with batch, and uses only defined components`, () => {
      const cfg = load(file);
      const pipelines = cfg.service.pipelines as Record<string, { receivers: string[]; processors: string[]; exporters: string[] }>;
      expect(Object.keys(pipelines).length).toBeGreaterThan(0);
      for (const [name, p] of Object.entries(pipelines)) {
        expect(p.processors[0], name).toBe('memory_limiter');
        expect(p.processors.at(-1), name).toBe('batch');
        for (const r of p.receivers) expect(cfg.receivers, `${name} receiver ${r}`).toHaveProperty([r]);
        for (const pr of p.processors) expect(cfg.processors, `${name} processor ${pr}`).toHaveProperty([pr]);
        for (const e of p.exporters) expect(cfg.exporters, `${name} exporter ${e}`).toHaveProperty([e]);
      }
      expect(Object.keys(cfg.receivers.otlp.protocols).sort()).toEqual(['grpc', 'http']);
      for (const ext of cfg.service.extensions) expect(cfg.extensions).toHaveProperty([ext]);
    });
  }

  it('agent forwards through the collector stage to the gateway; gateway exports through prometheus and prometheusremotewrite', () => {
    const agent = load('agent.yaml');
    expect(agent.service.pipelines.metrics.exporters).toEqual(['otlphttp/tokenomics']);
    expect(agent.service.pipelines.traces.exporters).toEqual(['otlphttp/tokenomics']);
    expect(agent.exporters).toHaveProperty(['otlp/gateway']);
    const gw = load('gateway.yaml');
    const metricExporters = Object.entries(gw.service.pipelines)
      .filter(([n]) => n.startsWith('metrics'))
      .flatMap(([, p]: [string, any]) => p.exporters);
    expect(metricExporters.sort()).toEqual(['prometheus', 'prometheusremotewrite']);
    expect(gw.exporters.prometheus.translation_strategy).toBe('UnderscoreEscapingWithSuffixes');
    expect(gw.exporters.prometheus.resource_to_telemetry_conversion.enabled).toBe(false);
    expect(readFileSync(join(CONFIG_DIR, 'otel/agent.yaml'), 'utf8')).toMatch(/loadbalancing\/gateways:[\s\S]*routing_key: service/);
  });
});

describe('docker-compose.yml', () => {
  const compose = readYaml<any>(join(CONFIG_DIR, 'docker-compose.yml'));

  it('brings up the demo, both Collectors, the collector stage, Prometheus, Alertmanager and Grafana', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'alertmanager',
      'demo',
      'emulator',
      'grafana',
      'otel-agent',
      'otel-gateway',
      'prometheus',
      'tokenomics-collector',
    ]);
    for (const [name, svc] of Object.entries<any>(compose.services)) {
      expect(svc.image, name).toMatch(/:[\w.-]+$/);
      for (const dep of svc.depends_on ?? []) expect(compose.services, `${name} depends on ${dep}`).toHaveProperty([dep]);
    }
  });

  it('mounts files that exist in the repository', () => {
    for (const [name, svc] of Object.entries<any>(compose.services)) {
      for (const v of svc.volumes ?? []) {
        const src = String(v).split(':')[0];
        expect(existsSync(join(CONFIG_DIR, src)), `${name}: ${src}`).toBe(true);
      }
    }
  });

  it('points Prometheus, the Grafana data source and the dashboard provider at each other', () => {
    const prom = readYaml<any>(join(CONFIG_DIR, 'prometheus/prometheus.yml'));
    const targets = prom.scrape_configs.flatMap((s: any) => s.static_configs.flatMap((c: any) => c.targets));
    expect(targets).toEqual(expect.arrayContaining(['otel-gateway:8889', 'demo:9464']));
    const gatewayJob = prom.scrape_configs.find((s: any) => s.job_name === 'otel-gateway');
    expect(gatewayJob.honor_labels).toBe(true);
    expect(prom.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['alertmanager:9093']);
    const ds = readYaml<any>(join(CONFIG_DIR, 'grafana/provisioning/datasources/prometheus.yml'));
    expect(ds.datasources[0]).toMatchObject({ uid: PROVISIONED_UID, type: 'prometheus', url: 'http://prometheus:9090' });
    const provider = readYaml<any>(join(CONFIG_DIR, 'grafana/provisioning/dashboards/tokenomics.yml'));
    const grafanaMounts: string[] = compose.services.grafana.volumes;
    expect(grafanaMounts).toContain(`./grafana/dashboards:${provider.providers[0].options.path}:ro`);
  });
});

describe('Grafana dashboard', () => {
  const dash = loadDashboard();

  it('sends every panel and query to the provisioned data source or the data source variable', () => {
    const dsVar = dash.templating.list.find((v) => v.type === 'datasource')!;
    expect(dsVar.name).toBe('datasource');
    expect(dsVar.query).toBe('prometheus');
    expect(dsVar.current?.value).toBe(PROVISIONED_UID);
    const ok = [PROVISIONED_UID, '${datasource}'];
    for (const p of allPanels(dash)) {
      expect(p.datasource?.type, p.title).toBe('prometheus');
      expect(ok, p.title).toContain(p.datasource?.uid);
      expect((p.targets ?? []).length, `${p.title} has no query`).toBeGreaterThan(0);
      for (const t of p.targets ?? []) {
        expect(ok, `${p.title}/${t.refId}`).toContain(t.datasource?.uid);
        expect(t.expr.trim().length).toBeGreaterThan(0);
      }
      expect(new Set((p.targets ?? []).map((t) => t.refId)).size, p.title).toBe((p.targets ?? []).length);
    }
    for (const v of dash.templating.list.filter((x) => x.type === 'query')) {
      expect((v as any).datasource.uid, v.name).toBe('${datasource}');
    }
  });

  it('has the panels the issue asks for, with unique ids', () => {
    const titles = allPanels(dash).map((p) => p.title);
    for (const t of [
      'Spend by model',
      'Spend by service',
      'Spend by tenant',
      'Tokens by type',
      'Cache hit ratio',
      'Cache savings',
      'Cost per request',
      'Top spenders in range',
      'Unpriced calls in range',
      'Estimated usage share',
      'Call duration',
      'Time to first chunk',
      'Month-end spend forecast',
      'Month-end forecast by tenant',
      'Quota headroom',
      'Calls refused by rate limits',
      'Conversation growth',
      'Estimates against bills',
    ])
      expect(titles).toContain(t);
    const ids = dash.panels.flatMap((p) => [p.id, ...(p.panels ?? []).map((q) => q.id)]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dash.templating.list.map((v) => v.name)).toEqual(['datasource', 'service', 'provider', 'model']);
  });

  it('reads only recorded tokenomics:* series that the rules define', () => {
    const exprs = [
      ...panelQueries(dash).map((q) => q.target.expr),
      ...dash.templating.list.filter((v) => v.type === 'query').map((v) => (v.query as { query: string }).query),
    ];
    for (const e of exprs) {
      const names = e.match(/\btokenomics:[a-z0-9_:]+/g) ?? [];
      expect(names.length, e).toBeGreaterThan(0);
      for (const n of names) expect(recordedNames.has(n), `${n} in ${e}`).toBe(true);
      expect(e, 'raw metric names belong in the normalisation rules only').not.toMatch(/\b(tokenomics_cost|gen_ai_client)_/);
    }
  });
});
