import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cgroupCpuLimit } from '../src/collector';
import { collectorOptionsFromArgs } from '../src/command';
import { CollectorConfigError, parseCollectorConfig } from '../src/config';

const parse = (text: string, env: NodeJS.ProcessEnv = {}) => parseCollectorConfig(text, 'stage.yaml', env);

function error(text: string, env: NodeJS.ProcessEnv = {}): CollectorConfigError {
  try {
    parse(text, env);
  } catch (err) {
    if (err instanceof CollectorConfigError) return err;
    throw err;
  }
  throw new Error('expected a CollectorConfigError');
}

describe('collector configuration', () => {
  it('reads every field, expanding ${env:VAR} in values', () => {
    const options = parse(
      [
        'receivers:',
        '  http: { endpoint: 0.0.0.0:14318 }',
        '  grpc: { endpoint: "[::1]:14317" }',
        '  max_request_bytes: 8MiB',
        'forward:',
        '  - endpoint: ${env:GATEWAY}',
        '    headers: { authorization: "Bearer ${env:TOKEN}" }',
        '    timeout: 5s',
        '    concurrency: 2',
        '  - http://backup:4318',
        'queue: { memory_limit: 256MiB }',
        'retry: { initial_interval: 50ms, max_interval: 2s }',
        'pricing: { overrides_file: /etc/tokenomics/prices.yaml }',
        'telemetry: { endpoint: 127.0.0.1:8888 }',
        'metrics_interval: 30s',
        'shutdown_timeout: 1m',
      ].join('\n'),
      { GATEWAY: 'http://gateway:4318', TOKEN: 's3cret' },
    );
    expect(options).toEqual({
      destinations: [
        { endpoint: 'http://gateway:4318', headers: { authorization: 'Bearer s3cret' }, timeoutMs: 5000, concurrency: 2 },
        { endpoint: 'http://backup:4318' },
      ],
      http: { host: '0.0.0.0', port: 14318 },
      grpc: { host: '::1', port: 14317 },
      maxRequestBytes: 8 * 1024 * 1024,
      queueMemoryLimitBytes: 256 * 1024 * 1024,
      retry: { initialIntervalMs: 50, maxIntervalMs: 2000 },
      priceBook: { overridesFile: '/etc/tokenomics/prices.yaml' },
      telemetry: { host: '127.0.0.1', port: 8888 },
      metricsIntervalMs: 30_000,
      shutdownTimeoutMs: 60_000,
    });
  });

  it('listens on the standard OTLP ports for HTTP and gRPC when no receivers are configured', () => {
    const options = parse('forward: [http://gateway:4318]');
    expect(options.http).toEqual({ host: '127.0.0.1', port: 4318 });
    expect(options.grpc).toEqual({ host: '127.0.0.1', port: 4317 });
  });

  it('names the file, line, field and value of a bad value and says what is accepted', () => {
    const err = error('forward:\n  - endpoint: http://gateway:4318\nqueue:\n  memory_limit: lots\n');
    expect(err.message).toBe(
      'stage.yaml:4: queue.memory_limit = "lots": expected a size: bytes, or a number with B, KiB, MiB or GiB (e.g. 64MiB)',
    );
    expect(error('forward:\n  - endpoint: ftp://gateway\n').message).toMatch(
      /^stage\.yaml:2: forward\[0\]\.endpoint = "ftp:\/\/gateway": expected an http/,
    );
    expect(error('forward: [http://g:4318]\nreceivers:\n  http: { endpoint: "localhost:99999" }\n').message).toMatch(
      /^stage\.yaml:3: receivers\.http\.endpoint = "localhost:99999": expected host:port/,
    );
  });

  it('refuses unknown fields (a typo is not silently ignored) and a missing forward section', () => {
    expect(error('forward: [http://g:4318]\nqeueu: { memory_limit: 1MiB }\n').message).toMatch(
      /^stage\.yaml:2: qeueu = .*unknown field; accepted: receivers, forward/,
    );
    expect(error('queue: { memory_limit: 1MiB }\n').message).toMatch(/forward: missing; list at least one destination/);
  });

  it('names an unset environment variable where it is used', () => {
    expect(error('forward:\n  - endpoint: ${env:NOT_SET}\n').message).toMatch(
      /^stage\.yaml:2: .*endpoint = "\$\{env:NOT_SET\}": environment variable NOT_SET is not set$/,
    );
  });

  it("reads where each service's cost counters come from and the replica identity", () => {
    const options = parse(
      [
        'forward: [http://gateway:4318]',
        'cost_metrics:',
        '  from: spans',
        '  services: { batch-py: histograms, web: spans }',
        'instance_id: ${env:POD_NAME}',
      ].join('\n'),
      { POD_NAME: 'tokenomics-collector-7d9f-abcde' },
    );
    expect(options.costMetricsFrom).toBe('spans');
    expect(options.costMetricsFromServices).toEqual({ 'batch-py': 'histograms', web: 'spans' });
    expect(options.instanceId).toBe('tokenomics-collector-7d9f-abcde');
  });

  it('refuses a cost source other than spans or histograms, naming the service, and an empty instance id', () => {
    expect(error('forward: [http://g:4318]\ncost_metrics:\n  services: { batch-py: both }\n').message).toBe(
      'stage.yaml:3: cost_metrics.services.batch-py = "both": must be one of spans, histograms',
    );
    expect(error('forward: [http://g:4318]\ncost_metrics: { from: traces }\n').message).toMatch(
      /^stage\.yaml:2: cost_metrics\.from = "traces": must be one of spans, histograms$/,
    );
    expect(error('forward: [http://g:4318]\ninstance_id: ""\n').message).toMatch(
      /^stage\.yaml:2: instance_id = "": expected a non-empty string$/,
    );
  });

  it('reads the number of worker threads, and leaves the default to the command when it is not set', () => {
    expect(parse('forward: [http://g:4318]\nprocessing:\n  workers: 3\n').workers).toBe(3);
    expect(parse('forward: [http://g:4318]\nprocessing: { workers: 0 }\n').workers).toBe(0);
    expect(parse('forward: [http://g:4318]\nprocessing: { workers: "${env:WORKERS}" }\n', { WORKERS: '2' }).workers).toBe(2);
    expect(parse('forward: [http://g:4318]\n').workers).toBeUndefined();
  });

  it('refuses a worker count that is not a whole number from 0 to 64, and unknown processing fields', () => {
    expect(error('forward: [http://g:4318]\nprocessing:\n  workers: -1\n').message).toBe(
      'stage.yaml:3: processing.workers = -1: expected a whole number from 0 to 64 (0: the main thread does the work)',
    );
    expect(error('forward: [http://g:4318]\nprocessing:\n  workers: 1.5\n').message).toMatch(
      /^stage\.yaml:3: processing\.workers = 1\.5: /,
    );
    expect(error('forward: [http://g:4318]\nprocessing:\n  workers: all\n').message).toMatch(
      /^stage\.yaml:3: processing\.workers = "all": /,
    );
    expect(error('forward: [http://g:4318]\nprocessing:\n  workers: 65\n').message).toMatch(/^stage\.yaml:3: processing\.workers = 65: /);
    expect(error('forward: [http://g:4318]\nprocessing:\n  threads: 2\n').message).toMatch(
      /^stage\.yaml:3: processing\.threads = 2: unknown field; accepted: workers$/,
    );
  });

  it('takes --workers on the command line: a count from 0 to 64', () => {
    expect(collectorOptionsFromArgs(['--forward', 'http://g:4318', '--workers', '2'])).toMatchObject({ workers: 2 });
    expect(collectorOptionsFromArgs(['--forward', 'http://g:4318', '--workers=0'])).toMatchObject({ workers: 0 });
    expect(collectorOptionsFromArgs(['--forward', 'http://g:4318'])).not.toHaveProperty('workers');
    expect(() => collectorOptionsFromArgs(['--forward', 'http://g:4318', '--workers', 'many'])).toThrow(
      '--workers many: expected a whole number from 0 to 64',
    );
  });

  it('reads the CPU limit of a container from its cgroup quota (v2 cpu.max, v1 cfs quota), for the default worker count', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenomics-cgroup-'));
    try {
      const v2 = (text: string) => {
        writeFileSync(join(dir, 'cpu.max'), text);
        return cgroupCpuLimit(dir);
      };
      expect(v2('200000 100000\n')).toBe(2);
      expect(v2('150000 100000\n')).toBe(1);
      expect(v2('50000 100000\n')).toBe(1);
      expect(v2('max 100000\n')).toBeUndefined();
      rmSync(join(dir, 'cpu.max'));
      mkdirSync(join(dir, 'cpu'));
      writeFileSync(join(dir, 'cpu', 'cpu.cfs_period_us'), '100000\n');
      writeFileSync(join(dir, 'cpu', 'cpu.cfs_quota_us'), '400000\n');
      expect(cgroupCpuLimit(dir)).toBe(4);
      writeFileSync(join(dir, 'cpu', 'cpu.cfs_quota_us'), '-1\n');
      expect(cgroupCpuLimit(dir)).toBeUndefined();
      expect(cgroupCpuLimit(join(dir, 'none'))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports YAML syntax errors with their line', () => {
    expect(error('forward:\n  - endpoint: [unclosed\n').message).toMatch(/^stage\.yaml:\d+: \(yaml\): /);
  });
});
