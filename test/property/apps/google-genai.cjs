'use strict';
const { GoogleGenAI } = require('@google/genai');
const { describeError, readStream, runCases, snapshot } = require('./reading.cjs');

runCases(async (c, server) => {
  const ai = new GoogleGenAI({ apiKey: 'property-test-key', httpOptions: { baseUrl: server } });
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
});
