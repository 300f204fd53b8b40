/**
 * The stage's YAML configuration: `${env:VAR}` expansion, then validation of every field. Errors name
 * the file, line, field and value, and say what is accepted.
 *
 * ```yaml
 * receivers:                               # default: both, on 127.0.0.1:4318 and 127.0.0.1:4317
 *   http: { endpoint: 0.0.0.0:4318 }       # OTLP/HTTP
 *   grpc: { endpoint: 0.0.0.0:4317 }       # OTLP/gRPC (off when a receivers section omits it)
 *   max_request_bytes: 16MiB
 * forward:                                  # one or more OTLP/HTTP destinations
 *   - endpoint: http://gateway:4318
 *     headers: { authorization: "Bearer ${env:GATEWAY_TOKEN}" }
 *     timeout: 10s
 *     concurrency: 4
 * queue: { memory_limit: 256MiB }           # per destination
 * retry: { initial_interval: 100ms, max_interval: 5s }
 * pricing: { overrides_file: /etc/tokenomics/prices.yaml }
 * telemetry: { endpoint: 0.0.0.0:8888 }     # /health and Prometheus /metrics
 * metrics_interval: 10s
 * cost_metrics:                             # where each service's cost counters come from
 *   from: spans                             # spans (default) | histograms
 *   services: { batch-py: histograms }      # per service.name
 * instance_id: ${env:POD_NAME}              # service.instance.id of this replica's cost counters
 * processing: { workers: 2 }               # worker threads; default: cores available - 1, at most 4; 0: main thread
 * shutdown_timeout: 10s
 * ```
 */
