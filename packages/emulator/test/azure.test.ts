import OpenAI, {
  APIError,
  AuthenticationError,
  AzureOpenAI,
  BadRequestError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from 'openai';
import { countTokens } from '@tokenomics/tokens';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index';

const API_KEY = 'azure-test-key-0123456789';
const API_VERSION = '2024-10-21';

let emulator: Emulator;
let chat: AzureOpenAI;

/** A client bound to one deployment, as apps usually create it. */
function deploymentClient(deployment: string, options: Partial<ConstructorParameters<typeof AzureOpenAI>[0]> = {}): AzureOpenAI {
  return new AzureOpenAI({
    endpoint: emulator.azureEndpoint,
    apiKey: API_KEY,
    apiVersion: API_VERSION,
    deployment,
    maxRetries: 0,
    ...options,
  });
}

beforeAll(async () => {
  emulator = await startEmulator();
  chat = deploymentClient('prod-chat');
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.requests.length = 0;
});

// Prompt tokens follow OpenAI's chat accounting in the tokenizer of the model behind the
// deployment: [{ role: 'user', content: 'Hello, world!' }] is 3 + 1 + 4 + 3 = 11 in o200k_base.
describe('Azure OpenAI chat completions', () => {
  it('serves /openai/deployments/{deployment}/chat/completions with the real model, content filter results and exact usage', async () => {
    const { data: completion, response } = await chat.chat.completions
      .create({ model: 'prod-chat', messages: [{ role: 'user', content: 'Hello, world!' }] })
      .withResponse();
    const recorded = emulator.requests[0];
    expect(recorded.path).toBe('/openai/deployments/prod-chat/chat/completions');
    expect(recorded.query).toEqual({ 'api-version': API_VERSION });
    expect(recorded.provider).toBe('azure_openai');
    expect(recorded.headers['api-key']).toBe('[redacted]');
    expect(recorded.headers.authorization).toBeUndefined();
    expect(JSON.stringify(recorded)).not.toContain(API_KEY);

    expect(completion.model).toBe('gpt-4o-2024-08-06');
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-[A-Za-z0-9]{29}$/);
    expect(completion.choices[0].message.content).toBe(
      'The team can see the spend for each model in one place. You can set a limit for each team and each project.',
    );
    expect(completion.usage).toEqual({
      completion_tokens: 25,
      completion_tokens_details: { accepted_prediction_tokens: 0, audio_tokens: 0, reasoning_tokens: 0, rejected_prediction_tokens: 0 },
      prompt_tokens: 11,
      prompt_tokens_details: { audio_tokens: 0, cached_tokens: 0 },
      total_tokens: 36,
    });
    expect('service_tier' in completion).toBe(false);
    const raw = completion as unknown as Record<string, any>;
    expect(raw.prompt_filter_results).toEqual([
      {
        prompt_index: 0,
        content_filter_results: {
          hate: { filtered: false, severity: 'safe' },
          jailbreak: { filtered: false, detected: false },
          self_harm: { filtered: false, severity: 'safe' },
          sexual: { filtered: false, severity: 'safe' },
          violence: { filtered: false, severity: 'safe' },
        },
      },
    ]);
    expect(raw.choices[0].content_filter_results.protected_material_text).toEqual({ filtered: false, detected: false });
    expect(raw.choices[0].content_filter_results.violence).toEqual({ filtered: false, severity: 'safe' });
    expect(response.headers.get('apim-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-ms-deployment-name')).toBe('prod-chat');
    expect(response.headers.get('x-ms-region')).toBe('East US');
    expect(response.headers.has('openai-organization')).toBe(false);
  });

  it('answers with the model the deployment_model directive names, or the deployment name when it is a model', async () => {
    const mini = await chat.chat.completions.create(
      { model: 'prod-chat', messages: [{ role: 'user', content: 'Hello, world!' }] },
      { headers: { 'x-emulate': 'deployment_model=gpt-4o-mini;output_tokens=3' } },
    );
    expect(mini.model).toBe('gpt-4o-mini-2024-07-18');
    expect(mini.usage?.prompt_tokens).toBe(11);
    expect(mini.usage?.completion_tokens).toBe(3);

    const named = await deploymentClient('gpt-4o-mini').chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(named.model).toBe('gpt-4o-mini-2024-07-18');

    // gpt-4 counts in cl100k_base: 'Hello [emulate deployment_model=gpt-4]' is the prompt's only message.
    const text = 'Hello [emulate deployment_model=gpt-4]';
    const legacy = await chat.chat.completions.create({ model: 'prod-chat', messages: [{ role: 'user', content: text }] });
    expect(legacy.model).toBe('gpt-4-0613');
    expect(legacy.usage?.prompt_tokens).toBe(3 + 1 + countTokens(text, 'gpt-4').tokens + 3);
    expect(emulator.requests.at(-1)?.directives).toEqual({ deployment_model: 'gpt-4' });
  });

  it('routes by the deployment in the path whatever model the body names', async () => {
    const completion = await deploymentClient('support-bot').chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(emulator.requests[0].path).toBe('/openai/deployments/support-bot/chat/completions');
    expect(completion.model).toBe('gpt-4o-2024-08-06');
  });

  it('without a deployment option takes the deployment from the body model, as the client puts it in the path', async () => {
    const client = new AzureOpenAI({ endpoint: emulator.azureEndpoint, apiKey: API_KEY, apiVersion: API_VERSION, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'team-a-chat', messages: [{ role: 'user', content: 'Hi' }] });
    expect(emulator.requests[0].path).toBe('/openai/deployments/team-a-chat/chat/completions');
    expect(completion.model).toBe('gpt-4o-2024-08-06');
  });

  it('accepts an Entra ID bearer token instead of an api-key and redacts it', async () => {
    const client = new AzureOpenAI({
      endpoint: emulator.azureEndpoint,
      azureADTokenProvider: async () => 'entra-token-secret',
      apiVersion: API_VERSION,
      deployment: 'prod-chat',
      maxRetries: 0,
    });
    const completion = await client.chat.completions.create({ model: 'prod-chat', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.model).toBe('gpt-4o-2024-08-06');
    expect(emulator.requests[0].headers.authorization).toBe('[redacted]');
    expect(JSON.stringify(emulator.requests)).not.toContain('entra-token-secret');
  });

  it('streams an empty first chunk with the prompt filter results, then content chunks with their filter results', async () => {
    const stream = await chat.chat.completions.create({
      model: 'prod-chat',
      stream: true,
      messages: [{ role: 'user', content: 'Hello, world! [emulate output_tokens=4]' }],
    });
    const chunks: any[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    // prompt filter chunk + role chunk + 4 content chunks + finish chunk
    expect(chunks).toHaveLength(7);
    expect(chunks[0]).toEqual({
      choices: [],
      created: 0,
      id: '',
      model: '',
      object: '',
      prompt_filter_results: [expect.objectContaining({ prompt_index: 0 })],
    });
    expect(chunks[1].choices[0]).toEqual({
      content_filter_results: {},
      delta: { content: '', refusal: null, role: 'assistant' },
      finish_reason: null,
      index: 0,
      logprobs: null,
    });
    for (const chunk of chunks.slice(1)) {
      expect(chunk.model).toBe('gpt-4o-2024-08-06');
      expect(chunk.id).toBe(chunks[1].id);
      expect(chunk.object).toBe('chat.completion.chunk');
      expect('usage' in chunk).toBe(false);
    }
    for (const chunk of chunks.slice(2, 6))
      expect(chunk.choices[0].content_filter_results.hate).toEqual({ filtered: false, severity: 'safe' });
    expect(
      chunks
        .slice(2, 6)
        .map((chunk) => chunk.choices[0].delta.content)
        .join(''),
    ).toBe('This is a simple');
    expect(chunks[6].choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop', content_filter_results: {} });
  });

  it('with include_usage sends usage null on every chunk, the empty first one too, and a last chunk with the usage', async () => {
    const stream = await chat.chat.completions.create(
      {
        model: 'prod-chat',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'Hello, world!' }],
      },
      { headers: { 'x-emulate': 'output_tokens=2;cached=5' } },
    );
    const chunks: any[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toHaveLength(6);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.usage).toBeNull();
    expect(chunks[0].id).toBe('');
    expect(chunks[5].choices).toEqual([]);
    expect(chunks[5].usage).toMatchObject({
      prompt_tokens: 11,
      completion_tokens: 2,
      total_tokens: 13,
      prompt_tokens_details: { cached_tokens: 5 },
    });
  });

  it('sends an error event after stream_error_after content chunks', async () => {
    const stream = await chat.chat.completions.create({
      model: 'prod-chat',
      stream: true,
      messages: [{ role: 'user', content: 'Hi [emulate stream_error_after=2]' }],
    });
    const contents: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) {
        const content = chunk.choices[0]?.delta.content;
        if (content) contents.push(content);
      }
    })().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(contents).toHaveLength(2);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).error).toEqual({
      code: 'InternalServerError',
      message: 'Backend returned unexpected response. Please contact Microsoft for help.',
    });
  });
});

