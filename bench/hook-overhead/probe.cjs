// Preload that times named functions of the instrumentation build inside a running app: the wall
// time of each call to each, summed, and printed per call on stderr when the process exits. For
// what a profile cannot resolve: one operation of a few microseconds among the milliseconds of a
// client's own work (a profile's samples of it vary by ±20 % between processes).
//
//   PROBE=<file>#<export>[.<key>...],... node --require bench/hook-overhead/probe.cjs \
//     --require @tokenomics/node/register <app> ...
//
// `<file>` is a module of the build the hook loaded, from its `dist` folder:
// `packages/instrumentation/dist`, or HOOK_BENCH_BASELINE's copy under the baseline preload.
// `<export>` is a function that module exports; with `.<key>`, a function reached from an export
// (`abandonedStreams.track`, `GenAIRecorder.prototype.start`). Only calls through the module's
// exports are timed (from other modules of the build, not from inside the same module). E.g.
//
//   PROBE=genai/abandoned-streams.js#abandonedStreams.track,genai/abandoned-streams.js#abandonedStreams.release
//   PROBE=bedrock/response-headers.js#attachExchangeObserver,bedrock/commands.js#isStreaming
//
// Prints one line per function: `probe <file>#<name>: <µs per call> µs × <calls>`. The timer (two
// `process.hrtime.bigint()` readings and the wrapper) adds about 0.1 µs to a call made in a tight
// loop, and more to one made cold: 0.75 µs to a trivial function between Bedrock's calls. Probe a
// trivial function beside the others to read that floor in the same run.
'use strict';
const { join, resolve } = require('node:path');

// Required after the hook (or the baseline preload): the build whose entry is loaded is the one timed.
const current = join(__dirname, '..', '..', 'packages', 'instrumentation', 'dist');
const baseline = process.env.HOOK_BENCH_BASELINE ? resolve(process.env.HOOK_BENCH_BASELINE) : undefined;
const loaded = (dir) => require.cache[join(dir, 'hook.js')] !== undefined || require.cache[join(dir, 'index.js')] !== undefined;
const dist = baseline !== undefined && loaded(baseline) ? baseline : current;
if (!loaded(dist))
  throw new Error(`PROBE: no build of @tokenomics/instrumentation is loaded from ${dist}; require this file after the hook`);
const probes = [];

for (const spec of (process.env.PROBE ?? '').split(',').filter(Boolean)) {
  const [file, name] = spec.split('#');
  if (!file || !name) throw new Error(`PROBE: "${spec}" is not <file>#<export>[.<key>...]`);
  const exports = require(join(dist, file));
  const path = name.split('.');
  const key = path.pop();
  let holder = exports;
  for (const step of path) holder = holder?.[step];
  const original = holder?.[key];
  if (typeof original !== 'function') throw new Error(`PROBE: ${file} has no function ${name}`);
  const probe = { spec, ns: 0n, calls: 0 };
  probes.push(probe);
  holder[key] = function probed(...args) {
    const t0 = process.hrtime.bigint();
    try {
      return original.apply(this, args);
    } finally {
      probe.ns += process.hrtime.bigint() - t0;
      probe.calls++;
    }
  };
}

process.on('exit', () => {
  for (const p of probes) {
    const us = p.calls === 0 ? NaN : Number(p.ns) / p.calls / 1000;
    process.stderr.write(`probe ${p.spec}: ${us.toFixed(2)} µs × ${p.calls}\n`);
  }
});
