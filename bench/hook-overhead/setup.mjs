// What the hook benchmark's tools share (profile.mjs, alloc.mjs): starting app.mjs in one set-up,
// with its span sink, and naming where a sampled function lives.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The app of the benchmark, and the directory it runs in (where the hook resolves as in an app). */
export const APP = join(here, 'app.mjs');
export const APP_CWD = join(here, '..', '..', 'test');

/**
 * The environment and preload arguments of one set-up: `bare`, `span` (the span floor), the SDK
 * floors `sdk-floor` and `sdk-floor-spans` (`sdk-floor.cjs`), `usage-floor`, `hook`,
 * `hook-spans`, `hook-otlp-metrics` (metrics also pushed over OTLP every 200 ms), the peers `otel` and `openllmetry` (`peer.cjs`), and with `HOOK_BENCH_BASELINE`
 * `hook-baseline` / `hook-spans-baseline`. The hook's set-ups get a free Prometheus port; the
 * span-exporting ones (peers included) a sink answering 200, in this process (so the app must be
 * spawned asynchronously). `close()` stops the sink.
 */
export async function appSetup(setup) {
  const env = { ...process.env };
  for (const key of Object.keys(env))
    if (key.startsWith('OTEL_') || key.startsWith('TOKENOMICS_') || key === 'NODE_OPTIONS') delete env[key];
  const baseline = setup.endsWith('-baseline');
  if (baseline && !process.env.HOOK_BENCH_BASELINE) throw new Error(`${setup} needs HOOK_BENCH_BASELINE`);
  let sink;
  const sdkFloor = setup === 'sdk-floor' || setup === 'sdk-floor-spans';
  if (setup.startsWith('hook') || sdkFloor) {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    env.OTEL_EXPORTER_PROMETHEUS_PORT = String(probe.address().port);
    await new Promise((r) => probe.close(r));
  }
  const peer = setup === 'otel' || setup === 'openllmetry';
  if (setup === 'hook-otlp-metrics') {
    // Metrics pushed over OTLP (every 200 ms, to a sink answering 200) beside the Prometheus
    // endpoint, no spans: the periodic reader's exports run while the app does.
    sink = createServer((req, res) => req.resume().on('end', () => res.end())).listen(0, '127.0.0.1');
    await once(sink, 'listening');
    Object.assign(env, {
      OTEL_METRICS_EXPORTER: 'otlp,prometheus',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `http://127.0.0.1:${sink.address().port}/v1/metrics`,
      OTEL_METRIC_EXPORT_INTERVAL: '200',
    });
  }
  if (setup === 'hook-spans' || setup === 'hook-spans-baseline' || setup === 'sdk-floor-spans' || peer) {
    sink = createServer((req, res) => req.resume().on('end', () => res.end())).listen(0, '127.0.0.1');
    await once(sink, 'listening');
    const url = `http://127.0.0.1:${sink.address().port}`;
    if (peer) Object.assign(env, { HOOK_BENCH_PEER: setup, HOOK_BENCH_SINK: url });
    else Object.assign(env, { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${url}/v1/traces` });
  }
  const args =
    setup === 'bare' || setup === 'usage-floor'
      ? []
      : setup === 'span'
        ? ['--require', join(here, 'span-floor.cjs')]
        : sdkFloor
          ? ['--require', join(here, 'sdk-floor.cjs')]
          : peer
            ? ['--require', join(here, 'peer.cjs')]
            : baseline
              ? ['--require', join(here, 'baseline.cjs')]
              : ['--require', '@tokenomics/node/register'];
  if (baseline) env.HOOK_BENCH_BASELINE = resolve(process.env.HOOK_BENCH_BASELINE);
  if (setup === 'span') env.HOOK_BENCH_WRAP = 'span';
  if (sdkFloor) env.HOOK_BENCH_WRAP = 'sdk-floor';
  if (setup === 'usage-floor') env.HOOK_BENCH_ASK_USAGE = '1';
  return { env, args, close: () => sink?.close() };
}

/** Runs a child to its end: its status and output. */
export function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, options);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** `function path:line` of a profile's call frame, paths from the package. */
export function where(cf) {
  const url = cf.url.replace(/.*\/node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, '').replace(/.*\/packages\//, 'packages/');
  return `${cf.functionName || '(anonymous)'} ${url}:${cf.lineNumber + 1}`;
}
