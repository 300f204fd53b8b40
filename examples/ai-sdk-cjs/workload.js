'use strict';
// The AI SDK workload shared by the CommonJS and ES-module example services. It gets the `ai`
// module and the provider packages from its caller, so each flavour loads them its own way
// (`require` or `import`).

/**
 * Runs generateText, streamText, generateObject, embed and a two-step tool loop, and returns the
 * lines to print: the results the app got, token counts as the SDK reports them.
 */
async function runWorkload({ ai, createOpenAI, createAnthropic, z }) {
  // The service prints its results only: the SDK's warnings (ai 7 deprecates generateObject) are off.
  globalThis.AI_SDK_LOG_WARNINGS = false;
  const openai = createOpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY });
  const anthropic = createAnthropic({ baseURL: process.env.ANTHROPIC_BASE_URL, apiKey: process.env.ANTHROPIC_API_KEY });
  // The SDK's own OpenTelemetry spans, when AI_SDK_TELEMETRY=1 (Tokenomics prices each call once either way).
  const telemetry = { isEnabled: process.env.AI_SDK_TELEMETRY === '1', functionId: 'bike-shop' };
  const log = [];

  const answer = await ai.generateText({
    model: openai.chat('gpt-4o-mini'),
    prompt: 'Which bike suits a 10 km commute?',
    maxRetries: 0,
    experimental_telemetry: telemetry,
  });
  log.push(`generateText gpt-4o-mini: ${answer.usage.inputTokens} in / ${answer.usage.outputTokens} out: ${answer.text}`);

  const stream = ai.streamText({
    model: anthropic('claude-sonnet-4-5'),
    system: 'You are the support assistant of a bike shop.',
    prompt: 'Summarise our return policy. [emulate cache_read=24 cache_write=12]',
    maxRetries: 0,
    experimental_telemetry: telemetry,
  });
  let streamed = '';
  for await (const text of stream.textStream) streamed += text;
  const streamUsage = await stream.usage;
  log.push(
    `streamText claude-sonnet-4-5: ${streamUsage.inputTokens} in (${streamUsage.inputTokenDetails.cacheReadTokens} cache read, ` +
      `${streamUsage.inputTokenDetails.cacheWriteTokens} cache write) / ${streamUsage.outputTokens} out: ${streamed}`,
  );

  // Anthropic's forced-tool mode: the object arrives as the input of a `json` tool call.
  const extracted = await ai.generateObject({
    model: anthropic('claude-haiku-4-5'),
    schema: z.object({ summary: z.string() }),
    prompt: 'Summarise this complaint: "My helmet strap broke after a week."',
    providerOptions: { anthropic: { structuredOutputMode: 'jsonTool' } },
    maxRetries: 0,
    experimental_telemetry: telemetry,
  });
  log.push(
    `generateObject claude-haiku-4-5: ${extracted.usage.inputTokens} in / ${extracted.usage.outputTokens} out: ${JSON.stringify(extracted.object)}`,
  );

  const embedded = await ai.embed({
    model: openai.embedding('text-embedding-3-small'),
    value: 'puncture-proof touring tyres',
    maxRetries: 0,
    experimental_telemetry: telemetry,
  });
  log.push(`embed text-embedding-3-small: ${embedded.usage.tokens} tokens, ${embedded.embedding.length} dimensions`);

  // Step 1 must call the tool, step 2 answers with its result: two model calls.
  const loop = await ai.generateText({
    model: openai.responses('gpt-4.1'),
    prompt: 'Is the Trekking 500 in stock in Lyon?',
    tools: {
      stock: ai.tool({
        description: 'Units of a product in stock at a shop',
        inputSchema: z.object({ product: z.string() }),
        execute: async ({ product }) => ({ product, shop: 'Lyon', units: 3 }),
      }),
    },
    prepareStep: ({ stepNumber }) => ({ toolChoice: stepNumber === 0 ? 'required' : 'none' }),
    stopWhen: ai.stepCountIs(2),
    maxRetries: 0,
    experimental_telemetry: telemetry,
  });
  const steps = loop.steps.map(
    (s, i) => `step ${i + 1}: ${s.usage.inputTokens} in / ${s.usage.outputTokens} out, ${s.toolCalls.length} tool calls`,
  );
  log.push(`tool loop gpt-4.1: ${loop.steps.length} steps (${steps.join('; ')}): ${loop.text}`);
  return log;
}

module.exports = { runWorkload };
