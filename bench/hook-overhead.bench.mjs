// What the hook costs as users run it: `node --require @tokenomics/node/register app`, in its two
// set-ups, next to the bare client, the span floor and the peer instrumentations as their users run
// them, on the real `openai` client.
//
//   node bench/hook-overhead.bench.mjs            (after `tsc -b`; or `pnpm bench` for every benchmark)
//   BENCH_QUICK=1 node bench/hook-overhead.bench.mjs                     fast smoke run
//   BENCH_ROUNDS=7 BENCH_SCENARIOS=chat BENCH_CONFIGS=bare,hook,otel node bench/hook-overhead.bench.mjs
//   HOOK_BENCH_BASELINE=bench/dist/hook-baseline/dist ...   also run the hook with an earlier build of
//                                                           @tokenomics/instrumentation (before/after)
//   HOOK_BENCH_MEMORY=0 ...      skip the memory runs (10,000 streams per set-up)
//   HOOK_BENCH_SOAK=1 ...        also 1,000,000 plain calls through the default set-up, heap sampled
//   BENCH_JSON=out.json ...      also write every raw result
//   HOOK_BENCH_FROM=out.json ... the tables of that run again, without running it
//   HOOK_BENCH_FROM=a.json,b.json ...   sittings of the same code pooled: more rounds, one verdict
//   HOOK_BENCH_CALLS=2000,10000 / HOOK_BENCH_STREAMS=1000,4000 ...   warm-up and timed calls per
//                                process, plain / streamed (shorter processes, more rounds: a
//                                stream's CPU moves by ±20 % from one process to the next)
//
// Set-ups, each in its own process (hook-overhead/app.mjs, started from test/ where the hook resolves):
//   bare         the client alone;
//   span         span floor: a tracer provider with a no-op span processor, the context manager and
//                one empty span per call (hook-overhead/span-floor.cjs);
//   sdk-floor, sdk-floor-spans   the OpenTelemetry components of the hook's two set-ups, built the
//                same way from the same packages, with no Tokenomics code: one duration point per
//                call and, with spans, one empty span per call exported over OTLP (sdk-floor.cjs);
//   usage-floor  (chat-stream-no-usage only) the bare client asking for the stream's usage the app
//                did not ask for, its chunk skipped: what the request for usage costs the client;
//   hook         the hook with no configuration: metrics on its Prometheus endpoint, no trace exporter;
//   hook-spans   the hook with spans exported: OTLP http/protobuf to a local sink answering 200
//                (metrics still on the Prometheus endpoint);
//   otel, openllmetry   NodeSDK + the peer's instrumentation + NodeSDK's batch span processor
//                exporting OTLP http/protobuf to the same sink (hook-overhead/peer.cjs).
// Headline: CPU time per call (user + system of the app process over the timed calls, after warm-up),
// median over rounds of the difference from the bare client in the same round; p50 and p99 wall time
// beside it. Set-ups are interleaved within a round, in an order rotated from round to round.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine } from './overhead/machine.mjs';
import { median, medianInterval } from './overhead/stats.mjs';
import { freePort } from './overhead/free-port.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const APP = join(here, 'hook-overhead', 'app.mjs');
const CWD = join(root, 'test');
const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 5));
const BASELINE = process.env.HOOK_BENCH_BASELINE ? resolve(process.env.HOOK_BENCH_BASELINE) : undefined;
const MEMORY = process.env.HOOK_BENCH_MEMORY !== '0';
const MEMORY_STREAMS = QUICK ? 1_000 : 10_000;
const SOAK = process.env.HOOK_BENCH_SOAK === '1';
const CHUNKS = 52;
/** What pricing a call costs, for the p50 target (price, cache savings and cost by unit, profiled: about 2 µs). */
const PRICING_US = 2;

