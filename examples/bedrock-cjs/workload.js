'use strict';
// A realistic mix of Amazon Bedrock Runtime calls: Claude through Converse with a prompt read from
// and written to the cache, a streamed Converse reply, InvokeModel with Claude (by inference
// profile ARN) and Llama bodies, a streamed Llama InvokeModel, a stream the user cancels and a
// throttled call that fails. Model ids come in their in-region, cross-region (`us.`, `eu.`) and
// ARN forms. Shared by the CommonJS and ESM examples; the `[emulate ...]` directives ask the
// provider emulator for specific behaviour and are plain prompt text to the real service.

const HAIKU = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const LLAMA = 'meta.llama3-1-8b-instruct-v1:0';
const PROFILE_ARN = `arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.${HAIKU}`;
const HANDBOOK = 'Refunds are accepted within 30 days with a receipt. Store credit is offered after that. '.repeat(40);

const user = (text) => [{ role: 'user', content: [{ text }] }];
const decode = (bytes) => JSON.parse(new TextDecoder().decode(bytes));

/** Converse `usage` as one line: its input excludes the cache. */
const converseLine = (u) =>
  `${u.inputTokens} in / ${u.cacheReadInputTokens ?? 0} cache read / ${u.cacheWriteInputTokens ?? 0} cache write / ${u.outputTokens} out`;

/**
 * Runs the workload with `client` (a BedrockRuntimeClient), the command classes in `sdk` and
 * `withAttribution`; returns a list of what happened.
 */
async function runWorkload(client, sdk, withAttribution) {
  const log = [];
  const note = (what) => log.push(what);

  await withAttribution({ tenant: 'acme', feature: 'support' }, async () => {
    const plain = await client.send(
      new sdk.ConverseCommand({
        modelId: `us.${HAIKU}`,
        messages: user('Can I return shoes after six weeks?'),
        inferenceConfig: { maxTokens: 300 },
      }),
    );
    note(`converse us.${HAIKU}: ${converseLine(plain.usage)}`);

    const cached = await client.send(
      new sdk.ConverseCommand({
        modelId: `us.${HAIKU}`,
        system: [{ text: HANDBOOK }, { cachePoint: { type: 'default' } }],
        messages: user('Is store credit possible? [emulate cache_read=300 cache_write=120]'),
      }),
    );
    note(`cached us.${HAIKU}: ${converseLine(cached.usage)}`);

    const invoked = await client.send(
      new sdk.InvokeModelCommand({
        modelId: PROFILE_ARN,
        contentType: 'application/json',
        body: JSON.stringify({
          anthropic_version: 'bedrock-2023-05-31',
          max_tokens: 200,
          messages: [{ role: 'user', content: 'Draft a refund email. [emulate output_tokens=25]' }],
        }),
      }),
    );
    const u = decode(invoked.body).usage;
    note(
      `invoke claude profile arn: ${u.input_tokens} in / ${u.cache_read_input_tokens} cache read / ${u.cache_creation_input_tokens} cache write / ${u.output_tokens} out`,
    );
  });

  await withAttribution({ tenant: 'globex', feature: 'chat' }, async () => {
    let deltas = 0;
    let usage;
    const streamed = await client.send(
      new sdk.ConverseStreamCommand({
        modelId: `eu.${HAIKU}`,
        messages: user('Tell a story about a lost parcel. [emulate output_tokens=30]'),
      }),
    );
    for await (const event of streamed.stream) {
      if (event.contentBlockDelta) deltas++;
      if (event.metadata) usage = event.metadata.usage;
    }
    note(`stream eu.${HAIKU}: ${deltas} deltas; ${converseLine(usage)}`);

    const llama = decode(
      (
        await client.send(
          new sdk.InvokeModelCommand({
            modelId: LLAMA,
            body: JSON.stringify({ prompt: 'Name three parcel carriers. [emulate output_tokens=18]', max_gen_len: 128 }),
          }),
        )
      ).body,
    );
    note(`invoke ${LLAMA}: ${llama.prompt_token_count} in / ${llama.generation_token_count} out`);

    let metrics;
    const llamaStream = await client.send(
      new sdk.InvokeModelWithResponseStreamCommand({
        modelId: `us.${LLAMA}`,
        body: JSON.stringify({ prompt: 'List delivery options. [emulate output_tokens=16]' }),
      }),
    );
    for await (const event of llamaStream.body) {
      const chunk = decode(event.chunk.bytes);
      if (chunk['amazon-bedrock-invocationMetrics']) metrics = chunk['amazon-bedrock-invocationMetrics'];
    }
    note(`invoke stream us.${LLAMA}: ${metrics.inputTokenCount} in / ${metrics.outputTokenCount} out`);

    const controller = new AbortController();
    let seen = 0;
    try {
      const endless = await client.send(
        new sdk.ConverseStreamCommand({ modelId: HAIKU, messages: user('Keep going. [emulate stall_after=3]') }),
        {
          abortSignal: controller.signal,
        },
      );
      for await (const event of endless.stream) {
        if (event.contentBlockDelta && ++seen === 3) controller.abort();
      }
    } catch (err) {
      if (!controller.signal.aborted) throw err;
    }
    note(`cancelled ${HAIKU} after ${seen} deltas`);
  });

  await withAttribution({ tenant: 'acme', feature: 'search' }, async () => {
    try {
      await client.send(new sdk.ConverseCommand({ modelId: HAIKU, messages: user('Busy? [emulate error=429]') }));
    } catch (err) {
      note(`converse ${HAIKU} failed: ${err.name} ${err.$metadata?.httpStatusCode}`);
    }
  });
  return log;
}

module.exports = { runWorkload };
