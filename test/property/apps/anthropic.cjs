'use strict';
const Anthropic = require('@anthropic-ai/sdk');
const { readHelper, readStream, readValue, runCases } = require('./reading.cjs');

runCases(async (c, server) => {
  const client = new Anthropic({ apiKey: 'sk-ant-property-test', baseURL: server, maxRetries: 0 });
  const request = { model: c.model, max_tokens: 256, messages: [{ role: 'user', content: 'Say hello in three words.' }], ...c.params };
  if (c.op === 'messages') return readValue(() => client.messages.create(request), c.reading);
  if (c.op === 'messages-helper')
    return readHelper(
      () => client.messages.stream(request),
      (helper) => helper.finalMessage(),
      c.reading,
    );
  return readStream((signal) => client.messages.create({ ...request, stream: true }, { signal }), c.reading);
});