const HOOK = ['--require', '@tokenomics/node/register'];
const SDK_FLOOR = ['--require', join(here, 'hook-overhead', 'sdk-floor.cjs')];
const CONFIGS = {
  bare: { label: 'bare client, no OpenTelemetry', args: [], env: {} },
  span: {
    label: 'span floor: no-op span processor, context manager, one empty span per call',
    args: ['--require', join(here, 'hook-overhead', 'span-floor.cjs')],
    env: { HOOK_BENCH_WRAP: 'span' },
    floor: true,
  },
  // Where the app does not ask for a stream's usage: the bare client asking for it, as the hook does.
  'usage-floor': {
    label: 'usage floor: the bare client asking for the usage the app did not ask for, its chunk skipped',
    args: [],
    env: { HOOK_BENCH_ASK_USAGE: '1' },
    floor: true,
    scenarios: ['chat-stream-no-usage'],
  },
  // The OpenTelemetry components of the hook's two set-ups, without Tokenomics (sdk-floor.cjs).
  'sdk-floor': {
    label: 'SDK floor of the default set-up: its OpenTelemetry components, one duration point per call',
    args: SDK_FLOOR,
    env: { HOOK_BENCH_WRAP: 'sdk-floor' },
    floor: true,
  },
  'sdk-floor-spans': {
    label: 'SDK floor with spans exported: the same, one empty span per call exported over OTLP',
    args: SDK_FLOOR,
    env: { HOOK_BENCH_WRAP: 'sdk-floor' },
    floor: true,
    spans: true,
  },
  hook: { label: 'Tokenomics hook, default set-up (Prometheus endpoint, no trace exporter)', args: HOOK, env: {}, prometheus: true },
  'hook-spans': { label: 'Tokenomics hook, spans exported (OTLP to a local sink)', args: HOOK, env: {}, prometheus: true, spans: true },
  ...(BASELINE && {
    'hook-baseline': {
      label: 'Tokenomics hook, default set-up, baseline build',
      args: ['--require', join(here, 'hook-overhead', 'baseline.cjs')],
      env: { HOOK_BENCH_BASELINE: BASELINE },
      prometheus: true,
    },
    'hook-spans-baseline': {
      label: 'Tokenomics hook, spans exported, baseline build',
      args: ['--require', join(here, 'hook-overhead', 'baseline.cjs')],
      env: { HOOK_BENCH_BASELINE: BASELINE },
      prometheus: true,
      spans: true,
    },
  }),
  otel: {
    label: 'NodeSDK + @opentelemetry/instrumentation-openai, batch span processor, OTLP',
    args: ['--require', join(here, 'hook-overhead', 'peer.cjs')],
    env: { HOOK_BENCH_PEER: 'otel' },
    peer: true,
    short: '@opentelemetry/instrumentation-openai',
  },
  openllmetry: {
    label: 'NodeSDK + OpenLLMetry @traceloop/instrumentation-openai, batch span processor, OTLP',
    args: ['--require', join(here, 'hook-overhead', 'peer.cjs')],
    env: { HOOK_BENCH_PEER: 'openllmetry' },
    peer: true,
    short: 'OpenLLMetry',
  },
};
const SCENARIOS = {
  chat: { label: 'OpenAI chat, non-streamed' },
  'chat-stream': { label: `OpenAI chat stream, ${CHUNKS} chunks (app asks for usage)` },
  'chat-stream-no-usage': { label: `OpenAI chat stream, ${CHUNKS - 1} chunks (the hook asks for usage and hides its chunk)` },
};

const list = (v) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
const scenarioNames = list(process.env.BENCH_SCENARIOS) ?? Object.keys(SCENARIOS);
const configNames = list(process.env.BENCH_CONFIGS) ?? Object.keys(CONFIGS);
for (const n of scenarioNames) if (!SCENARIOS[n]) throw new Error(`BENCH_SCENARIOS: unknown scenario "${n}"`);
for (const n of configNames) if (!CONFIGS[n]) throw new Error(`BENCH_CONFIGS: unknown set-up "${n}"`);

