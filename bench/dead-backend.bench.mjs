// Dead telemetry backend: an app makes chat calls (every other one streamed) to the provider
// emulator, one at a time, without the hook and then through the hook (`--require`) with OTLP
// traces and metrics pointed at a backend that never takes anything: a closed port, a server that
// accepts and never answers, one that answers 503, one that answers 503 with Retry-After: 1; and,
// for comparison, a backend that takes everything (200).
// Reported per run: the app's call latency p50/p99, the process's CPU time per call (less sensitive to
// a loaded machine than latency), heap after GC at call 500 and at the end, RSS,
// and the time from the app's last line of output to the process exit (the bound is 2 s).
//
//   node bench/dead-backend.bench.mjs            (after `tsc -b`)
//   BENCH_QUICK=1 node bench/dead-backend.bench.mjs   1,000 calls per run instead of 3,000
//   DEAD_CALLS=5000 DEAD_PROTOCOL=http/json node bench/dead-backend.bench.mjs
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine } from './overhead/machine.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { startEmulator } = await import(join(root, 'packages', 'emulator', 'dist', 'index.js'));
const APP = join(root, 'test', 'fixtures', 'busy-app.cjs');
// The hook resolves from the end-to-end test package, which depends on @tokenomics/node as an app would.
const CWD = join(root, 'test');
const QUICK = process.env.BENCH_QUICK === '1';
const CALLS = Number(process.env.DEAD_CALLS ?? (QUICK ? 1_000 : 3_000));
const PROTOCOL = process.env.DEAD_PROTOCOL ?? 'http/protobuf';
const EXIT_BOUND_MS = 2_000;

async function listen(server) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${server.address().port}`;
}

/** A backend of `kind`, with its URL and a close(). */
async function deadBackend(kind) {
  if (kind === 'closed port') {
    const server = createServer();
    const url = await listen(server);
    await new Promise((resolve) => server.close(resolve));
    return { url, close: async () => {} };
  }
  const sockets = new Set();
  const server =
    kind === 'healthy (200)'
      ? createHttpServer((req, res) => {
          req.resume();
          req.on('end', () => {
            res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/x-protobuf' });
            res.end(req.headers['content-type'] === 'application/json' ? '{}' : '');
          });
        })
      : kind === 'no answer'
        ? createServer(() => {})
        : createHttpServer((req, res) => {
            req.resume();
            req.on('end', () => {
              res.writeHead(503, kind === '503 + Retry-After' ? { 'retry-after': '1' } : {});
              res.end();
            });
          });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  const url = await listen(server);
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(resolve);
      }),
  };
}

/** Runs the app; resolves with its report, exit code and the exit time after "app done". */
function runApp(emulatorUrl, backendUrl) {
  const hook = backendUrl ? ['--require', '@tokenomics/node/register'] : [];
  const env = { ...process.env, EMULATOR_URL: emulatorUrl, APP_CALLS: String(CALLS), APP_CONCURRENCY: '1', FIXTURE_EXIT_CODE: '3' };
  for (const key of Object.keys(env))
    if (key.startsWith('OTEL_') || key.startsWith('TOKENOMICS_') || key === 'NODE_OPTIONS') delete env[key];
  if (backendUrl) {
    Object.assign(env, {
      OTEL_EXPORTER_OTLP_ENDPOINT: backendUrl,
      OTEL_EXPORTER_OTLP_PROTOCOL: PROTOCOL,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
    });
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', ...hook, APP], { cwd: CWD, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    let doneAt;
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      if (doneAt === undefined && stdout.includes('app done\n')) doneAt = performance.now();
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      const exitMs = doneAt === undefined ? NaN : performance.now() - doneAt;
      const field = (name) => Number(new RegExp(`${name}=([\\d.]+)`).exec(stdout)?.[1]);
      resolve({
        code,
        signal,
        exitMs,
        p50: field('p50'),
        p99: field('p99'),
        heapAt500: field('heapAt500'),
        heapAtEnd: field('heapAtEnd'),
        rss: field('rss'),
        cpu: field('cpuPerCall'),
      });
    });
  });
}

const m = machine();
console.log(
  `# dead telemetry backend: ${CALLS.toLocaleString('en-US')} chat calls per run, one at a time, OTLP ${PROTOCOL}; node ${m.node}, ${m.cpu}, load ${m.loadavg}`,
);
const emulator = await startEmulator({ port: 0 });
const mb = (b) => (b / 2 ** 20).toFixed(1);
const rows = [];
try {
  rows.push({ backend: 'no hook', ...(await runApp(emulator.openaiBaseURL, undefined)) });
  for (const kind of ['healthy (200)', 'closed port', 'no answer', '503', '503 + Retry-After']) {
    const backend = await deadBackend(kind);
    try {
      rows.push({ backend: `hook, ${kind}`, ...(await runApp(emulator.openaiBaseURL, backend.url)) });
    } finally {
      await backend.close();
    }
  }
} finally {
  await emulator.close();
}

const base = rows[0];
console.log();
console.log(
  '| run | exit code | call p50 ms | call p99 ms | p99 vs no hook ms | CPU µs per call | heap after GC at 500 / end MB | RSS MB | exit after app done ms |',
);
console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|');
for (const r of rows) {
  const delta = r === base ? '–' : (r.p99 - base.p99).toFixed(2);
  console.log(
    `| ${r.backend} | ${r.code ?? r.signal} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${delta} | ${r.cpu.toFixed(0)} | ${mb(r.heapAt500)} / ${mb(r.heapAtEnd)} | ${mb(r.rss)} | ${r.exitMs.toFixed(0)} |`,
  );
}
const failed = rows.filter((r) => r.code !== 3 || !(r.exitMs < EXIT_BOUND_MS + 3_000));
console.log();
console.log(
  failed.length === 0
    ? `Every run exited with the app's code (3) within the ${EXIT_BOUND_MS} ms bound plus 3 s of margin after the app was done.`
    : `NOT BOUNDED: ${failed.map((r) => `${r.backend} (code ${r.code}, ${r.exitMs.toFixed(0)} ms)`).join('; ')}`,
);
console.log(`load after: ${machine().loadavg}`);
if (failed.length > 0) process.exitCode = 1;
