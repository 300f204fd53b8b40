'use strict';
const sdk = require('@aws-sdk/client-bedrock-runtime');
const { createRequire } = require('node:module');
const { describeError, readStream, runCases, snapshot } = require('./reading.cjs');

// HTTP/1.1, as the case server speaks it.
const { NodeHttpHandler } = createRequire(require.resolve('@aws-sdk/client-bedrock-runtime'))('@smithy/node-http-handler');

function outputView(output) {
  const { body, stream, ...rest } = output;
  const view = { ...rest };
  if (body && typeof body.transformToString === 'function') view.body = body.transformToString();
  if (stream !== undefined) view.stream = typeof stream;
  return snapshot(view);
}

const messages = [{ role: 'user', content: [{ text: 'Say hello in three words.' }] }];
const invokeRequest = (model) =>
  JSON.stringify(
    model.includes('anthropic')
      ? { anthropic_version: 'bedrock-2023-05-31', max_tokens: 64, messages: [{ role: 'user', content: 'Say hello.' }] }
      : { inputText: 'Say hello.' },
  );

runCases(async (c, server) => {
  const client = new sdk.BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: server,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'bedrock-property-secret' },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
  });
  try {
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
        return await readStream(
          async (signal) =>
            (
              await client.send(new sdk.ConverseStreamCommand({ modelId: c.model, messages, inferenceConfig: c.inferenceConfig }), {
                abortSignal: signal,
              })
            ).stream,
          c.reading,
        );
      case 'invokeModelWithResponseStream':
        return await readStream(
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
  } finally {
    client.destroy();
  }
});