/** Warm-up and timed calls per process. */
function callsFor(scenario) {
  const streamed = scenario !== 'chat';
  const given = process.env[streamed ? 'HOOK_BENCH_STREAMS' : 'HOOK_BENCH_CALLS'];
  if (given) {
    const counts = given.split(',').map(Number);
    if (counts.length !== 2 || !counts.every((n) => Number.isInteger(n) && n > 0))
      throw new Error(`${streamed ? 'HOOK_BENCH_STREAMS' : 'HOOK_BENCH_CALLS'}: expected "<warm-up>,<timed>", got "${given}"`);
    return counts;
  }
  if (QUICK) return streamed ? [100, 300] : [200, 1000];
  return streamed ? [1000, 4000] : [2000, 10000];
}

// The OTLP sink of the span-exporting set-ups: answers 200 to everything, counts requests and bytes.
const sink = { requests: 0, bytes: 0 };
const sinkServer = createServer((req, res) => {
  sink.requests++;
  req.on('data', (d) => (sink.bytes += d.length));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/x-protobuf' });
    res.end();
  });
});
sinkServer.listen(0, '127.0.0.1');
await once(sinkServer, 'listening');
const SINK = `http://127.0.0.1:${sinkServer.address().port}`;

/** Runs the app under set-up `c`; resolves with its JSON line and the sink traffic it caused. */
async function runApp(c, appArgs, extraEnv = {}) {
  const cfg = CONFIGS[c];
  const env = { ...process.env };
  for (const key of Object.keys(env))
    if (key.startsWith('OTEL_') || key.startsWith('TOKENOMICS_') || key === 'NODE_OPTIONS') delete env[key];
  Object.assign(env, cfg.env, extraEnv, { HOOK_BENCH_SINK: SINK });
  if (cfg.prometheus) Object.assign(env, { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), HOOK_BENCH_SCRAPE: '1' });
  if (cfg.env.HOOK_BENCH_WRAP === 'sdk-floor') env.OTEL_EXPORTER_PROMETHEUS_PORT = String(await freePort());
  if (cfg.spans) Object.assign(env, { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${SINK}/v1/traces` });
  const sinkBefore = { ...sink };
  const child = spawn(process.execPath, ['--expose-gc', ...cfg.args, APP, ...appArgs.map(String)], {
    cwd: CWD,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const [code] = await once(child, 'close');
  const line = out.trim().split('\n').pop();
  if (code !== 0 || !line) throw new Error(`${c} ${appArgs.join(' ')} exited with ${code}\n${err.trim()}`);
  const r = JSON.parse(line);
  r.configuration = c;
  r.sinkRequests = sink.requests - sinkBefore.requests;
  r.sinkBytes = sink.bytes - sinkBefore.bytes;
  if (err.trim()) r.stderr = err.trim().split('\n').slice(0, 3).join(' | ');
  return r;
}

/** Whether set-up `c` runs in scenario `s` (the usage floor only where the app does not ask for usage). */
const runsIn = (c, s) => !CONFIGS[c].scenarios || CONFIGS[c].scenarios.includes(s);

// HOOK_BENCH_FROM=<file written by BENCH_JSON>: the tables of that run again, without running.
// Several files, comma-separated (sittings of the same code), are pooled: their rounds are numbered
// on, one after the other, so that the paired figures pair within each sitting's rounds; the memory
// and soak runs are those of the first file that has one for a set-up.
function pooled(files) {
  const runs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')));
  const results = [];
  const once = new Set();
  let rounds = 0;
  let seconds = 0;
  for (const run of runs) {
    for (const r of run.results) {
      if (r.memory || r.soak) {
        const key = `${r.memory ? 'memory' : 'soak'} ${r.configuration}`;
        if (once.has(key)) continue;
        once.add(key);
        results.push(r);
      } else results.push({ ...r, round: r.round + rounds });
    }
    rounds += run.rounds;
    seconds += run.seconds ?? NaN;
  }
  return { rounds, seconds, results, machine: { before: runs[0].machine.before, after: runs[runs.length - 1].machine.after } };
}
const saved = process.env.HOOK_BENCH_FROM ? pooled(list(process.env.HOOK_BENCH_FROM)) : undefined;
const rounds = saved ? saved.rounds : ROUNDS;
const before = saved ? saved.machine.before : machine();
console.log(`# hook overhead: ${rounds} round(s), node ${before.node}, ${before.cpu}, load ${before.loadavg}`);
const started = Date.now();
const results = saved ? saved.results : [];
if (saved) sinkServer.close();
else {
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of scenarioNames) {
        const order = configNames.map((_, i) => configNames[(i + round) % configNames.length]);
        for (const c of order) {
          if (!runsIn(c, s)) continue;
          const r = await runApp(c, [s, ...callsFor(s)]);
          r.round = round;
          results.push(r);
          process.stderr.write(
            `  round ${round + 1}/${ROUNDS} ${s.padEnd(21)} ${c.padEnd(20)} CPU ${r.cpuUs.toFixed(1).padStart(8)} µs  GC ${r.gcUs.toFixed(1).padStart(7)} µs  p50 ${r.p50Us.toFixed(1).padStart(8)} µs\n`,
          );
        }
      }
    }
    if (MEMORY) {
      for (const c of configNames) {
        if (!runsIn(c, 'chat-stream')) continue;
        const r = await runApp(c, ['chat-stream', QUICK ? 100 : 1000, 0, MEMORY_STREAMS]);
        r.memory = true;
        results.push(r);
        process.stderr.write(
          `  memory ${c.padEnd(20)} heap after ${MEMORY_STREAMS} streams ${(r.memoryHeapBytes / 2 ** 20).toFixed(2)} MB\n`,
        );
      }
    }
    if (SOAK) {
      const r = await runApp('hook', ['chat', 2000, 0, 1_000_000], { HOOK_BENCH_SAMPLE_EVERY: '100000' });
      r.soak = true;
      results.push(r);
    }
  } finally {
    sinkServer.close();
  }
}
const after = saved ? saved.machine.after : machine();
const seconds = saved ? saved.seconds : (Date.now() - started) / 1000;

