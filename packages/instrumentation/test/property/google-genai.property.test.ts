import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireGoogleGenAI } from '../support/load-google-genai';
import { PropertyTelemetry } from './support/telemetry';
import { assertHookInvisible, describeError, outside, RUN_KNOWN_DEFECTS, RUNS, snapshot } from './support/harness';
import { inMemoryFetch } from './support/wire';
import { readStream, wireOf, type AnswerSpec } from './support/app';
import { cases, KNOWN_DEFECTS, type GenAICase } from './support/google-genai-cases';

describe('@google/genai under generated hostile responses', () => {
  let telemetry: PropertyTelemetry;
  let ai: any;
  let current: AnswerSpec;

  beforeAll(() => {
    telemetry = new PropertyTelemetry();
    const { GoogleGenAI } = requireGoogleGenAI(2);
    ai = new GoogleGenAI({ apiKey: 'property-test-key', httpOptions: { baseUrl: 'http://127.0.0.1:9', fetch: inMemoryFetch(() => wireOf(current)) } });
  });

  afterAll(async () => {
    await telemetry.shutdown();
  });

  const app = async (c: GenAICase): Promise<unknown> => {
    current = c.answer;
    const request = { model: c.model, contents: 'Say hello in three words.', config: { maxOutputTokens: 64 } };
    if (c.op === 'generateContent') {
      try {
        return { value: snapshot(await ai.models.generateContent(request)) };
      } catch (err) {
        return { error: describeError(err) };
      }
    }
    return readStream((signal) => ai.models.generateContentStream({ ...request, config: { ...request.config, abortSignal: signal } }), c.reading);
  };

  it(`generateContent and generateContentStream look the same to the app with the hook, and export only finite non-negative numbers (${RUNS} cases)`, async () => {
    await assertHookInvisible(telemetry, outside(cases, KNOWN_DEFECTS), app);
    expect(telemetry.spansSeen).toBeGreaterThan(RUNS / 2);
  }, 600_000);

  for (const defect of KNOWN_DEFECTS) {
    (RUN_KNOWN_DEFECTS ? it : it.skip)(`known defect, gated until fixed: ${defect.title} (counterexample: ${defect.counterexample})`, async () => {
      await assertHookInvisible(telemetry, cases.filter(defect.applies), app, Math.min(RUNS, 500));
    }, 600_000);
  }
});
