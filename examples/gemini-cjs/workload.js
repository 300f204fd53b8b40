'use strict';
// A realistic mix of Gemini API calls: two models, cached content with thinking and tool use, a
// prompt past Gemini 2.5 Pro's 200k-token price tier, a streamed reply, a two-turn chat,
// embeddings, a stream the user cancels and a rate-limited call that fails. Shared by the
// CommonJS and ESM examples; the `[emulate ...]` directives ask the provider emulator for
// specific behaviour and are plain prompt text to the real API.

const MANUAL = 'The router has four LAN ports and one WAN port; the WAN port is yellow. '.repeat(60);
const FLASH = 'gemini-2.5-flash';
const PRO = 'gemini-2.5-pro';

/** The API's `usageMetadata` as one line. */
const usageLine = (u) =>
  `${u.promptTokenCount ?? 0} prompt / ${u.cachedContentTokenCount ?? 0} cached / ${u.toolUsePromptTokenCount ?? 0} tool-use prompt / ` +
  `${u.thoughtsTokenCount ?? 0} thoughts / ${u.candidatesTokenCount ?? 0} candidates`;

/** Runs the workload with `ai` (a GoogleGenAI client) and `withAttribution`; returns a list of what happened. */
async function runWorkload(ai, withAttribution) {
  const log = [];
  const note = (what) => log.push(what);

  await withAttribution({ tenant: 'acme', feature: 'support' }, async () => {
    const plain = await ai.models.generateContent({
      model: FLASH,
      contents: 'How do I reset my router password?',
      config: { maxOutputTokens: 256, temperature: 0.4 },
    });
    note(`generate ${FLASH}: ${usageLine(plain.usageMetadata)}`);

    const cached = await ai.models.generateContent({
      model: FLASH,
      contents: `${MANUAL} Which port is the WAN port? [emulate cached=512 reasoning=64 tool_use_prompt=32]`,
    });
    note(`cached ${FLASH}: ${usageLine(cached.usageMetadata)}`);

    const long = await ai.models.generateContent({
      model: PRO,
      contents: `${'router '.repeat(205000)} Summarise the log. [emulate output_tokens=20]`,
    });
    note(`long ${PRO}: ${usageLine(long.usageMetadata)}`);
  });

  await withAttribution({ tenant: 'globex', feature: 'chat' }, async () => {
    let chunks = 0;
    let last;
    for await (const chunk of await ai.models.generateContentStream({
      model: PRO,
      contents: 'Write a short release note for firmware 2.1. [emulate output_tokens=30 reasoning=10]',
    })) {
      chunks++;
      last = chunk;
    }
    note(`stream ${PRO}: ${chunks} chunks; ${usageLine(last.usageMetadata)}`);

    const chat = ai.chats.create({ model: FLASH });
    const first = await chat.sendMessage({ message: 'My Wi-Fi keeps dropping. [emulate output_tokens=12]' });
    note(`chat turn 1 ${FLASH}: ${usageLine(first.usageMetadata)}`);
    const second = await chat.sendMessage({ message: 'It is a dual-band router. [emulate output_tokens=14]' });
    note(`chat turn 2 ${FLASH}: ${usageLine(second.usageMetadata)}`);

    const controller = new AbortController();
    let seen = 0;
    try {
      for await (const chunk of await ai.models.generateContentStream({
        model: FLASH,
        contents: 'Keep going. [emulate stall_after=3]',
        config: { abortSignal: controller.signal },
      })) {
        if (chunk.text && ++seen === 3) controller.abort();
      }
    } catch (err) {
      if (!controller.signal.aborted) throw err;
    }
    note(`cancelled ${FLASH} after ${seen} chunks`);
  });

  await withAttribution({ tenant: 'acme', feature: 'search' }, async () => {
    const embedded = await ai.models.embedContent({ model: 'gemini-embedding-001', contents: ['router reset', 'wan port colour'] });
    note(`embed gemini-embedding-001: ${embedded.embeddings.length} vectors`);
    try {
      await ai.models.generateContent({ model: FLASH, contents: 'Busy? [emulate error=429]' });
    } catch (err) {
      note(`generate ${FLASH} failed: ${err.status}`);
    }
  });
  return log;
}

module.exports = { runWorkload };
