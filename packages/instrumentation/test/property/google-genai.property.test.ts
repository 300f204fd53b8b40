import { afterAll, beforeAll, describe } from 'vitest';
import { requireGoogleGenAI } from '../support/load-google-genai';
import { describeError, OLDER_RUNS, RUNS, snapshot, hookInvisibleTests, usePropertyTelemetry } from './support/harness';
import { inMemoryFetch } from './support/wire';
import { readStream, wireOf, type AnswerSpec } from './support/app';
import { cases, KNOWN_DEFECTS, type GenAICase } from './support/google-genai-cases';

/** The current major gets the full run; the older supported major a smaller one. */
const RELEASES = [
  { major: 2 as const, runs: RUNS, current: true },
  { major: 1 as const, runs: OLDER_RUNS, current: false },
];

describe('@google/genai under generated hostile responses', () => {
  const telemetry = usePropertyTelemetry();

  for (const release of RELEASES) {
    describe(`@google/genai ${release.major}.x`, () => {
      let ai: any;
      let current: AnswerSpec;

      const savedFetch = globalThis.fetch;

      beforeAll(() => {
        const { GoogleGenAI } = requireGoogleGenAI(release.major);
        const fetch = inMemoryFetch(() => wireOf(current));
        // 1.x has no fetch option: it calls the global fetch, replaced in this test process only.
        if (release.major === 1) globalThis.fetch = fetch;
        ai = new GoogleGenAI({ apiKey: 'property-test-key', httpOptions: { baseUrl: 'http://127.0.0.1:9', fetch } });
      });

      afterAll(() => {
        globalThis.fetch = savedFetch;
      });

      const app = async (c: GenAICase): Promise<unknown> => {
        current = c.answer;
        const request = { model: c.model, contents: 'Say hello in three words.', config: { maxOutputTokens: 64, ...c.config } };
        if (c.op === 'generateContent') {
          try {
            return { value: snapshot(await ai.models.generateContent(request)) };
          } catch (err) {
            return { error: describeError(err) };
          }
        }
        return readStream(
          (signal) => ai.models.generateContentStream({ ...request, config: { ...request.config, abortSignal: signal } }),
          c.reading,
        );
      };

      hookInvisibleTests({
        telemetry,
        title: 'generateContent and generateContentStream',
        cases,
        knownDefects: KNOWN_DEFECTS,
        app,
        release,
      });
    });
  }
});
