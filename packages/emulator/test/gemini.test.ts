import { ApiError, GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index';

let emulator: Emulator;
let ai: GoogleGenAI;

beforeAll(async () => {
  emulator = await startEmulator();
  ai = new GoogleGenAI({ apiKey: 'gemini-test-key', httpOptions: { baseUrl: emulator.geminiBaseURL } });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.requests.length = 0;
});

// Gemini's tokenizer is not public: prompts are the o200k_base count of every text part, with
// no per-message framing (derived once with tiktoken): 'Hello, world!' 4, 'Be brief.' 3,
// 'Hello, world! [emulate reasoning=7 cached=2]' 14, 'Hi [emulate output_tokens=3]' 9.
describe('Gemini API generateContent', () => {
  it('reports promptTokenCount, candidatesTokenCount, cache and thoughts, and a total that adds thoughts', async () => {
    const response = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Hello, world! [emulate reasoning=7 cached=2]',
      config: { systemInstruction: 'Be brief.' },
    });
    expect(emulator.requests[0].path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(emulator.requests[0].provider).toBe('gemini');
    expect(emulator.requests[0].headers['x-goog-api-key']).toBe('[redacted]');
    expect(response.modelVersion).toBe('gemini-2.5-flash');
    expect(response.responseId).toMatch(/^[A-Za-z0-9]{23}$/);
    expect(response.candidates?.[0].finishReason).toBe('STOP');
    expect(response.candidates?.[0].content?.role).toBe('model');
    // The reply for this prompt is two corpus sentences of 22 tokens.
    expect(response.text).toBe('Every request has a cost that we can measure and track. It is good to know where the money goes.');
    expect(response.usageMetadata).toEqual({
      promptTokenCount: 17,
      candidatesTokenCount: 22,
      totalTokenCount: 46,
      cachedContentTokenCount: 2,
      thoughtsTokenCount: 7,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: 17 }],
      cacheTokensDetails: [{ modality: 'TEXT', tokenCount: 2 }],
    });
  });

  it('leaves zero counts out of usageMetadata, as the API does', async () => {
    const response = await ai.models.generateContent({ model: 'gemini-2.0-flash', contents: 'Hello, world! [emulate output_tokens=2]' });
    expect(response.usageMetadata).toEqual({
      promptTokenCount: 12,
      candidatesTokenCount: 2,
      totalTokenCount: 14,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: 12 }],
    });
  });

  it('reports tool-use prompt tokens and adds them to the total', async () => {
    const response = await ai.models.generateContent({
      model: 'gemini-2.0-flash',
      contents: 'Hi [emulate output_tokens=4 tool_use_prompt=6]',
    });
    expect(response.usageMetadata?.toolUsePromptTokenCount).toBe(6);
    expect(response.usageMetadata?.totalTokenCount).toBe(14 + 4 + 6);
  });

  it('stops with MAX_TOKENS at maxOutputTokens and answers candidateCount candidates', async () => {
    const response = await ai.models.generateContent({
      model: 'gemini-2.0-flash',
      contents: 'Hello, world!',
      config: { maxOutputTokens: 3, candidateCount: 2 },
    });
    expect(response.candidates?.map((candidate) => candidate.finishReason)).toEqual(['MAX_TOKENS', 'MAX_TOKENS']);
    expect(response.usageMetadata?.candidatesTokenCount).toBe(6);
  });

  it('counts tokens with countTokens', async () => {
    const counted = await ai.models.countTokens({ model: 'gemini-2.0-flash', contents: 'Hello, world!' });
    expect(counted.totalTokens).toBe(4);
  });
});

describe('Gemini API streamGenerateContent', () => {
  it('streams one token per SSE event with running usage, then finishReason and the full usage', async () => {
    const stream = await ai.models.generateContentStream({
      model: 'gemini-2.0-flash',
      contents: 'Hi [emulate output_tokens=3 reasoning=5]',
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(emulator.requests[0].path).toBe('/v1beta/models/gemini-2.0-flash:streamGenerateContent');
    expect(emulator.requests[0].query).toEqual({ alt: 'sse' });
    expect(chunks).toHaveLength(4);
    expect(chunks.slice(0, 3).map((chunk) => chunk.usageMetadata?.candidatesTokenCount)).toEqual([1, 2, 3]);
    expect(chunks.slice(0, 3).every((chunk) => chunk.candidates?.[0].finishReason === undefined)).toBe(true);
    const last = chunks[3];
    expect(last.candidates?.[0].finishReason).toBe('STOP');
    // 'Hi [emulate output_tokens=3 reasoning=5]' is 12 tokens
    expect(last.usageMetadata).toEqual({
      promptTokenCount: 12,
      candidatesTokenCount: 3,
      totalTokenCount: 20,
      thoughtsTokenCount: 5,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: 12 }],
    });
  });

  it('writes SSE events separated by CRLF pairs', async () => {
    const response = await fetch(`${emulator.geminiBaseURL}/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hi [emulate output_tokens=2]' }] }] }),
    });
    const body = await response.text();
    expect(body.split('\r\n\r\n').filter((event) => event.length > 0)).toHaveLength(3);
    expect(body.startsWith('data: {"candidates":')).toBe(true);
  });

  it('answers without alt=sse as one JSON array of responses', async () => {
    const response = await fetch(`${emulator.geminiBaseURL}/v1beta/models/gemini-2.0-flash:streamGenerateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hi [emulate output_tokens=2]' }] }] }),
    });
    const parsed = (await response.json()) as Array<{ usageMetadata: { candidatesTokenCount: number } }>;
    expect(parsed).toHaveLength(3);
    expect(parsed[2].usageMetadata.candidatesTokenCount).toBe(2);
  });

  it('raises the stream error event as an ApiError with status 500', async () => {
    const stream = await ai.models.generateContentStream({ model: 'gemini-2.0-flash', contents: 'Hi [emulate stream_error_after=2]' });
    const texts: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) texts.push(chunk.text ?? '');
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(500);
    expect(texts).toHaveLength(2);
  });

  it('stalls after stall_after chunks until the client aborts', async () => {
    const controller = new AbortController();
    const stream = await ai.models.generateContentStream({
      model: 'gemini-2.0-flash',
      contents: 'Hi [emulate stall_after=1]',
      config: { abortSignal: controller.signal },
    });
    let chunks = 0;
    await (async () => {
      for await (const chunk of stream) {
        void chunk;
        chunks += 1;
        setTimeout(() => controller.abort(), 30);
      }
    })().catch(() => undefined);
    expect(chunks).toBe(1);
    await expect.poll(() => emulator.requests[0]?.clientAborted).toBe(true);
  });
});

