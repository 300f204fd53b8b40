import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index';

let emulator: Emulator;
let client: OpenAI;

beforeAll(async () => {
  emulator = await startEmulator();
  client = new OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
});
afterAll(async () => {
  await emulator.close();
});

// Input tokens use the chat accounting (derived once with tiktoken, o200k_base):
// a string input is one user message: 3 + 'user' 1 + 'Hello, world!' 4 + 3 = 11;
// instructions add a system message: 3 + 'system' 1 + 'Be brief.' 3 = 7.
describe('Responses API (non-streaming)', () => {
  it('returns a completed response with output and exact usage', async () => {
    const response = await client.responses.create({ model: 'gpt-4.1', input: 'Hello, world!', instructions: 'Be brief.' });
    expect(response.object).toBe('response');
    expect(response.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(response.status).toBe('completed');
    expect(response.model).toBe('gpt-4.1-2025-04-14');
    expect(response.instructions).toBe('Be brief.');
    expect(response.output).toHaveLength(1);
    const message = response.output[0] as OpenAI.Responses.ResponseOutputMessage;
    expect(message.type).toBe('message');
    expect(message.id).toMatch(/^msg_/);
    expect(message.content[0].type).toBe('output_text');
    expect(response.output_text).toBe((message.content[0] as OpenAI.Responses.ResponseOutputText).text);
    expect(response.usage).toEqual({
      input_tokens: 18,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 25,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 43,
    });
  });

  it('adds a reasoning item and reasoning tokens, and reports cached input', async () => {
    const response = await client.responses.create({
      model: 'o3',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Solve [emulate reasoning=120 cached=8 output_tokens=6]' }] }],
    });
    expect(response.model).toBe('o3-2025-04-16');
    expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    // 3 + 'user' 1 + 'Solve [emulate reasoning=120 cached=8 output_tokens=6]' (15) + 3 = 22
    expect(response.usage).toEqual({
      input_tokens: 22,
      input_tokens_details: { cached_tokens: 8 },
      output_tokens: 126,
      output_tokens_details: { reasoning_tokens: 120 },
      total_tokens: 148,
    });
  });

  it('is incomplete with reason max_output_tokens when the reply is cut', async () => {
    const response = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hello, world!', max_output_tokens: 16 });
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(response.usage?.output_tokens).toBe(16);
  });
});

describe('Responses API (streaming)', () => {
  it('sends the real event sequence with consecutive sequence numbers and usage on response.completed', async () => {
    const stream = await client.responses.create({ model: 'gpt-4.1', input: 'Hello [emulate output_tokens=3]', stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const created = events[0] as OpenAI.Responses.ResponseCreatedEvent;
    expect(created.response.status).toBe('in_progress');
    expect(created.response.usage).toBeNull();
    const deltas = events.filter((event): event is OpenAI.Responses.ResponseTextDeltaEvent => event.type === 'response.output_text.delta');
    const done = events[7] as OpenAI.Responses.ResponseTextDoneEvent;
    expect(deltas.map((delta) => delta.delta).join('')).toBe(done.text);
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    // 3 + 'user' 1 + 'Hello [emulate output_tokens=3]' (9) + 3 = 16
    expect(completed.response.usage).toEqual({
      input_tokens: 16,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 3,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 19,
    });
  });

  it('writes each event with an event: line matching its type', async () => {
    const response = await fetch(`${emulator.openaiBaseURL}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1', input: 'Hi [emulate output_tokens=1]', stream: true }),
    });
    const events = (await response.text()).split('\n\n').filter((event) => event.length > 0);
    expect(events).toHaveLength(9);
    for (const event of events) {
      const [eventLine, dataLine] = event.split('\n');
      const type = eventLine.replace(/^event: /, '');
      expect(JSON.parse(dataLine.replace(/^data: /, '')).type).toBe(type);
    }
  });

  it('works with the SDK stream helper and its final response', async () => {
    const stream = client.responses.stream({ model: 'gpt-4o', input: 'Hello [emulate output_tokens=4 reasoning=2]' });
    const final = await stream.finalResponse();
    expect(final.usage?.output_tokens).toBe(6);
    expect(final.usage?.output_tokens_details.reasoning_tokens).toBe(2);
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
  });

  it('sends an error event after stream_error_after deltas', async () => {
    const stream = await client.responses.create({ model: 'gpt-4.1', input: 'Hi [emulate stream_error_after=2]', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'error',
    ]);
  });

  it('answers directive errors in the OpenAI error format', async () => {
    const error = await client.responses.create({ model: 'gpt-4.1', input: 'Hi [emulate error=500]' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(500);
  });
});