import { readFileSync } from 'node:fs';
import { isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { CollectorOptions, CostMetricsSource, ListenAddress } from './collector';
import type { DestinationOptions } from './forwarder';

/** A configuration error: where and what. */
export class CollectorConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly field: string,
    readonly value: unknown,
    readonly problem: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${field}${value === undefined ? '' : ` = ${show(value)}`}: ${problem}`);
    this.name = 'CollectorConfigError';
  }
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const TOP_LEVEL = new Set([
  'receivers',
  'forward',
  'queue',
  'retry',
  'pricing',
  'telemetry',
  'metrics_interval',
  'cost_metrics',
  'instance_id',
  'shutdown_timeout',
  'processing',
]);
const COST_SOURCES: readonly CostMetricsSource[] = ['spans', 'histograms'];
const ENV = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Reads and validates a configuration file. */
export function loadCollectorConfig(file: string, env: NodeJS.ProcessEnv = process.env): CollectorOptions {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CollectorConfigError(file, undefined, '(file)', undefined, `cannot be read: ${(err as Error).message}`);
  }
  return parseCollectorConfig(text, file, env);
}

/** Parses and validates configuration text; `file` names it in errors. */
export function parseCollectorConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): CollectorOptions {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new CollectorConfigError(file, lines.linePos(e.pos[0]).line, '(yaml)', undefined, e.message.split('\n')[0]);
  }
  const lineOf = (offset: number | undefined) => (offset === undefined ? undefined : lines.linePos(offset).line);
  // ${env:VAR} in any scalar string.
  visit(doc, {
    Scalar(_key, node, path) {
      if (typeof node.value !== 'string' || !node.value.includes('${')) return;
      node.value = node.value.replace(ENV, (_m, name: string) => {
        const value = env[name];
        if (value === undefined) {
          throw new CollectorConfigError(
            file,
            lineOf(node.range?.[0]),
            fieldPath(path),
            `\${env:${name}}`,
            `environment variable ${name} is not set`,
          );
        }
        return value;
      });
    },
  });
  const v = new Validator(file, doc, lineOf);
  const root = doc.toJS() as unknown;
  if (root === null || root === undefined)
    throw new CollectorConfigError(file, 1, '(root)', undefined, 'the file is empty; at least `forward` is needed');
  const top = v.object(root, []);
  for (const key of Object.keys(top)) {
    if (!TOP_LEVEL.has(key)) v.fail([key], top[key], `unknown field; accepted: ${[...TOP_LEVEL].join(', ')}`);
  }

  const options: CollectorOptions = { destinations: [] };
  // Without a receivers section, both OTLP receivers listen on the standard ports.
  const receivers =
    top.receivers === undefined
      ? { http: { endpoint: '127.0.0.1:4318' }, grpc: { endpoint: '127.0.0.1:4317' } }
      : v.object(top.receivers, ['receivers']);
  v.only(receivers, ['receivers'], ['http', 'grpc', 'max_request_bytes']);
  if (receivers.http !== undefined) options.http = v.listen(receivers.http, ['receivers', 'http']);
  if (receivers.grpc !== undefined) options.grpc = v.listen(receivers.grpc, ['receivers', 'grpc']);
  if (receivers.max_request_bytes !== undefined)
    options.maxRequestBytes = v.size(receivers.max_request_bytes, ['receivers', 'max_request_bytes']);

  if (top.forward === undefined) v.fail(['forward'], undefined, 'missing; list at least one destination (`- endpoint: http://host:4318`)');
  const forward = Array.isArray(top.forward) ? top.forward : [top.forward];
  if (forward.length === 0) v.fail(['forward'], top.forward, 'list at least one destination');
  options.destinations = forward.map((d, i) => v.destination(d, Array.isArray(top.forward) ? ['forward', i] : ['forward']));

  if (top.queue !== undefined) {
    const queue = v.object(top.queue, ['queue']);
    v.only(queue, ['queue'], ['memory_limit']);
    if (queue.memory_limit !== undefined) options.queueMemoryLimitBytes = v.size(queue.memory_limit, ['queue', 'memory_limit']);
  }
  if (top.retry !== undefined) {
    const retry = v.object(top.retry, ['retry']);
    v.only(retry, ['retry'], ['initial_interval', 'max_interval']);
    options.retry = {};
    if (retry.initial_interval !== undefined)
      options.retry.initialIntervalMs = v.duration(retry.initial_interval, ['retry', 'initial_interval']);
    if (retry.max_interval !== undefined) options.retry.maxIntervalMs = v.duration(retry.max_interval, ['retry', 'max_interval']);
  }
  if (top.pricing !== undefined) {
    const pricing = v.object(top.pricing, ['pricing']);
    v.only(pricing, ['pricing'], ['prices_file', 'overrides_file']);
    options.priceBook = {};
    if (pricing.prices_file !== undefined) options.priceBook.pricesFile = v.string(pricing.prices_file, ['pricing', 'prices_file']);
    if (pricing.overrides_file !== undefined)
      options.priceBook.overridesFile = v.string(pricing.overrides_file, ['pricing', 'overrides_file']);
  }
  if (top.telemetry !== undefined) options.telemetry = v.listen(top.telemetry, ['telemetry']);
  if (top.metrics_interval !== undefined) options.metricsIntervalMs = v.duration(top.metrics_interval, ['metrics_interval'], 100);
  if (top.cost_metrics !== undefined) {
    const cost = v.object(top.cost_metrics, ['cost_metrics']);
    v.only(cost, ['cost_metrics'], ['from', 'services']);
    if (cost.from !== undefined) options.costMetricsFrom = v.costSource(cost.from, ['cost_metrics', 'from']);
    if (cost.services !== undefined) {
      const services = v.object(cost.services, ['cost_metrics', 'services']);
      const out: Record<string, CostMetricsSource> = {};
      for (const name of Object.keys(services)) {
        Object.defineProperty(out, name, {
          value: v.costSource(services[name], ['cost_metrics', 'services', name]),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      options.costMetricsFromServices = out;
    }
  }
  if (top.instance_id !== undefined) options.instanceId = v.string(top.instance_id, ['instance_id']);
  if (top.processing !== undefined) {
    const processing = v.object(top.processing, ['processing']);
    v.only(processing, ['processing'], ['workers']);
    if (processing.workers !== undefined) options.workers = v.workers(processing.workers, ['processing', 'workers']);
  }
  if (top.shutdown_timeout !== undefined) options.shutdownTimeoutMs = v.duration(top.shutdown_timeout, ['shutdown_timeout'], 0);
  return options;
}

type Path = (string | number)[];

function fieldPath(path: readonly unknown[]): string {
  const parts: string[] = [];
  for (const node of path) {
    if (node && typeof node === 'object' && 'key' in node) {
      const key = (node as { key: unknown }).key;
      parts.push(isScalar(key) ? String(key.value) : String(key));
    }
  }
  return parts.join('.') || '(root)';
}

class Validator {
  constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly lineOf: (offset: number | undefined) => number | undefined,
  ) {}

  fail(path: Path, value: unknown, problem: string): never {
    let line: number | undefined;
    for (let n = path.length; n >= 0 && line === undefined; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      line = this.lineOf(node?.range?.[0]);
    }
    const field =
      path
        .map((p) => (typeof p === 'number' ? `[${p}]` : p))
        .join('.')
        .replace(/\.\[/g, '[') || '(root)';
    throw new CollectorConfigError(this.file, line, field, value, problem);
  }

  object(value: unknown, path: Path): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(path, value, 'expected a mapping');
    return value as Record<string, unknown>;
  }

  only(obj: Record<string, unknown>, path: Path, keys: readonly string[]): void {
    for (const key of Object.keys(obj))
      if (!keys.includes(key)) this.fail([...path, key], obj[key], `unknown field; accepted: ${keys.join(', ')}`);
  }

  workers(value: unknown, path: Path): number {
    const count = parseWorkers(value);
    if (count === undefined) this.fail(path, value, `expected a whole number from 0 to ${MAX_WORKERS} (0: the main thread does the work)`);
    return count;
  }

  costSource(value: unknown, path: Path): CostMetricsSource {
    const found = COST_SOURCES.find((s) => s === value);
    if (found === undefined) this.fail(path, value, `must be one of ${COST_SOURCES.join(', ')}`);
    return found;
  }

  string(value: unknown, path: Path): string {
    if (typeof value !== 'string' || value.trim() === '') this.fail(path, value, 'expected a non-empty string');
    return value;
  }

  listen(value: unknown, path: Path): ListenAddress {
    const obj = this.object(value, path);
    this.only(obj, path, ['endpoint']);
    const endpoint = obj.endpoint;
    if (typeof endpoint !== 'string') this.fail([...path, 'endpoint'], endpoint, 'expected host:port, e.g. 127.0.0.1:4318');
    const parsed = parseListen(endpoint);
    if (parsed === undefined)
      this.fail([...path, 'endpoint'], endpoint, 'expected host:port with a port from 0 to 65535, e.g. 127.0.0.1:4318');
    return parsed;
  }

  destination(value: unknown, path: Path): DestinationOptions {
    const obj = typeof value === 'string' ? { endpoint: value } : this.object(value, path);
    this.only(obj, path, ['endpoint', 'headers', 'timeout', 'concurrency']);
    const endpoint = obj.endpoint;
    let url: URL | undefined;
    try {
      url = typeof endpoint === 'string' ? new URL(endpoint) : undefined;
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      this.fail([...path, 'endpoint'], endpoint, 'expected an http:// or https:// URL of an OTLP/HTTP receiver, e.g. http://gateway:4318');
    }
    const out: DestinationOptions = { endpoint: endpoint as string };
    if (obj.headers !== undefined) {
      const headers = this.object(obj.headers, [...path, 'headers']);
      out.headers = {};
      for (const [k, h] of Object.entries(headers)) {
        if (typeof h !== 'string' && typeof h !== 'number') this.fail([...path, 'headers', k], h, 'expected a string');
        out.headers[k] = String(h);
      }
    }
    if (obj.timeout !== undefined) out.timeoutMs = this.duration(obj.timeout, [...path, 'timeout'], 1);
    if (obj.concurrency !== undefined) {
      const c = obj.concurrency;
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 1 || c > 64)
        this.fail([...path, 'concurrency'], c, 'expected an integer from 1 to 64');
      out.concurrency = c;
    }
    return out;
  }

  size(value: unknown, path: Path): number {
    const bytes = parseSize(value);
    if (bytes === undefined) this.fail(path, value, 'expected a size: bytes, or a number with B, KiB, MiB or GiB (e.g. 64MiB)');
    return bytes;
  }

  duration(value: unknown, path: Path, minMs = 0): number {
    const ms = parseDuration(value);
    if (ms === undefined || ms < minMs)
      this.fail(path, value, `expected a duration such as 500ms, 10s or 1m${minMs > 0 ? ` (at least ${minMs} ms)` : ''}`);
    return ms;
  }
}

/** Most worker threads a configuration may ask for. */
export const MAX_WORKERS = 64;

/** A worker count from 0 to {@link MAX_WORKERS} (a number, or its digits as text). */
export function parseWorkers(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_WORKERS ? n : undefined;
}

/** `host:port` (IPv6 in brackets) to a listen address. */
export function parseListen(text: string): ListenAddress | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  if (m === null) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  const host = m[1] ?? m[2];
  return { host: host === '' ? '0.0.0.0' : host, port };
}

const SIZE_UNITS: ReadonlyMap<string, number> = new Map([
  ['', 1],
  ['b', 1],
  ['kib', 1024],
  ['mib', 1024 ** 2],
  ['gib', 1024 ** 3],
  ['kb', 1000],
  ['mb', 1000 ** 2],
  ['gb', 1000 ** 3],
]);

/** Bytes of `64MiB`, `1000000`, ... */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  if (m === null) return undefined;
  const unit = SIZE_UNITS.get(m[2].toLowerCase());
  if (unit === undefined) return undefined;
  const bytes = Math.floor(Number(m[1]) * unit);
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : undefined;
}

const DURATION_UNITS: ReadonlyMap<string, number> = new Map([
  ['ms', 1],
  ['s', 1000],
  ['m', 60_000],
  ['h', 3_600_000],
]);

/** Milliseconds of `500ms`, `10s`, `1m`, ... (a bare number is milliseconds). */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(value);
  if (m === null) return undefined;
  return Math.round(Number(m[1]) * (DURATION_UNITS.get(m[2]) as number));
}
