'use strict';
// A realistic mix of OpenAI calls: several models, streamed and not, a cached prompt, reasoning,
// embeddings, the Responses API, and a rate-limited call that fails. Shared by the CommonJS and
// ESM examples; the `[emulate ...]` directives ask the provider emulator for specific behaviour
// and are plain prompt text to a real provider.

const SHARED_CONTEXT = 'You are a support assistant for a bicycle shop. '.repeat(120);

/** Runs the workload with `client` and `withAttribution`; returns a list of what happened. */
async function runWorkload(client, withAttribution) {
  const log = [];
  const note = (what) => log.push(what);

  await withAttribution({ tenant: 'acme', feature: 'support' }, async () => {
    const r = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Which tyre pressure for a city bike?' }],
    });
    note(`chat gpt-4o-mini: ${r.usage.prompt_tokens} in / ${r.usage.completion_tokens} out`);

    const cached = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: SHARED_CONTEXT },
        { role: 'user', content: 'Do you repair e-bikes? [emulate cached=1024]' },
      ],
    });
    note(`chat gpt-4o (cached ${cached.usage.prompt_tokens_details.cached_tokens}): ${cached.usage.prompt_tokens} in`);
  });

  await withAttribution({ tenant: 'globex', feature: 'chat' }, async () => {
    let streamed = 0;
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'Tell me a short story about a tandem. [emulate output_tokens=40]' }],
    });
    for await (const chunk of stream) if (chunk.choices[0]?.delta?.content) streamed++;
    note(`stream gpt-4o-mini: ${streamed} content chunks`);

    const reasoning = await client.chat.completions.create({
      model: 'o3-mini',
      messages: [{ role: 'user', content: 'Plan a 3-day route. [emulate reasoning=256 output_tokens=80]' }],
    });
    note(`chat o3-mini: ${reasoning.usage.completion_tokens_details.reasoning_tokens} reasoning tokens`);

    const response = await client.responses.create({ model: 'gpt-4.1', input: 'Summarise our returns policy.' });
    note(`responses gpt-4.1: ${response.usage.input_tokens} in / ${response.usage.output_tokens} out`);
  });

  await withAttribution({ tenant: 'acme', feature: 'search' }, async () => {
    const emb = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['chain lube', 'disc brake pads', 'tubeless tyres'],
    });
    note(`embeddings text-embedding-3-small: ${emb.usage.prompt_tokens} in`);
    try {
      await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Busy? [emulate error=429]' }],
      });
    } catch (err) {
      note(`chat gpt-4o-mini failed: ${err.status}`);
    }
  });
  return log;
}

module.exports = { runWorkload };