describe('Azure OpenAI Responses, embeddings and legacy completions', () => {
  it('serves the Responses API at /openai/responses with the deployment as model, answering the real model', async () => {
    const client = new AzureOpenAI({ endpoint: emulator.azureEndpoint, apiKey: API_KEY, apiVersion: '2025-03-01-preview', maxRetries: 0 });
    const response = await client.responses.create({ model: 'prod-responses', input: 'Hello, world! [emulate output_tokens=6]' });
    expect(emulator.requests[0].path).toBe('/openai/responses');
    expect(emulator.requests[0].query).toEqual({ 'api-version': '2025-03-01-preview' });
    expect(emulator.requests[0].provider).toBe('azure_openai');
    expect(response.model).toBe('gpt-4o-2024-08-06');
    expect(response.output_text).toBe('The report shows the total cost');
    expect(response.usage?.output_tokens).toBe(6);

    const stream = await client.responses.create(
      { model: 'prod-responses', input: 'Hi', stream: true },
      { headers: { 'x-emulate': 'deployment_model=gpt-4o-mini;output_tokens=3' } },
    );
    const types: string[] = [];
    let completed: any;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(types.filter((type) => type === 'response.output_text.delta')).toHaveLength(3);
    expect(completed.model).toBe('gpt-4o-mini-2024-07-18');
    expect(completed.usage.output_tokens).toBe(3);
  });

  it('serves the v1 API at /openai/v1 to the plain OpenAI client, without api-version', async () => {
    const client = new OpenAI({ baseURL: `${emulator.azureEndpoint}/openai/v1/`, apiKey: API_KEY, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'prod-chat', messages: [{ role: 'user', content: 'Hello, world!' }] });
    expect(emulator.requests[0].path).toBe('/openai/v1/chat/completions');
    expect(emulator.requests[0].query).toEqual({});
    expect(completion.model).toBe('gpt-4o-2024-08-06');
    expect(completion.usage?.prompt_tokens).toBe(11);
    expect((completion as any).prompt_filter_results).toHaveLength(1);
    const response = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hi' });
    expect(response.model).toBe('gpt-4o-mini-2024-07-18');
    const embedding = await client.embeddings.create({ model: 'embeddings-prod', input: 'Hello, world!' });
    expect(embedding.model).toBe('text-embedding-3-small');
    expect(embedding.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 });
  });

  it('serves embeddings for a deployment, counted in the embedding model tokenizer', async () => {
    const client = deploymentClient('embeddings-prod');
    const response = await client.embeddings.create({ model: 'embeddings-prod', input: ['Hello, world!', 'The cat sat.'] });
    expect(emulator.requests[0].path).toBe('/openai/deployments/embeddings-prod/embeddings');
    expect(response.model).toBe('text-embedding-3-small');
    expect(response.data).toHaveLength(2);
    expect(response.data[0].embedding).toHaveLength(1536);
    expect(response.usage).toEqual({ prompt_tokens: 8, total_tokens: 8 });
    const large = await client.embeddings.create(
      { model: 'embeddings-prod', input: 'Hi' },
      { headers: { 'x-emulate': 'deployment_model=text-embedding-3-large' } },
    );
    expect(large.model).toBe('text-embedding-3-large');
    expect(large.data[0].embedding).toHaveLength(3072);
  });

  it('serves legacy completions for a deployment with content filter results', async () => {
    const client = deploymentClient('instruct');
    const completion = await client.completions.create({ model: 'instruct', prompt: 'Hello, world!', max_tokens: 5 });
    expect(emulator.requests[0].path).toBe('/openai/deployments/instruct/completions');
    expect(completion.model).toBe('gpt-35-turbo-instruct');
    expect(completion.usage).toEqual({ prompt_tokens: 4, completion_tokens: 5, total_tokens: 9 });
    expect(completion.choices[0].finish_reason).toBe('length');
    const raw = completion as any;
    expect(raw.prompt_filter_results).toHaveLength(1);
    expect(raw.choices[0].content_filter_results.sexual).toEqual({ filtered: false, severity: 'safe' });
  });
});

