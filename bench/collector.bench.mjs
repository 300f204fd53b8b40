// The collector stage end to end: OTLP/HTTP protobuf in, GenAI spans priced, OTLP/HTTP protobuf out
// (build first: npx tsc -b packages/collector packages/cli).
//
//   node bench/collector.bench.mjs [--strict] [--rounds N] [requests]
//
// The stage runs as `tokenomics collector` in its own process (as deployed); this process sends
// pre-encoded requests of 512 GenAI spans (four dialects: semconv, OpenLLMetry, OpenInference, the AI
// SDK) over keep-alive connections and is the next hop, a sink that only counts the bytes of each
// forwarded request and acknowledges it, so that the stage gets most of the machine.
//   throughput  spans/s from the first request sent to the last span received by the sink
//               (24 requests in flight, BENCH_IN_FLIGHT; an agent Collector's exporter sends with
//               several consumers), with the stage's default worker threads and with
//               `--workers 0` (all the work in the main thread), and with `--workers N` for each N
//               in BENCH_WORKERS (e.g. "2 3"), alternating, `--rounds` runs each (default 2); wall
//               clock, and per CPU-second of the stage (all its threads, /proc)
//   latency     added latency per batch: one request at a time, from sending it to the sink
//               receiving the priced request (p50, p99), default workers
//   stalled     the sink holds every request; requests are sent until the stage answers 429; the
//               stage's RSS growth and queue bytes against its configured memory limit
// Targets: >= 50,000 GenAI spans/s end to end, wall clock, on this machine (the stage with its
// default workers); RSS growth under a stalled hop within the limit plus 64 MiB. Every stage runs
// with --max-semi-space-size=32 (the setting docs/SCALING.md recommends).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, createServer, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requestMaker, SPANS_PER_REQUEST } from './collector/requests.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { jsonToProtobuf } = require(join(root, 'packages/collector/dist/otlp-json.js'));

const strict = process.argv.includes('--strict');
const roundsAt = process.argv.indexOf('--rounds');
const ROUNDS = roundsAt > 0 ? Number(process.argv[roundsAt + 1]) : 2;
const REQUESTS = Number(process.argv.slice(2).find((a, i, all) => /^\d+$/.test(a) && all[i - 1] !== '--rounds') ?? 400);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 24);
const LIMIT_MIB = 64;
const TARGET_SPANS_PER_SECOND = 50_000;

// --- the next hop -------------------------------------------------------------------------------
let received = 0;
let receivedBytes = 0;
let hold = false;
const held = [];
const onReceive = new Set();
const sink = createServer((req, res) => {
  let n = 0;
  req.on('data', (c) => (n += c.length));
  req.on('end', () => {
    if (hold) {
      held.push(res);
      return;
    }
    if (req.url === '/v1/traces') {
      received++;
      receivedBytes += n;
    }
    res.writeHead(200).end();
    for (const f of onReceive) f();
  });
});
sink.keepAliveTimeout = 60_000;
sink.listen(0, '127.0.0.1');
await once(sink, 'listening');
const sinkUrl = `http://127.0.0.1:${sink.address().port}`;
const waitReceived = (n) =>
  new Promise((resolve) => {
    const check = () => {
      if (received < n) return;
      onReceive.delete(check);
      resolve();
    };
    onReceive.add(check);
    check();
  });

// --- the stage ------------------------------------------------------------------------------------
const rssOf = (pid) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
};
/** CPU seconds (user + system) the process has used, from /proc (clock ticks of 1/100 s). */
const cpuOf = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
/** CPU seconds of each thread of the process, by thread id. */
const threadCpuOf = (pid) => {
  const out = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
      out.set(tid, (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // The thread ended.
    }
  }
  return out;
};
const mib = (n) => (n / 1024 / 1024).toFixed(1);
const request = requestMaker(jsonToProtobuf);
const bodies = Array.from({ length: 64 }, () => request());
const inputBytes = bodies.reduce((s, b) => s + b.length, 0) / bodies.length;

const STAGE_FLAGS = ['--max-semi-space-size=32', ...(process.env.BENCH_STAGE_FLAGS ?? '').split(' ').filter(Boolean)];