const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '–');
const timed = results.filter((r) => !r.memory && !r.soak);
// What each timed run's figures give (for a saved run too): CPU outside the GC pauses, and what the
// process's other threads used (NaN where the main thread's CPU was not recorded).
for (const r of timed) {
  r.outsideGcUs = r.cpuUs - r.gcUs;
  r.helperCpuUs = r.cpuUs - r.mainThreadCpuUs;
}
const bareIn = (s, round) => timed.find((r) => r.scenario === s && r.configuration === 'bare' && r.round === round);
function summary(s, c) {
  const rs = timed.filter((r) => r.scenario === s && r.configuration === c);
  if (rs.length === 0) return undefined;
  const out = { rounds: rs.length };
  for (const f of ['p50Us', 'p99Us', 'cpuUs', 'gcUs', 'outsideGcUs', 'mainThreadCpuUs', 'helperCpuUs']) {
    out[f] = median(rs.map((r) => r[f]));
    out[`added_${f}`] = median(rs.map((r) => r[f] - (bareIn(s, r.round)?.[f] ?? NaN)));
  }
  out.heapMB = median(rs.map((r) => r.heapBytes / 2 ** 20));
  out.sinkRequests = rs.reduce((n, r) => n + r.sinkRequests, 0);
  out.costLines = rs[0].costLines;
  out.instrumentation = rs[0].instrumentation;
  return out;
}

const lines = [];
const say = (l = '') => lines.push(l);
say(`Machine: ${before.cpu}, ${before.memoryGiB} GiB, ${before.platform}; node ${before.node} (V8 ${before.v8}).`);
say(`Load average before / after: ${before.loadavg} / ${after.loadavg}. ${rounds} round(s) in ${fmt(seconds, 0)} s.`);
say();
say(
  '| scenario | set-up | CPU µs per call | CPU added µs | p50 µs | p50 added µs | p99 µs | heap after GC MB | OTLP requests to the sink | cost series on /metrics |',
);
say('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|');
const S = {};
for (const s of scenarioNames) {
  S[s] = {};
  for (const c of configNames) {
    const m = summary(s, c);
    if (!m) continue;
    S[s][c] = m;
    const label = CONFIGS[c].label + (m.instrumentation ? ` (${m.instrumentation})` : '');
    const added = (f) => (c === 'bare' ? '–' : fmt(m[`added_${f}`]));
    say(
      `| ${SCENARIOS[s].label} | ${label} | ${fmt(m.cpuUs)} | ${added('cpuUs')} | ${fmt(m.p50Us)} | ${added('p50Us')} | ${fmt(m.p99Us)} | ${fmt(m.heapMB, 2)} | ${CONFIGS[c].spans || CONFIGS[c].peer ? m.sinkRequests : '–'} | ${m.costLines ?? '–'} |`,
    );
  }
}