describe('Azure OpenAI errors', () => {
  it('answers 429 in Azure format with retry-after and retry-after-ms, so a client retry succeeds', async () => {
    const failing = await chat.chat.completions
      .create({ model: 'prod-chat', messages: [{ role: 'user', content: 'Hi [emulate error=429 retry_after=2]' }] })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(failing).toBeInstanceOf(RateLimitError);
    const error = failing as RateLimitError;
    expect(error.error).toEqual({
      code: '429',
      message:
        'Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 2 seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.',
    });
    expect(error.headers.get('retry-after')).toBe('2');
    expect(error.headers.get('retry-after-ms')).toBe('2000');

    const retrying = deploymentClient('prod-chat', { maxRetries: 1 });
    emulator.requests.length = 0;
    const completion = await retrying.chat.completions.create({
      model: 'prod-chat',
      messages: [{ role: 'user', content: 'Hi [emulate error=429 error_times=1 retry_after=0.01]' }],
    });
    expect(completion.model).toBe('gpt-4o-2024-08-06');
    expect(emulator.requests.map((request) => request.status)).toEqual([429, 200]);
  });

  it('answers a missing deployment, a denied principal and a server error with Azure codes', async () => {
    const caught = (content: string) =>
      chat.chat.completions.create({ model: 'prod-chat', messages: [{ role: 'user', content }] }).then(
        () => undefined,
        (error: unknown) => error as APIError,
      );
    const missing = await caught('Hi [emulate error=404]');
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing?.error).toEqual({
      code: 'DeploymentNotFound',
      message:
        'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
    });
    const denied = await caught('Hi [emulate error=403]');
    expect(denied).toBeInstanceOf(PermissionDeniedError);
    expect(denied?.error).toEqual({ code: 'PermissionDenied', message: 'Principal does not have access to API/Operation.' });
    const unauthorized = await caught('Hi [emulate error=401]');
    expect(unauthorized).toBeInstanceOf(AuthenticationError);
    expect((unauthorized?.error as { code: string } | undefined)?.code).toBe('401');
    const overloaded = await caught('Hi [emulate error=529]');
    expect(overloaded?.status).toBe(503);
    expect((overloaded?.error as { code: string } | undefined)?.code).toBe('ServiceUnavailable');
  });

  it('answers request validation errors and bad directives in the OpenAI shape Azure passes on', async () => {
    const invalid = await chat.chat.completions
      .create({ model: 'prod-chat', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 0 })
      .then(
        () => undefined,
        (error: unknown) => error as APIError,
      );
    expect(invalid).toBeInstanceOf(BadRequestError);
    expect(invalid?.error).toMatchObject({ type: 'invalid_request_error', param: 'max_tokens', code: 'integer_below_min_value' });
    const directive = await chat.chat.completions
      .create({ model: 'prod-chat', messages: [{ role: 'user', content: 'Hi [emulate deployment_model=gpt/4o]' }] })
      .then(
        () => undefined,
        (error: unknown) => error as APIError,
      );
    expect(directive).toBeInstanceOf(BadRequestError);
    expect(directive?.message).toContain(
      "emulate directive deployment_model=gpt/4o is invalid; accepted: a model name of letters, digits, '.', '_', ':' and '-'",
    );
  });

  it('rejects stream_options on API versions before 2024-09-01, as Azure does, and accepts it from then on', async () => {
    const withoutOptions = { model: 'prod-chat', stream: true as const, messages: [{ role: 'user' as const, content: 'Hi' }] };
    const request = { ...withoutOptions, stream_options: { include_usage: true } };
    for (const apiVersion of ['2024-06-01', '2024-08-01-preview']) {
      const error = await deploymentClient('prod-chat', { apiVersion })
        .chat.completions.create(request)
        .then(
          () => undefined,
          (caught: unknown) => caught as APIError,
        );
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error?.error).toEqual({
        message: "Unknown parameter: 'stream_options'.",
        type: 'invalid_request_error',
        param: 'stream_options',
        code: 'unknown_parameter',
      });
    }
    const unrequested = await deploymentClient('prod-chat', { apiVersion: '2024-06-01' }).chat.completions.create(withoutOptions);
    let chunks = 0;
    for await (const _ of unrequested) chunks += 1;
    expect(chunks).toBeGreaterThan(3);
    for (const apiVersion of ['2024-09-01-preview', '2024-10-21', '2025-04-01-preview']) {
      const stream = await deploymentClient('prod-chat', { apiVersion }).chat.completions.create(request);
      let usage: unknown;
      for await (const chunk of stream) usage = chunk.usage ?? usage;
      expect(usage).toMatchObject({ prompt_tokens: 8 });
    }
  });

  it('rejects a request without credentials with 401 and one without api-version with 404, as Azure does', async () => {
    const body = JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }] });
    const url = `${emulator.azureEndpoint}/openai/deployments/prod-chat/chat/completions`;
    const anonymous = await fetch(`${url}?api-version=${API_VERSION}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('401');
    const unversioned = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'api-key': API_KEY }, body });
    expect(unversioned.status).toBe(404);
    expect(await unversioned.json()).toEqual({ error: { code: '404', message: 'Resource not found' } });
    const unknownPath = await fetch(`${emulator.azureEndpoint}/openai/deployments/prod-chat/images/variations?api-version=${API_VERSION}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'api-key': API_KEY },
      body,
    });
    expect(unknownPath.status).toBe(404);
    expect(await unknownPath.json()).toEqual({ error: { code: '404', message: 'Resource not found' } });
    expect(emulator.requests.map((request) => request.provider)).toEqual(['azure_openai', 'azure_openai', 'azure_openai']);
  });
});
