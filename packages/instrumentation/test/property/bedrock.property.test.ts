import { beforeAll, describe } from 'vitest';
import { requireBedrock } from '../support/load-bedrock';
import { describeError, OLDER_RUNS, RUNS, hookInvisibleTests, usePropertyTelemetry } from './support/harness';
import { inMemoryRequestHandler, type BedrockAnswer } from './support/bedrock-wire';
import { readStream } from './support/app';
import { cases, KNOWN_DEFECTS, outputView, type BedrockCase } from './support/bedrock-cases';

/** The current release gets the full run; the mid-2024 release a smaller one. */
const RELEASES = [
  { release: 'current' as const, runs: RUNS, current: true },
  { release: '3.600' as const, runs: OLDER_RUNS, current: false },
];

describe('@aws-sdk/client-bedrock-runtime under generated hostile responses', () => {
  const telemetry = usePropertyTelemetry();

  for (const release of RELEASES) {
    describe(`@aws-sdk/client-bedrock-runtime ${release.release}`, () => {
      let sdk: any;
      let client: any;
      let current: BedrockAnswer;

      beforeAll(() => {
        sdk = requireBedrock(release.release);
        client = new sdk.BedrockRuntimeClient({
          region: 'us-east-1',
          credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'bedrock-property-secret' },
          maxAttempts: 1,
          requestHandler: inMemoryRequestHandler(() => current),
        });
      });

      const messages = [{ role: 'user', content: [{ text: 'Say hello in three words.' }] }];
      const invokeRequest = (model: string) =>
        JSON.stringify(
          model.includes('anthropic')
            ? { anthropic_version: 'bedrock-2023-05-31', max_tokens: 64, messages: [{ role: 'user', content: 'Say hello.' }] }
            : { inputText: 'Say hello.' },
        );

      const app = async (c: BedrockCase): Promise<unknown> => {
        current = c.answer;
        switch (c.op) {
          case 'converse':
            try {
              return {
                value: outputView(
                  await client.send(
                    new sdk.ConverseCommand({ modelId: c.model, messages, inferenceConfig: { maxTokens: 64, ...c.inferenceConfig } }),
                  ),
                ),
              };
            } catch (err) {
              return { error: describeError(err) };
            }
          case 'invokeModel':
            try {
              return {
                value: outputView(
                  await client.send(
                    new sdk.InvokeModelCommand({
                      modelId: c.model,
                      body: invokeRequest(c.model),
                      contentType: 'application/json',
                      accept: 'application/json',
                    }),
                  ),
                ),
              };
            } catch (err) {
              return { error: describeError(err) };
            }
          case 'converseStream':
            return readStream(
              async (signal) =>
                (
                  await client.send(new sdk.ConverseStreamCommand({ modelId: c.model, messages, inferenceConfig: c.inferenceConfig }), {
                    abortSignal: signal,
                  })
                ).stream,
              c.reading,
            );
          case 'invokeModelWithResponseStream':
            return readStream(
              async (signal) =>
                (
                  await client.send(
                    new sdk.InvokeModelWithResponseStreamCommand({
                      modelId: c.model,
                      body: invokeRequest(c.model),
                      contentType: 'application/json',
                    }),
                    { abortSignal: signal },
                  )
                ).body,
              c.reading,
            );
        }
      };

      hookInvisibleTests({
        telemetry,
        title: 'Converse, ConverseStream, InvokeModel and InvokeModelWithResponseStream',
        cases,
        knownDefects: KNOWN_DEFECTS,
        app,
        release,
      });
    });
  }
});
