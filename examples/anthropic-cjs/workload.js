'use strict';
// A realistic mix of Anthropic Messages API calls: two models, a prompt served from and written to
// the cache (5-minute and 1-hour lifetimes), web search, a streamed reply, the stream() helper, a
// stream the user cancels, a rate-limited call that fails, and a token count. Shared by the
// CommonJS and ESM examples; the `[emulate ...]` directives ask the provider emulator for specific
// behaviour and are plain prompt text to the real API.

const SHARED_CONTEXT = 'You are a support assistant for a bicycle shop. '.repeat(200);
const MODEL = 'claude-sonnet-4-0';

/** The API's usage as one line: its input excludes the cache. */
const usageLine = (u) =>
  `${u.input_tokens} in / ${u.cache_read_input_tokens} cache read / ${u.cache_creation?.ephemeral_5m_input_tokens ?? 0} cache write 5m / ` +
  `${u.cache_creation?.ephemeral_1h_input_tokens ?? 0} cache write 1h / ${u.output_tokens} out / ${u.server_tool_use?.web_search_requests ?? 0} searches`;

/** Runs the workload with `client` and `withAttribution`; returns a list of what happened. */
async function runWorkload(client, withAttribution) {
  const log = [];
  const note = (what) => log.push(what);

  await withAttribution({ tenant: 'acme', feature: 'support' }, async () => {
    const plain = await client.messages.create({
      model: MODEL,
      max_tokens: 512,
      messages: [{ role: 'user', content: 'Which tyre pressure for a city bike?' }],
    });
    note(`create ${MODEL}: ${usageLine(plain.usage)}`);

    const cached = await client.messages.create({
      model: MODEL,
      max_tokens: 512,
      system: [{ type: 'text', text: SHARED_CONTEXT, cache_control: { type: 'ephemeral', ttl: '1h' } }],
      messages: [{ role: 'user', content: 'Do you repair e-bikes? [emulate cache_read=1024 cache_write=256 cache_write_1h=128]' }],
    });
    note(`cached ${MODEL}: ${usageLine(cached.usage)}`);

    const searched = await client.messages.create({
      model: 'claude-3-5-haiku-latest',
      max_tokens: 512,
      tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 }],
      messages: [{ role: 'user', content: "Find this year's best commuter bikes. [emulate web_search=2 output_tokens=60]" }],
    });
    note(`search claude-3-5-haiku-latest: ${usageLine(searched.usage)}`);
  });

  await withAttribution({ tenant: 'globex', feature: 'chat' }, async () => {
    let deltas = 0;
    let streamedUsage;
    const stream = await client.messages.create({
      model: MODEL,
      max_tokens: 512,
      stream: true,
      messages: [{ role: 'user', content: 'Tell me a short story about a tandem. [emulate output_tokens=40]' }],
    });
    for await (const event of stream) {
      if (event.type === 'content_block_delta') deltas++;
      if (event.type === 'message_start') streamedUsage = { ...event.message.usage };
      if (event.type === 'message_delta') Object.assign(streamedUsage, event.usage);
    }
    note(`stream ${MODEL}: ${deltas} deltas; ${usageLine(streamedUsage)}`);

    const final = await client.messages
      .stream({ model: MODEL, max_tokens: 512, messages: [{ role: 'user', content: 'Plan a 3-day route. [emulate output_tokens=30]' }] })
      .finalMessage();
    note(`helper ${MODEL}: ${usageLine(final.usage)}`);

    const controller = new AbortController();
    let seen = 0;
    const endless = await client.messages.create(
      { model: MODEL, max_tokens: 512, stream: true, messages: [{ role: 'user', content: 'Keep going. [emulate stall_after=3]' }] },
      { signal: controller.signal },
    );
    for await (const event of endless) {
      if (event.type === 'content_block_delta' && ++seen === 3) controller.abort();
    }
    note(`cancelled ${MODEL} after ${seen} deltas`);
  });

  await withAttribution({ tenant: 'acme', feature: 'search' }, async () => {
    const counted = await client.messages.countTokens({ model: MODEL, messages: [{ role: 'user', content: 'How long is this?' }] });
    note(`count_tokens ${MODEL}: ${counted.input_tokens} tokens`);
    try {
      await client.messages.create({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'Busy? [emulate error=429]' }] });
    } catch (err) {
      note(`create ${MODEL} failed: ${err.status}`);
    }
  });
  return log;
}

module.exports = { runWorkload };