// Targets (issue 14), CPU added per call.
let missed = false;
const verdict = (ok) => {
  if (ok === undefined) return 'not measured';
  if (!ok) missed = true;
  return ok ? 'met' : 'missed';
};
say();
say('| target | scenario | measured | bound | verdict |');
say('|---|---|--:|--:|:-:|');
for (const s of scenarioNames) {
  const peers = Object.keys(S[s]).filter((c) => CONFIGS[c].peer);
  const lightest = peers.length ? Math.min(...peers.map((p) => S[s][p].added_cpuUs)) : undefined;
  const hook = S[s].hook;
  const spans = S[s]['hook-spans'];
  if (hook && lightest !== undefined)
    say(
      `| default set-up: CPU added ≤ half the lightest peer's | ${SCENARIOS[s].label} | ${fmt(hook.added_cpuUs)} µs | ${fmt(lightest / 2)} µs | ${verdict(hook.added_cpuUs <= lightest / 2)} |`,
    );
  if (spans && lightest !== undefined)
    say(
      `| spans exported: CPU added ≤ the lightest peer's | ${SCENARIOS[s].label} | ${fmt(spans.added_cpuUs)} µs | ${fmt(lightest)} µs | ${verdict(spans.added_cpuUs <= lightest)} |`,
    );
  const floor = S[s].span;
  if (spans && floor) {
    const bound = floor.added_p50Us + PRICING_US + 10;
    say(
      `| spans exported: p50 added within 10 µs of the span floor's plus pricing (${PRICING_US} µs) | ${SCENARIOS[s].label} | ${fmt(spans.added_p50Us)} µs | ${fmt(bound)} µs | ${verdict(spans.added_p50Us <= bound)} |`,
    );
  }
}
// The same CPU targets, paired by round: in each round, the hook's CPU added minus the bound (the
// peer that is lightest over all rounds, measured in that round), with a distribution-free
// interval of the median of those differences. Negative is under the bound.
const paired = [];
for (const s of scenarioNames) {
  const peers = Object.keys(S[s]).filter((c) => CONFIGS[c].peer);
  if (peers.length === 0) continue;
  const lightestPeer = peers.reduce((a, b) => (S[s][b].added_cpuUs < S[s][a].added_cpuUs ? b : a));
  for (const [c, share] of [
    ['hook', 0.5],
    ['hook-spans', 1],
  ]) {
    if (!S[s][c]) continue;
    const diffs = [];
    const outside = [];
    for (const r of timed.filter((x) => x.scenario === s && x.configuration === c)) {
      const bare = bareIn(s, r.round);
      const peer = timed.find((x) => x.scenario === s && x.configuration === lightestPeer && x.round === r.round);
      if (!bare || !peer) continue;
      diffs.push(r.cpuUs - bare.cpuUs - share * (peer.cpuUs - bare.cpuUs));
      outside.push(r.outsideGcUs - bare.outsideGcUs - share * (peer.outsideGcUs - bare.outsideGcUs));
    }
    if (diffs.length === 0) continue;
    const interval = (xs) => {
      const ci = medianInterval(xs);
      return ci ? `${fmt(ci.low)} to ${fmt(ci.high)} µs (${fmt(ci.coverage * 100, 1)} %)` : '– (fewer than 6 rounds)';
    };
    paired.push(
      `| ${c === 'hook' ? 'default set-up' : 'spans exported'} | ${SCENARIOS[s].label} | ${share === 1 ? '' : 'half of '}${CONFIGS[lightestPeer].short} | ${fmt(median(diffs))} µs | ${interval(diffs)} | ${diffs.filter((d) => d <= 0).length} of ${diffs.length} | ${fmt(median(outside))} µs | ${interval(outside)} |`,
    );
  }
}
for (const c of ['hook', 'hook-spans']) {
  const plain = S.chat?.[c];
  const stream = S['chat-stream']?.[c];
  if (!plain || !stream) continue;
  // Everything a stream adds over a plain call, spread over its chunks: an upper bound of the
  // per-chunk work (it also holds the stream's fixed costs and the context floor's per-promise cost).
  const perChunk = (stream.added_cpuUs - plain.added_cpuUs) / CHUNKS;
  say(
    `| per chunk < 0.5 µs (upper bound: stream minus plain CPU added, over ${CHUNKS} chunks) | ${CONFIGS[c].label} | ${fmt(perChunk, 2)} µs | 0.50 µs | ${verdict(perChunk < 0.5)} |`,
  );
}
const mem = results.filter((r) => r.memory);
const bareMem = mem.find((r) => r.configuration === 'bare');
for (const r of mem) {
  if (r === bareMem || !bareMem) continue;
  const diff = (r.memoryHeapBytes - bareMem.memoryHeapBytes) / 2 ** 20;
  const cfg = CONFIGS[r.configuration];
  const ok = cfg.peer || cfg.floor ? undefined : diff <= 5;
  // The hook's rows also say how much of it the SDK floor of the same signals holds.
  const floorName = r.configuration.startsWith('hook') ? (cfg.spans ? 'sdk-floor-spans' : 'sdk-floor') : undefined;
  const floor = floorName && mem.find((x) => x.configuration === floorName);
  const ofFloor = floor ? `; SDK floor ${fmt((floor.memoryHeapBytes - bareMem.memoryHeapBytes) / 2 ** 20, 2)} MB of it` : '';
  say(
    `| heap after one full collection, ${MEMORY_STREAMS.toLocaleString('en-US')} streams, within 5 MB of the bare client | ${cfg.label} | ${fmt(diff, 2)} MB (${fmt(r.memoryHeapBytes / 2 ** 20, 2)} against ${fmt(bareMem.memoryHeapBytes / 2 ** 20, 2)}${ofFloor}) | 5 MB | ${ok === undefined ? (cfg.peer ? '(peer)' : '(floor)') : verdict(ok)} |`,
  );
}
const soak = results.find((r) => r.soak);
if (soak) {
  const heaps = soak.samples.map((x) => x.heapBytes / 2 ** 20);
  const spread = Math.max(...heaps) - Math.min(...heaps);
  say(
    `| flat heap over 1,000,000 calls (spread of heap after GC, sampled every 100,000) | ${CONFIGS.hook.label} | ${fmt(spread, 2)} MB | 5 MB | ${verdict(spread <= 5)} |`,
  );
  process.stderr.write(`  soak: heap after GC every 100,000 calls (MB): ${heaps.map((h) => fmt(h, 2)).join(' ')}\n`);
} else say('| flat heap over 1,000,000 calls | default set-up | not run (HOOK_BENCH_SOAK=1) | 5 MB | not measured |');
if (paired.length) {
  say();
  say('CPU added minus the bound, paired by round (negative: under the bound):');
  say();
  say(
    '| set-up | scenario | bound | median of the round differences | interval of the median | rounds at or under the bound | the same outside GC pauses | its interval |',
  );
  say('|---|---|---|--:|--:|--:|--:|--:|');
  for (const l of paired) say(l);
}
// What the hook adds over a floor, paired by round: over the SDK floor of its own signals
// (sdk-floor.cjs), the part of its cost that is Tokenomics' own work, beside the part any
// implementation on the OpenTelemetry SDK pays; where the hook asks for a stream's usage, over the
// usage floor, what it costs beyond the client's parsing of what that request brings.
const overFloor = [];
function overFloorRow(s, c, f, floorLabel) {
  if (!S[s]?.[c] || !S[s]?.[f]) return;
  const cpu = [];
  const p50 = [];
  for (const r of timed.filter((x) => x.scenario === s && x.configuration === c)) {
    const floor = timed.find((x) => x.scenario === s && x.configuration === f && x.round === r.round);
    if (!floor) continue;
    cpu.push(r.cpuUs - floor.cpuUs);
    p50.push(r.p50Us - floor.p50Us);
  }
  const ci = medianInterval(cpu);
  overFloor.push(
    `| ${CONFIGS[c].label} | ${SCENARIOS[s].label} | ${floorLabel} | ${fmt(S[s][f].added_cpuUs)} µs | ${fmt(median(cpu))} µs | ${ci ? `${fmt(ci.low)} to ${fmt(ci.high)} µs` : '–'} | ${fmt(S[s][f].added_p50Us)} µs | ${fmt(median(p50))} µs |`,
  );
}
for (const s of scenarioNames) {
  overFloorRow(s, 'hook', 'sdk-floor', 'SDK floor');
  overFloorRow(s, 'hook-spans', 'sdk-floor-spans', 'SDK floor');
  overFloorRow(s, 'hook', 'usage-floor', 'usage floor');
  overFloorRow(s, 'hook-spans', 'usage-floor', 'usage floor');
}
if (overFloor.length) {
  say();
  say('The hook over a floor, paired by round (CPU and p50 per call; floors added over the bare client):');
  say();
  say(
    '| set-up | scenario | floor | floor: CPU added | the hook over it: CPU | interval of the median | floor: p50 added | the hook over it: p50 |',
  );
  say('|---|---|---|--:|--:|--:|--:|--:|');
  for (const l of overFloor) say(l);
}
// A process's CPU moves with how often the collector runs in it (full collections, which the
// client's own buffers trigger, vary several-fold from one process to the next), so: the main
// thread's collection pauses per call and the CPU outside them, medians over rounds and added over
// the bare client of the same round. Diagnostic only: the targets stay on the whole CPU.
if (timed.length) {
  say();
  say('Garbage-collection pauses (main thread) and CPU outside them; CPU of the main thread and of the');
  say("process's other threads (V8's collector helpers and compilers, libuv's pool), µs per call:");
  say();
  say(
    '| scenario | set-up | GC pauses | GC pauses added | CPU outside GC | CPU outside GC added | main thread | main thread added | other threads | other threads added |',
  );
  say('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|');
}
for (const s of scenarioNames) {
  for (const c of configNames) {
    const m = S[s][c];
    if (!m) continue;
    const added = (f) => (c === 'bare' ? '–' : fmt(m[`added_${f}`]));
    say(
      `| ${SCENARIOS[s].label} | ${CONFIGS[c].label} | ${fmt(m.gcUs)} | ${added('gcUs')} | ${fmt(m.outsideGcUs)} | ${added('outsideGcUs')} | ${fmt(m.mainThreadCpuUs)} | ${added('mainThreadCpuUs')} | ${fmt(m.helperCpuUs)} | ${added('helperCpuUs')} |`,
    );
  }
}
const warnings = results.filter((r) => r.stderr).map((r) => `${r.configuration} × ${r.scenario}: ${r.stderr}`);
if (warnings.length) {
  say();
  say(`App warnings: ${[...new Set(warnings)].join('; ')}`);
}
// A hook set-up that recorded nothing would look fast: fail the run.
const silent = timed.filter((r) => CONFIGS[r.configuration].prometheus && !(r.costLines > 0));
const unexported = configNames
  .filter((c) => CONFIGS[c].spans || CONFIGS[c].peer)
  .filter((c) => scenarioNames.some((s) => S[s][c] && S[s][c].sinkRequests === 0));
if (silent.length || unexported.length) {
  say();
  say(
    `NOT RECORDED: ${silent
      .map((r) => `${r.configuration} × ${r.scenario}: no tokenomics_cost series`)
      .concat(unexported.map((c) => `${c}: no span export`))
      .join('; ')}`,
  );
  process.exitCode = 1;
}
console.log(lines.join('\n'));
if (process.argv.includes('--strict') && missed) process.exitCode = 1;
if (process.env.BENCH_JSON)
  writeFileSync(process.env.BENCH_JSON, JSON.stringify({ machine: { before, after }, rounds, seconds, results }, null, 2));
