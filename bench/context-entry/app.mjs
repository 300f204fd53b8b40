// The app of bench/context-entry.bench.mjs: one client's calls to the emulator, in the process the
// benchmark started (with or without the hook), then what they cost and whether the context
// manager is tracking promises.
//
//   node [--require @tokenomics/node/register] app.mjs <client> <warm-up calls> <timed calls>
//
// Clients: `bedrock` (InvokeModel of a Mistral model: its token counts are only in the response
// headers), `ai-sdk` (`generateText` of ai 5 through its OpenAI provider), `ai-sdk-telemetry` (the
// same with the SDK's own telemetry on: it starts active spans through the API) and `langchain` (a
// prompt, `ChatOpenAI` and a string parser piped into one chain, streamed). With
// CONTEXT_BENCH_ENTER=1 the app enters one context of its own first (what each call of these
// clients did before they ran in the app's context): the AsyncLocalStorage context manager then
// tracks every promise of the process from that point on.
//
// Prints one JSON line: median bytes and CPU per timed call, the bytes one promise with a reaction
// takes at the end, and the calls the hook's Prometheus endpoint counted (when it has one).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../overhead/stats.mjs';

const fromTest = createRequire(join(fileURLToPath(import.meta.url), '..', '..', '..', 'test', 'package.json'));
const [client, warmArg, timedArg] = process.argv.slice(2);
const WARM = Number(warmArg);
const TIMED = Number(timedArg);

if (process.env.CONTEXT_BENCH_ENTER === '1') {
  const { context, createContextKey } = fromTest('@opentelemetry/api');
  // A context with a value of its own: the hook's context manager enters no context equal to the active one.
  context.with(context.active().setValue(createContextKey('bench: entered'), true), () => undefined);
}

let call;
if (client === 'bedrock') {
  const sdk = fromTest('@aws-sdk/client-bedrock-runtime-latest');
  const bedrock = new sdk.BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: process.env.CONTEXT_BENCH_BEDROCK,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'bench-secret' },
    maxAttempts: 1,
  });
  const body = JSON.stringify({ prompt: '<s>[INST] Which bike for a commute? [/INST]', max_tokens: 40 });
  call = async () => {
    const out = await bedrock.send(new sdk.InvokeModelCommand({ modelId: 'mistral.mistral-7b-instruct-v0:2', body }));
    if (!(out.body instanceof Uint8Array) || out.body.length === 0) throw new Error('the app received an empty body');
  };
} else if (client === 'ai-sdk' || client === 'ai-sdk-telemetry') {
  const ai = fromTest('ai-v5');
  const openai = fromTest('@ai-sdk/openai-v2').createOpenAI({ baseURL: process.env.CONTEXT_BENCH_OPENAI, apiKey: 'sk-bench' });
  const model = openai.chat('gpt-4o-mini');
  const telemetry = client === 'ai-sdk-telemetry' ? { experimental_telemetry: { isEnabled: true } } : {};
  call = async () => {
    const out = await ai.generateText({ model, prompt: 'Which bike for a commute?', maxRetries: 0, ...telemetry });
    if (!out.text) throw new Error('the app received no text');
  };
} else if (client === 'langchain') {
  const { ChatOpenAI } = fromTest('@langchain/openai');
  const model = new ChatOpenAI({
    model: 'gpt-4o-mini',
    apiKey: 'sk-bench',
    configuration: { baseURL: process.env.CONTEXT_BENCH_OPENAI },
    maxRetries: 0,
  });
  const { ChatPromptTemplate } = fromTest('@langchain/core/prompts');
  const { StringOutputParser } = fromTest('@langchain/core/output_parsers');
  const chain = ChatPromptTemplate.fromTemplate('Which {thing} for a commute?').pipe(model).pipe(new StringOutputParser());
  call = async () => {
    let text = '';
    for await (const chunk of await chain.stream({ thing: 'bike' })) text += chunk;
    if (!text) throw new Error('the app received no text');
  };
} else {
  throw new Error(`unknown client ${client}`);
}

for (let i = 0; i < WARM; i++) await call();

const bytes = [];
const cpu = [];
for (let i = 0; i < TIMED; i++) {
  const heap0 = process.memoryUsage().heapUsed;
  const cpu0 = process.cpuUsage();
  await call();
  const used = process.cpuUsage(cpu0);
  const grown = process.memoryUsage().heapUsed - heap0;
  cpu.push(used.user + used.system);
  // A call during which the young generation was collected shrinks the heap: its bytes are unknown.
  if (grown >= 0) bytes.push(grown);
}

/** Bytes of one promise and its reaction, made now: more while the context manager tracks promises. */
function promiseBytes() {
  const n = 10_000;
  const keep = new Array(n);
  const noop = () => undefined;
  const resolved = Promise.resolve();
  const heap0 = process.memoryUsage().heapUsed;
  for (let i = 0; i < n; i++) keep[i] = resolved.then(noop);
  return (process.memoryUsage().heapUsed - heap0) / n;
}
const probe = [promiseBytes(), promiseBytes(), promiseBytes()].sort((a, b) => a - b)[1];

let recorded;
if (process.env.OTEL_EXPORTER_PROMETHEUS_PORT) {
  const text = await (await fetch(`http://127.0.0.1:${process.env.OTEL_EXPORTER_PROMETHEUS_PORT}/metrics`)).text();
  recorded = 0;
  for (const line of text.split('\n'))
    if (/^gen_ai_client_operation_duration(_seconds)?_count[{ ]/.test(line)) recorded += Number(line.slice(line.lastIndexOf(' ') + 1));
}

console.log(
  JSON.stringify({ bytesPerCall: median(bytes), bytesSamples: bytes.length, cpuUsPerCall: median(cpu), promiseBytes: probe, recorded }),
);
process.exit(0);
