import { beforeAll, describe } from 'vitest';
import { requireOpenAI } from '../support/load-openai';
import { OLDER_RUNS, RUNS, hookInvisibleTests, usePropertyTelemetry } from './support/harness';
import { inMemoryFetch } from './support/wire';
import { readHelper, readStream, readValue, requestFacts, wireOf, type AnswerSpec } from './support/app';
import { cases, KNOWN_DEFECTS, type OpenAICase } from './support/openai-cases';

/** The current major gets the full run; older supported majors a smaller one. */
const RELEASES = [
  { major: 6 as const, runs: RUNS, current: true },
  { major: 5 as const, runs: OLDER_RUNS, current: false },
  { major: 4 as const, runs: OLDER_RUNS, current: false },
];

describe('openai under generated hostile responses', () => {
  const telemetry = usePropertyTelemetry();

  for (const release of RELEASES) {
    describe(`openai ${release.major}.x`, () => {
      let client: any;
      let current: AnswerSpec;

      beforeAll(() => {
        const { OpenAI } = requireOpenAI(release.major);
        client = new OpenAI({
          apiKey: 'sk-property-test',
          baseURL: 'http://127.0.0.1:9/v1',
          maxRetries: 0,
          fetch: inMemoryFetch((init) => wireOf(current, requestFacts(init))),
        });
      });

      const app = async (c: OpenAICase): Promise<unknown> => {
        current = c.answer;
        const messages = c.messages ?? [{ role: 'user', content: 'Say hello in three words.' }];
        const params = c.params ?? {};
        switch (c.op) {
          case 'chat':
            return readValue(() => client.chat.completions.create({ model: c.model, messages, max_tokens: 32, ...params }), c.reading);
          case 'chat-helper': {
            // chat.completions.stream() since openai 5, beta.chat.completions.stream() before.
            const completions =
              typeof client.chat.completions.stream === 'function' ? client.chat.completions : client.beta.chat.completions;
            const body = { model: c.model, messages, ...params, ...(c.includeUsage ? { stream_options: { include_usage: true } } : {}) };
            return readHelper(
              () => completions.stream(body),
              (helper: any) => helper.finalChatCompletion(),
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
                  {
                    model: c.model,
                    messages,
                    ...params,
                    stream: true,
                    ...(c.includeUsage ? { stream_options: { include_usage: true } } : {}),
                  },
                  { signal },
                ),
              c.reading,
            );
          case 'responses-stream':
            return readStream(
              (signal) => client.responses.create({ model: c.model, input: 'Say hello.', stream: true }, { signal }),
              c.reading,
            );
        }
      };

      hookInvisibleTests({
        telemetry,
        title: 'chat, legacy completion, responses and embeddings calls, streamed and not,',
        cases,
        knownDefects: KNOWN_DEFECTS,
        app,
        release,
      });
    });
  }
});
