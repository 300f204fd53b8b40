'use strict';
const { OpenAI } = require('openai');
const { readHelper, readStream, readValue, runCases } = require('./reading.cjs');

runCases(async (c, server) => {
  const messages = c.messages ?? [{ role: 'user', content: 'Say hello in three words.' }];
  const params = c.params ?? {};
  const client = new OpenAI({ apiKey: 'sk-property-test', baseURL: `${server}/v1`, maxRetries: 0 });
  switch (c.op) {
    case 'chat':
      return readValue(() => client.chat.completions.create({ model: c.model, messages, max_tokens: 32, ...params }), c.reading);
    case 'chat-helper': {
      // chat.completions.stream() since openai 5, beta.chat.completions.stream() before.
      const completions = typeof client.chat.completions.stream === 'function' ? client.chat.completions : client.beta.chat.completions;
      const body = { model: c.model, messages, ...params, ...(c.includeUsage ? { stream_options: { include_usage: true } } : {}) };
      return readHelper(
        () => completions.stream(body),
        (helper) => helper.finalChatCompletion(),
        c.reading,
      );
    }
    case 'completions':
      return readValue(
        () => client.completions.create({ model: c.model, prompt: 'Say hello in three words.', max_tokens: 32, ...params }),
        c.reading,
      );
    case 'completions-stream':
      return readStream(
        (signal) =>
          client.completions.create(
            {
              model: c.model,
              prompt: 'Say hello.',
              ...params,
              stream: true,
              ...(c.includeUsage ? { stream_options: { include_usage: true } } : {}),
            },
            { signal },
          ),
        c.reading,
      );
    case 'responses':
      return readValue(() => client.responses.create({ model: c.model, input: 'Say hello in three words.' }), c.reading);
    case 'embeddings':
      return readValue(() => client.embeddings.create({ model: c.model, input: 'hello', encoding_format: 'float' }), c.reading);
    case 'chat-stream':
      return readStream(
        (signal) =>
          client.chat.completions.create(
            { model: c.model, messages, ...params, stream: true, ...(c.includeUsage ? { stream_options: { include_usage: true } } : {}) },
            { signal },
          ),
        c.reading,
      );
    case 'responses-stream':
      return readStream((signal) => client.responses.create({ model: c.model, input: 'Say hello.', stream: true }, { signal }), c.reading);
  }
});