describe('Gemini API embeddings and errors', () => {
  it('embeds through batchEmbedContents with the requested dimensions', async () => {
    const response = await ai.models.embedContent({
      model: 'gemini-embedding-001',
      contents: ['Hello', 'World'],
      config: { outputDimensionality: 8 },
    });
    expect(emulator.requests[0].path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(response.embeddings?.map((embedding) => embedding.values?.length)).toEqual([8, 8]);
    expect(response.embeddings?.[0].values).not.toEqual(response.embeddings?.[1].values);
  });

  it('answers :embedContent with a 3072-value embedding for gemini-embedding-001', async () => {
    const response = await fetch(`${emulator.geminiBaseURL}/v1beta/models/gemini-embedding-001:embedContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: { parts: [{ text: 'Hello' }] } }),
    });
    const body = (await response.json()) as { embedding: { values: number[] } };
    expect(body.embedding.values).toHaveLength(3072);
  });

  it('answers error=429 with RESOURCE_EXHAUSTED and a RetryInfo detail', async () => {
    const error = await ai.models
      .generateContent({ model: 'gemini-2.0-flash', contents: 'Hi [emulate error=429]' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(429);
    expect(JSON.parse((error as ApiError).message)).toEqual({
      error: {
        code: 429,
        message: 'Resource has been exhausted (e.g. check quota).',
        status: 'RESOURCE_EXHAUSTED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '0s' }],
      },
    });
  });

  it('answers error=401 with UNAUTHENTICATED and a body without contents with INVALID_ARGUMENT', async () => {
    const unauthenticated = await ai.models
      .generateContent({ model: 'gemini-2.0-flash', contents: 'Hi [emulate error=401]' })
      .catch((caught: unknown) => caught);
    expect((unauthenticated as ApiError).status).toBe(401);
    expect((unauthenticated as ApiError).message).toContain('"status":"UNAUTHENTICATED"');
    const response = await fetch(`${emulator.geminiBaseURL}/v1beta/models/gemini-2.0-flash:generateContent`, {
      method: 'POST',
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { code: 400, message: '* GenerateContentRequest.contents: contents is not specified', status: 'INVALID_ARGUMENT' },
    });
  });
});

describe('Vertex AI paths', () => {
  it('serves the project/location path with an OAuth bearer token, reporting the dated model and traffic type', async () => {
    const vertex = new GoogleGenAI({
      vertexai: true,
      project: 'demo-project',
      location: 'us-central1',
      httpOptions: { baseUrl: emulator.geminiBaseURL },
      googleAuthOptions: { authClient: { getRequestHeaders: async () => new Headers({ authorization: 'Bearer test-token' }) } as never },
    });
    const response = await vertex.models.generateContent({
      model: 'gemini-2.0-flash',
      contents: 'Hello, world! [emulate output_tokens=2]',
    });
    expect(emulator.requests[0].path).toBe(
      '/v1beta1/projects/demo-project/locations/us-central1/publishers/google/models/gemini-2.0-flash:generateContent',
    );
    expect(emulator.requests[0].provider).toBe('vertex_ai');
    expect(emulator.requests[0].headers.authorization).toBe('[redacted]');
    expect(response.modelVersion).toBe('gemini-2.0-flash-001');
    expect(response.usageMetadata).toEqual({
      promptTokenCount: 12,
      candidatesTokenCount: 2,
      totalTokenCount: 14,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: 12 }],
      candidatesTokensDetails: [{ modality: 'TEXT', tokenCount: 2 }],
      trafficType: 'ON_DEMAND',
    });
  });

  it('serves express-mode paths and text embeddings through :predict with token statistics', async () => {
    const vertex = new GoogleGenAI({ vertexai: true, apiKey: 'vertex-key', httpOptions: { baseUrl: emulator.geminiBaseURL } });
    const response = await vertex.models.embedContent({ model: 'text-embedding-005', contents: ['Hello, world!'] });
    expect(emulator.requests[0].path).toBe('/v1beta1/publishers/google/models/text-embedding-005:predict');
    expect(response.embeddings?.[0].values).toHaveLength(768);
    expect(response.embeddings?.[0].statistics).toEqual({ truncated: false, tokenCount: 4 });
    expect(response.metadata).toEqual({ billableCharacterCount: 12 });
  });
});
