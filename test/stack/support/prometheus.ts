import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { freePort, Service, tools, waitFor } from './processes';

/** The repository's collector-config directory. */
export const CONFIG_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../collector-config');
export const RULES_DIR = join(CONFIG_DIR, 'prometheus/rules');
export const RULE_TESTS_DIR = join(CONFIG_DIR, 'prometheus/tests');
export const RULE_FILES = ['tokenomics.rules.yml', 'tokenomics-budgets.rules.yml', 'tokenomics-alerts.rules.yml'];

interface RuleFile {
  groups: { name: string; interval?: string; rules: Record<string, unknown>[] }[];
}

export function readYaml<T = unknown>(path: string): T {
  return parse(readFileSync(path, 'utf8')) as T;
}

/**
 * The shipped rules with time compressed for a test that lasts seconds: every range and offset in
 * the expressions becomes `window`, `for:` becomes 0s and group intervals follow the global
 * evaluation interval. Everything else (selectors, joins, aggregations, labels, annotations) is
 * unchanged. The real windows are exercised by the promtool unit tests.
 */
export function compressRules(file: string, window: string): string {
  const doc = readYaml<RuleFile>(join(RULES_DIR, file));
  for (const group of doc.groups) {
    delete group.interval;
    for (const rule of group.rules) {
      rule.expr = compressExpr(String(rule.expr), window);
      if ('for' in rule) rule.for = '0s';
    }
  }
  return stringify(doc, { lineWidth: 0 });
}

/** Replaces every `[range]` and `offset d` in a PromQL expression with `window`. */
export function compressExpr(expr: string, window: string): string {
  return expr.replace(/\[(?:\d+(?:ms|s|m|h|d|w|y))+\]/g, `[${window}]`).replace(/offset\s+(?:\d+(?:ms|s|m|h|d|w|y))+/g, `offset ${window}`);
}

/** Sum of the samples of `name` on a Prometheus text page whose labels contain every one of `having`. */
export function sumOf(page: string, name: string, ...having: string[]): number {
  let sum = 0;
  for (const line of page.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!having.every((h) => line.includes(h))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** One sample of an instant vector. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** Minimal client for the Prometheus HTTP API. */
export class PromClient {
  constructor(readonly base: string) {}

  private async get(path: string, params: Record<string, string>): Promise<any> {
    const res = await fetch(`${this.base}${path}?${new URLSearchParams(params)}`);
    const body = (await res.json()) as { status: string; data: any; error?: string; errorType?: string };
    if (body.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${body.errorType}: ${body.error}`);
    return body.data;
  }

  /** Instant query; `time` in seconds (ms precision). Throws when Prometheus rejects the expression. */
  async query(expr: string, time?: number): Promise<Sample[]> {
    const params: Record<string, string> = { query: expr };
    if (time !== undefined) params.time = time.toFixed(3);
    const data = await this.get('/api/v1/query', params);
    if (data.resultType === 'scalar') return [{ labels: {}, value: Number(data.result[1]) }];
    if (data.resultType !== 'vector') throw new Error(`${expr}: expected a vector, got ${data.resultType}`);
    return data.result.map((r: { metric: Record<string, string>; value: [number, string] }) => ({
      labels: r.metric,
      value: Number(r.value[1]),
    }));
  }

  /** Raw samples of a range selector (`expr` must be a range vector), as [seconds, value] pairs per series. */
  async samples(expr: string, time?: number): Promise<{ labels: Record<string, string>; values: [number, number][] }[]> {
    const params: Record<string, string> = { query: expr };
    if (time !== undefined) params.time = time.toFixed(3);
    const data = await this.get('/api/v1/query', params);
    if (data.resultType !== 'matrix') throw new Error(`${expr}: expected a matrix, got ${data.resultType}`);
    return data.result.map((r: { metric: Record<string, string>; values: [number, string][] }) => ({
      labels: r.metric,
      values: r.values.map(([t, v]) => [t, Number(v)] as [number, number]),
    }));
  }

  /** Label values, optionally restricted to series matching `match`. */
  async labelValues(label: string, match: string): Promise<string[]> {
    const res = await fetch(`${this.base}/api/v1/label/${label}/values?${new URLSearchParams({ 'match[]': match })}`);
    const body = (await res.json()) as { status: string; data: string[]; error?: string };
    if (body.status !== 'success') throw new Error(`label ${label} ${match}: ${body.error}`);
    return body.data;
  }

  async rules(): Promise<any[]> {
    return (await this.get('/api/v1/rules', {})).groups;
  }

  async targets(): Promise<any[]> {
    return (await this.get('/api/v1/targets', {})).activeTargets;
  }
}

/**
 * Starts the Prometheus on PATH with `config` (written to `dir/prometheus.yml`, data in `dir/data`)
 * on a free port, and resolves once it is ready. `context` adds to the failure message.
 */
export async function startPrometheus(
  dir: string,
  config: Record<string, unknown>,
  context: () => string = () => '',
): Promise<{ service: Service; client: PromClient }> {
  if (!tools.prometheus) throw new Error('prometheus is not on PATH');
  writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
  const port = await freePort();
  const service = new Service('prometheus', tools.prometheus, [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
  const client = new PromClient(`http://127.0.0.1:${port}`);
  await waitFor(
    'Prometheus to be ready',
    async () => (await fetch(`${client.base}/-/ready`)).ok,
    30_000,
    () => `${context()}\n${service.tail(20)}`,
  );
  return { service, client };
}