async function startStage(extraArgs = []) {
  const child = spawn(
    process.execPath,
    [
      ...STAGE_FLAGS,
      join(root, 'packages/cli/bin/tokenomics.js'),
      'collector',
      '--listen',
      '127.0.0.1:0',
      '--telemetry',
      '127.0.0.1:0',
      '--forward',
      sinkUrl,
      '--queue-memory-limit',
      `${LIMIT_MIB}MiB`,
      '--shutdown-timeout',
      '1s',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const [http, telemetry, workers] = await new Promise((resolve, reject) => {
    child.stderr.on('data', () => {
      const m = /listening http=(\S+?) telemetry=(\S+?);.*; (\d+) workers?/.exec(stderr);
      if (m) resolve([m[1], m[2], Number(m[3])]);
    });
    child.once('exit', (code) => reject(new Error(`collector exited ${code}: ${stderr}`)));
  });
  const [host, port] = [http.slice(0, http.lastIndexOf(':')), Number(http.slice(http.lastIndexOf(':') + 1))];
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  // A plain keep-alive request per body: cheaper for the sender than fetch.
  const post = (body) =>
    new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host,
          port,
          path: '/v1/traces',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const queueBytes = async () => {
    const text = await (await fetch(`http://${telemetry}/metrics`)).text();
    return Number(/^tokenomics_collector_queue_bytes (\d+)/m.exec(text)?.[1] ?? NaN);
  };
  const stop = async () => {
    agent.destroy();
    child.kill('SIGTERM');
    await once(child, 'exit');
  };
  // Warm-up.
  const warm = received + 40;
  for (let i = 0; i < 40; i++) await post(bodies[i % bodies.length]);
  await waitReceived(warm);
  return { child, post, queueBytes, stop, workers };
}

async function throughput(stage) {
  const start = received;
  const cpu0 = cpuOf(stage.child.pid);
  const threads0 = threadCpuOf(stage.child.pid);
  const t0 = process.hrtime.bigint();
  let sent = 0;
  const worker = async () => {
    while (sent < REQUESTS) {
      const body = bodies[sent++ % bodies.length];
      let status = await stage.post(body);
      while (status === 429) status = await stage.post(body);
      if (status !== 200) throw new Error(`stage answered ${status}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  await waitReceived(start + REQUESTS);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = cpuOf(stage.child.pid) - cpu0;
  let busiest = 0;
  for (const [tid, c] of threadCpuOf(stage.child.pid)) busiest = Math.max(busiest, c - (threads0.get(tid) ?? 0));
  const spans = REQUESTS * SPANS_PER_REQUEST;
  // What two free cores would give: bounded by the busiest thread (it has one core at most) and by
  // the CPU of all threads shared over two cores. Derived from CPU time, not measured.
  const twoCores = Math.min(spans / busiest, (2 * spans) / cpu);
  return { wall: spans / seconds, perCpu: spans / cpu, cpuShare: cpu / seconds, busiest: busiest / cpu, twoCores };
}

const f = (n) => Math.round(n).toLocaleString('en-US');
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const report = (label, r) =>
  console.log(
    `throughput ${label}: ${f(r.wall)} GenAI spans/s wall clock; ${f(r.perCpu)} spans per CPU-second of the stage (all threads; it used ${(r.cpuShare * 100).toFixed(0)}% of a core, ${(r.busiest * 100).toFixed(0)}% of its CPU in its busiest thread; on two free cores at most ${f(r.twoCores)}/s); load ${r.load}`,
  );
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// The stage's own work, in this process: a request's bytes in, the priced request's bytes out (no
// HTTP, no queue), eight rounds over the 64 requests, median and best of CPU time per span.
{
  const { enrichTraces } = require(join(root, 'packages/collector/dist/trace-enrichment.js'));
  const { SpanCostEnricher } = require(join(root, 'packages/exporter/dist/index.js'));
  const enricher = new SpanCostEnricher();
  for (const body of bodies) enrichTraces(body, enricher);
  const rounds = [];
  for (let r = 0; r < 8; r++) {
    const c0 = process.cpuUsage();
    for (const body of bodies) enrichTraces(body, enricher);
    const c = process.cpuUsage(c0);
    rounds.push((bodies.length * SPANS_PER_REQUEST) / ((c.user + c.system) / 1e6));
  }
  rounds.sort((a, b) => b - a);
  console.log(`enrichment only (in process, protobuf in and out): median ${f(rounds[4])}, best ${f(rounds[0])} GenAI spans per CPU-second`);
}

console.log(
  `${REQUESTS} requests of ${SPANS_PER_REQUEST} GenAI spans in four dialects, ${Math.round(inputBytes / 1024)} KiB in per request, ${IN_FLIGHT} in flight; stage flags ${STAGE_FLAGS.join(' ')}; load average ${loadavg()}`,
);
// Default workers and one thread, alternating (A/B in the same sitting).
const extra = (process.env.BENCH_WORKERS ?? '').split(' ').filter(Boolean);
const runs = { workers: [], single: [], ...Object.fromEntries(extra.map((n) => [n, []])) };
const argsOf = (kind) => (kind === 'workers' ? [] : ['--workers', kind === 'single' ? '0' : kind]);
let defaultWorkers = 0;
for (let round = 0; round < ROUNDS; round++) {
  const kinds = ['workers', 'single', ...extra];
  for (const kind of round % 2 === 0 ? kinds : kinds.reverse()) {
    const stage = await startStage(argsOf(kind));
    if (kind === 'workers') defaultWorkers = stage.workers;
    const r = { ...(await throughput(stage)), load: loadavg().split(' ')[0] };
    report(
      kind === 'workers' ? `(default: ${stage.workers} worker${stage.workers === 1 ? '' : 's'})` : `(--workers ${argsOf(kind)[1]})`,
      r,
    );
    runs[kind].push(r);
    await stage.stop();
  }
}
const summary = (label, list) =>
  console.log(
    `${label}: median ${f(median(list.map((r) => r.wall)))} spans/s wall clock (${f(Math.min(...list.map((r) => r.wall)))}-${f(Math.max(...list.map((r) => r.wall)))}), median ${f(median(list.map((r) => r.perCpu)))} per CPU-second, ${(median(list.map((r) => r.cpuShare)) * 100).toFixed(0)}% of a core; on two free cores at most ${f(median(list.map((r) => r.twoCores)))}/s (derived)`,
  );
summary(`default workers (${defaultWorkers})`, runs.workers);
summary('--workers 0', runs.single);
for (const n of extra) summary(`--workers ${n}`, runs[n]);
if (median(runs.workers.map((r) => r.wall)) < TARGET_SPANS_PER_SECOND) {
  console.log(`  below the target of ${TARGET_SPANS_PER_SECOND.toLocaleString('en-US')} GenAI spans/s wall clock`);
  if (strict) process.exitCode = 1;
}
const stage = await startStage();
console.log(`  forwarded ${Math.round(receivedBytes / received / 1024)} KiB per request (the input plus the cost attributes)`);

// Added latency per batch.
{
  const samples = [];
  for (let i = 0; i < 200; i++) {
    const target = received + 1;
    const t0 = process.hrtime.bigint();
    await stage.post(bodies[i % bodies.length]);
    await waitReceived(target);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  samples.sort((a, b) => a - b);
  const p = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))].toFixed(2);
  console.log(`latency per batch of ${SPANS_PER_REQUEST} spans, sent to forwarded, one at a time: p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`);
}

// Memory under a stalled next hop.
{
  const before = rssOf(stage.child.pid);
  hold = true;
  let accepted = 0;
  for (let i = 0; ; i++) {
    const status = await stage.post(bodies[i % bodies.length]);
    if (status === 429) break;
    if (status !== 200) throw new Error(`stage answered ${status}`);
    accepted++;
  }
  const queued = await stage.queueBytes();
  const after = rssOf(stage.child.pid);
  const growth = after - before;
  console.log(
    `stalled hop: ${accepted} requests accepted, then 429; queue ${mib(queued)} MiB of a ${LIMIT_MIB} MiB limit; stage RSS ${mib(before)} -> ${mib(after)} MiB (+${mib(growth)} MiB)`,
  );
  if (queued > LIMIT_MIB * 1024 * 1024 || growth > (LIMIT_MIB + 64) * 1024 * 1024) {
    console.log('  memory not bounded by the limit');
    if (strict) process.exitCode = 1;
  }
  hold = false;
  for (const res of held.splice(0)) res.writeHead(200).end();
}

await stage.stop();
sink.closeAllConnections();
sink.close();
