// Raw streams: an OpenAI chat stream read by the app through `asResponse()` (52 SSE events, read
// to the end with a reader), bare client against the Tokenomics configuration, which copies
// nothing and parses the events as the app reads them. Each configuration runs in its own process.
//
//   node bench/raw-stream.bench.mjs                 (after `tsc -b`)
//   RAW_STREAMS=20000 node bench/raw-stream.bench.mjs
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { openaiChatJSON, openaiChatSSE, OPENAI_MODEL, MESSAGES } from './overhead/bodies.mjs';
import { stubFetch } from './overhead/fetch-stub.mjs';
import { machine } from './overhead/machine.mjs';

const STREAMS = Number(process.env.RAW_STREAMS ?? 5_000);
const ROUNDS = 3;

async function worker(mode) {
  const require = createRequire(import.meta.url);
  let telemetry;
  if (mode === 'tokenomics') {
    const { startTelemetry } = await import('./overhead/telemetry.mjs');
    telemetry = startTelemetry();
    const { OpenAIInstrumentation } = require('@tokenomics/instrumentation');
    const instrumentation = new OpenAIInstrumentation();
    instrumentation.setTracerProvider(telemetry.tracerProvider);
    instrumentation.setMeterProvider(telemetry.meterProvider);
    instrumentation.enable();
  }
  const { OpenAI } = require('openai');
  const client = new OpenAI({
    apiKey: 'sk-bench',
    baseURL: 'http://127.0.0.1:9/v1',
    maxRetries: 0,
    fetch: stubFetch({ json: openaiChatJSON(), sse: openaiChatSSE() }),
  });
  const body = { model: OPENAI_MODEL, messages: MESSAGES, stream: true, stream_options: { include_usage: true } };
  let bytes = 0;
  const one = async () => {
    const response = await client.chat.completions.create(body).asResponse();
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
    }
  };
  for (let i = 0; i < 500; i++) await one(); // warm-up
  const times = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < STREAMS; i++) await one();
    times.push(((performance.now() - t0) * 1000) / STREAMS);
  }
  const finished = telemetry ? await telemetry.finish() : undefined;
  process.stdout.write(
    JSON.stringify({
      perStreamUs: Math.min(...times),
      bytes,
      spans: finished?.spans,
      last: finished?.lastSpan?.attributes?.['tokenomics.usage.estimated'],
    }),
  );
}

if (process.argv[2] === '--worker') {
  await worker(process.argv[3]);
} else {
  const m = machine();
  console.log(
    `# raw streams: ${STREAMS.toLocaleString('en-US')} OpenAI chat streams read through asResponse(), best of ${ROUNDS}; node ${m.node}, ${m.cpu}, load ${m.loadavg}`,
  );
  const run = (mode) => {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--worker', mode], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${mode} worker failed: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const bare = run('bare');
  const tokenomics = run('tokenomics');
  console.log();
  console.log('| configuration | µs per stream | spans | usage estimated |');
  console.log('|--|--:|--:|--|');
  console.log(`| bare client | ${bare.perStreamUs.toFixed(1)} | – | – |`);
  console.log(`| Tokenomics | ${tokenomics.perStreamUs.toFixed(1)} | ${tokenomics.spans} | ${tokenomics.last} |`);
  console.log();
  console.log(
    `Added per raw stream: ${(tokenomics.perStreamUs - bare.perStreamUs).toFixed(1)} µs (52 events parsed, span and metrics recorded); bytes read equal: ${bare.bytes === tokenomics.bytes}.`,
  );
  if (bare.bytes !== tokenomics.bytes || tokenomics.last !== false) process.exitCode = 1;
}
