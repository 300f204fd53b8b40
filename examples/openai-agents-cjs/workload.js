'use strict';
// The OpenAI Agents SDK workload of the openai-agents examples. The SDK is passed in, so the
// CommonJS app runs it with the SDK's CommonJS build and the ES-module app with its ESM build.
// Returns the lines the app prints: each run's last agent, final output and billed usage.

/**
 * @param {object} sdk `@openai/agents` exports.
 * @param {object} z `zod` (the tool's parameters).
 */
async function runWorkload(sdk, z) {
  const { Agent, run, tool, setTracingDisabled, setTraceProcessors } = sdk;
  const log = [];
  const traced = configureTracing(process.env.EXAMPLE_AGENTS_TRACING, { setTracingDisabled, setTraceProcessors });

  // A handoff: triage must call a tool, and its only tool is the handoff to refunds.
  const refunds = new Agent({ name: 'refunds', instructions: 'You handle refund requests in one sentence.', model: 'gpt-4o-mini' });
  const triage = new Agent({
    name: 'triage',
    instructions: 'Hand every refund request to the refunds agent.',
    model: 'gpt-4o-mini',
    handoffs: [refunds],
    modelSettings: { toolChoice: 'required' },
  });
  report(log, 'handoff', await run(triage, 'My bike arrived scratched, I want my money back.'));

  // A function tool: the first call asks for it, the second answers with its result.
  const orderStatus = tool({
    name: 'order_status',
    description: 'Status of an order.',
    parameters: z.object({ order_id: z.string() }),
    execute: async () => 'shipped on Monday',
  });
  const support = new Agent({
    name: 'support',
    instructions: 'Look orders up before answering.',
    model: 'gpt-4o-mini',
    tools: [orderStatus],
    modelSettings: { toolChoice: 'required' },
  });
  report(log, 'tool', await run(support, 'Where is order 1234?'));

  // An agent used as another agent's tool: its run is its own, under its own name.
  const translator = new Agent({ name: 'translator', instructions: 'Translate to French.', model: 'gpt-4o-mini' });
  const concierge = new Agent({
    name: 'concierge',
    instructions: 'Use the translator for every answer.',
    model: 'gpt-4o-mini',
    tools: [translator.asTool({ toolName: 'translate', toolDescription: 'Translate text to French.' })],
    modelSettings: { toolChoice: 'required' },
  });
  report(log, 'agent as tool', await run(concierge, 'Tell the customer the shop opens at nine.'));

  // A streamed run.
  const streamed = await run(refunds, 'Can I return a helmet I wore once?', { stream: true });
  let chunks = 0;
  for await (const text of streamed.toTextStream()) if (text.length > 0) chunks++;
  await streamed.completed;
  report(log, `stream (${chunks > 0 ? 'chunks' : 'no chunks'})`, streamed);

  if (traced) log.push(`sdk tracing: ${traced.traces()} traces, spans ${traced.spans()}`);
  return log;
}

/**
 * The SDK's own tracing: `local` sends it to a processor in this process (counted, never sent
 * anywhere), anything else turns it off.
 */
function configureTracing(mode, { setTracingDisabled, setTraceProcessors }) {
  if (mode !== 'local') {
    setTracingDisabled(true);
    return undefined;
  }
  let traces = 0;
  const types = new Map();
  setTraceProcessors([
    {
      async onTraceStart() {},
      async onTraceEnd() {
        traces++;
      },
      async onSpanStart() {},
      async onSpanEnd(span) {
        const type = span.spanData.type;
        types.set(type, (types.get(type) ?? 0) + 1);
      },
      async shutdown() {},
      async forceFlush() {},
    },
  ]);
  setTracingDisabled(false);
  return {
    traces: () => traces,
    spans: () =>
      [...types.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([type, n]) => `${type}=${n}`)
        .join(' '),
  };
}

function report(log, what, result) {
  const usage = result.state.usage;
  log.push(
    `${what}: ${result.lastAgent.name} said ${JSON.stringify(result.finalOutput)} ` +
      `(${usage.requests} requests, ${usage.inputTokens} in / ${usage.outputTokens} out)`,
  );
}

/** Model calls the workload makes: handoff 2, tool 2, agent as tool 3, stream 1. */
const MODEL_CALLS = 8;

module.exports = { runWorkload, MODEL_CALLS };
