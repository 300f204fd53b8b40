import { beforeAll, describe } from 'vitest';
import { requireAnthropic } from '../support/load-anthropic';
import { OLDER_RUNS, RUNS, hookInvisibleTests, usePropertyTelemetry } from './support/harness';
import { inMemoryFetch } from './support/wire';
import { readHelper, readStream, readValue, wireOf, type AnswerSpec } from './support/app';
import { cases, KNOWN_DEFECTS, type AnthropicCase } from './support/anthropic-cases';

/** The current major gets the full run; the older supported major a smaller one. */
const RELEASES = [
  { major: 1 as const, runs: RUNS, current: true },
  { major: 0 as const, runs: OLDER_RUNS, current: false },
];

describe('@anthropic-ai/sdk under generated hostile responses', () => {
  const telemetry = usePropertyTelemetry();

  for (const release of RELEASES) {
    describe(`@anthropic-ai/sdk ${release.major}.x`, () => {
      let client: any;
      let current: AnswerSpec;

      beforeAll(() => {
        const Anthropic = requireAnthropic(release.major).default;
        client = new Anthropic({
          apiKey: 'sk-ant-property-test',
          baseURL: 'http://127.0.0.1:9',
          maxRetries: 0,
          fetch: inMemoryFetch(() => wireOf(current)),
        });
      });

      const app = async (c: AnthropicCase): Promise<unknown> => {
        current = c.answer;
        const request = {
          model: c.model,
          max_tokens: 256,
          messages: [{ role: 'user', content: 'Say hello in three words.' }],
          ...c.params,
        };
        if (c.op === 'messages') return readValue(() => client.messages.create(request), c.reading);
        if (c.op === 'messages-helper')
          return readHelper(
            () => client.messages.stream(request),
            (helper: any) => helper.finalMessage(),
            c.reading,
          );
        return readStream((signal) => client.messages.create({ ...request, stream: true }, { signal }), c.reading);
      };

      hookInvisibleTests({
        telemetry,
        title: 'messages, streamed and not and through messages.stream(),',
        cases,
        knownDefects: KNOWN_DEFECTS,
        app,
        release,
      });
    });
  }
});
