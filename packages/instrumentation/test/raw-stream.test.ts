import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicInstrumentation, OpenAIInstrumentation, pendingEstimateCount, waitForPendingEstimates } from '../src';
import { requireAnthropic } from './support/load-anthropic';
import { requireOpenAI } from './support/load-openai';
import { collectUntil } from './support/gc';
import { TestTelemetry } from './support/telemetry';

// Published list prices, USD per million tokens: gpt-4o-mini $0.15 input, $0.60 output
// (https://openai.com/api/pricing/); claude-sonnet-4 $3 input, $15 output
// (https://www.anthropic.com/pricing).
const usd = (input: number, output: number, rates: { input: number; output: number }) =>
  (input * rates.input + output * rates.output) / 1e6;
const MINI = { input: 0.15, output: 0.6 };
const SONNET = { input: 3, output: 15 };

type Obj = Record<string, any>;

/** The JSON events of an SSE body, in order. */
function sseEvents(bytes: Uint8Array): Obj[] {
  const out: Obj[] = [];
  for (const block of new TextDecoder().decode(bytes).split(/\r?\n\r?\n/)) {
    const data = block
      .split(/\r?\n/)
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trimStart())
      .join('\n');
    if (data && data !== '[DONE]') out.push(JSON.parse(data));
  }
  return out;
}

async function readAll(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

function only(spans: ReadableSpan[]): ReadableSpan {
  expect(spans).toHaveLength(1);
  return spans[0];
}

/** Waits for the body's last events to be seen and the call to end (an estimate may take a moment). */
let telemetryRef: TestTelemetry;
async function settle(): Promise<void> {
  for (let i = 0; i < 1000 && telemetryRef.spans().length === 0 && pendingEstimateCount() === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await waitForPendingEstimates(120_000);
}

/**
 * Replays recorded SSE bodies over HTTP, written in 37-byte pieces one event-loop turn apart, so
 * events and lines are split across network reads. Bodies are keyed by request path.
 */
async function startReplay(bodies: Map<string, Uint8Array>): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      const body = bodies.get(req.url ?? '');
      if (!body) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      for (let i = 0; i < body.length; i += 37) {
        res.write(body.subarray(i, i + 37));
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The raw SSE bytes the emulator answers `body` with, fetched without any client library. */
async function recorded(url: string, headers: Record<string, string>, body: Obj): Promise<Uint8Array> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return readAll(res);
}

describe('streams read raw through asResponse()', () => {
  const telemetry = new TestTelemetry();
  telemetryRef = telemetry;
  const openaiInstrumentation = new OpenAIInstrumentation();
  const anthropicInstrumentation = new AnthropicInstrumentation();
  let emulator: Emulator;
  let replay: Awaited<ReturnType<typeof startReplay>>;
  const bodies = new Map<string, Uint8Array>();
  const CHAT = {
    model: 'gpt-4o-mini',
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'Tell me a story [emulate output_tokens=23]' }],
  };
  const RESPONSES = { model: 'gpt-4o-mini', stream: true, input: 'Tell me a story [emulate output_tokens=17]' };
  const MESSAGES = {
    model: 'claude-sonnet-4-0',
    max_tokens: 256,
    stream: true,
    messages: [{ role: 'user', content: 'Tell me a story [emulate output_tokens=19]' }],
  };

  beforeAll(async () => {
    telemetry.instrument(openaiInstrumentation);
    telemetry.instrument(anthropicInstrumentation);
    emulator = await startEmulator({ port: 0 });
    bodies.set(
      '/v1/chat/completions',
      await recorded(`${emulator.openaiBaseURL}/chat/completions`, { authorization: 'Bearer sk-test' }, CHAT),
    );
    bodies.set('/v1/responses', await recorded(`${emulator.openaiBaseURL}/responses`, { authorization: 'Bearer sk-test' }, RESPONSES));
    bodies.set(
      '/v1/messages',
      await recorded(
        `${emulator.anthropicBaseURL}/v1/messages`,
        { 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' },
        MESSAGES,
      ),
    );
    replay = await startReplay(bodies);
  });

  afterEach(async () => {
    await telemetry.settled();
    telemetry.reset();
  });

  afterAll(async () => {
    openaiInstrumentation.disable();
    anthropicInstrumentation.disable();
    await replay.close();
    await emulator.close();
    await telemetry.shutdown();
  });

  for (const major of [6, 5, 4] as const) {
    it(`gives the app the chat stream byte for byte and bills its usage chunk (openai ${major}.x)`, async () => {
      const { OpenAI } = requireOpenAI(major);
      const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${replay.url}/v1`, maxRetries: 0 });
      const response = await client.chat.completions.create(CHAT).asResponse();
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(response.url).toBe(`${replay.url}/v1/chat/completions`);
      const bytes = await readAll(response);
      const sent = bodies.get('/v1/chat/completions')!;
      expect(Buffer.from(bytes).equals(Buffer.from(sent))).toBe(true);
      await settle();
      const usage = sseEvents(sent).at(-1)!.usage;
      expect(usage.completion_tokens).toBe(23);
      const a = only(telemetry.spans()).attributes;
      expect(a['tokenomics.usage.estimated']).toBe(false);
      expect(a['tokenomics.stream.outcome']).toBe('completed');
      expect(a['gen_ai.usage.input_tokens']).toBe(usage.prompt_tokens);
      expect(a['gen_ai.usage.output_tokens']).toBe(23);
      expect(a['gen_ai.response.model']).toBe(sseEvents(sent)[0].model);
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(usd(usage.prompt_tokens, 23, MINI), 15);
    });

    it(`gives the app the Responses stream byte for byte and bills response.completed (openai ${major}.x)`, async () => {
      const { OpenAI } = requireOpenAI(major);
      const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${replay.url}/v1`, maxRetries: 0 });
      const bytes = await readAll(await client.responses.create(RESPONSES).asResponse());
      const sent = bodies.get('/v1/responses')!;
      expect(Buffer.from(bytes).equals(Buffer.from(sent))).toBe(true);
      await settle();
      const completed = sseEvents(sent).find((e) => e.type === 'response.completed')!.response;
      const a = only(telemetry.spans()).attributes;
      expect(a['tokenomics.usage.estimated']).toBe(false);
      expect(a['gen_ai.usage.input_tokens']).toBe(completed.usage.input_tokens);
      expect(a['gen_ai.usage.output_tokens']).toBe(17);
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(usd(completed.usage.input_tokens, 17, MINI), 15);
    });
  }

  // 1.x reads through fetch (a web stream), 0.x through node-fetch (a Node.js stream).
  for (const major of [1, 0] as const) {
    it(`gives the app the Messages stream byte for byte and bills message_delta (@anthropic-ai/sdk ${major}.x)`, async () => {
      const sdk = requireAnthropic(major);
      const Anthropic = sdk.Anthropic ?? sdk.default;
      const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: replay.url, maxRetries: 0 });
      const bytes = await readAll(await client.messages.create(MESSAGES).asResponse());
      const sent = bodies.get('/v1/messages')!;
      expect(Buffer.from(bytes).equals(Buffer.from(sent))).toBe(true);
      await settle();
      const start = sseEvents(sent).find((e) => e.type === 'message_start')!.message;
      const a = only(telemetry.spans()).attributes;
      expect(a['tokenomics.usage.estimated']).toBe(false);
      expect(a['gen_ai.response.model']).toBe(start.model);
      expect(a['gen_ai.usage.input_tokens']).toBe(start.usage.input_tokens);
      expect(a['gen_ai.usage.output_tokens']).toBe(19);
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(usd(start.usage.input_tokens, 19, SONNET), 15);
    });
  }

  it('sends the request as the app wrote it when the app takes the raw stream (no usage option added)', async () => {
    const { OpenAI } = requireOpenAI(6);
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
    const response = await client.chat.completions
      .create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'No usage asked [emulate output_tokens=9]' }] })
      .asResponse();
    const events = sseEvents(await readAll(response));
    await settle();
    const request = emulator.requests.at(-1)!;
    expect(Object.hasOwn(request.body as Obj, 'stream_options')).toBe(false);
    expect(events.some((e) => e.usage)).toBe(false);
    const a = only(telemetry.spans()).attributes;
    expect(a['tokenomics.usage.estimated']).toBe(true);
    expect(a['tokenomics.stream.outcome']).toBe('completed');
  });

  it("sends the app's own stream options, and no more, when the app takes the raw stream", async () => {
    const { OpenAI } = requireOpenAI(6);
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
    const streamOptions = { include_obfuscation: false };
    const response = await client.chat.completions
      .create({
        model: 'gpt-4o-mini',
        stream: true,
        stream_options: streamOptions,
        messages: [{ role: 'user', content: 'Own options [emulate output_tokens=6]' }],
      })
      .asResponse();
    const events = sseEvents(await readAll(response));
    await settle();
    expect((emulator.requests.at(-1)!.body as Obj).stream_options).toEqual({ include_obfuscation: false });
    expect(streamOptions).toEqual({ include_obfuscation: false });
    expect(events.some((e) => e.usage || e.obfuscation)).toBe(false);
    expect(only(telemetry.spans()).attributes['tokenomics.usage.estimated']).toBe(true);
  });
  it('reads the network only as the app reads: one pull of the source per chunk the app takes', async () => {
    const sent = bodies.get('/v1/chat/completions')!;
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < sent.length; i += 64) pieces.push(sent.subarray(i, i + 64));
    let pulls = 0;
    const fetchFromSource = async () => {
      let next = 0;
      const source = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            pulls++;
            if (next < pieces.length) controller.enqueue(pieces[next++]);
            else controller.close();
          },
        },
        { highWaterMark: 0 },
      );
      return new Response(source, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    };
    const { OpenAI } = requireOpenAI(6);
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch: fetchFromSource });
    const response = await client.chat.completions.create(CHAT).asResponse();
    const reader = response.body!.getReader();
    const got: Uint8Array[] = [];
    for (let i = 0; i < 3; i++) got.push((await reader.read()).value!);
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(pulls).toBe(3);
    expect(got).toEqual(pieces.slice(0, 3));
    expect(got[0]).toBe(pieces[0]); // the very chunk objects
    for (;;) if ((await reader.read()).done) break;
    expect(pulls).toBe(pieces.length + 1);
    await settle();
    const a = only(telemetry.spans()).attributes;
    expect(a['tokenomics.usage.estimated']).toBe(false);
    expect(a['gen_ai.usage.output_tokens']).toBe(23);
  });

  it('ends the call as abandoned when the app drops the raw response unread', async () => {
    const { OpenAI } = requireOpenAI(6);
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${replay.url}/v1`, maxRetries: 0 });
    await (async () => {
      const response = await client.chat.completions.create(CHAT).asResponse();
      expect(response.status).toBe(200);
    })();
    await collectUntil(() => telemetry.spans().length > 0);
    const a = only(telemetry.spans()).attributes;
    expect(a['tokenomics.stream.outcome']).toBe('abandoned');
  });

  for (const major of [6, 4] as const) {
    it(`ends the call as aborted when the app cancels the raw body (openai ${major}.x)`, async () => {
      const { OpenAI } = requireOpenAI(major);
      const client = new OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
      const response = await client.chat.completions
        .create({ ...CHAT, messages: [{ role: 'user', content: 'Go on [emulate stall_after=3]' }] })
        .asResponse();
      if (major === 4) {
        // node-fetch: the body is a Node.js stream
        const body = response.body as any;
        await new Promise((resolve) => body.once('readable', resolve));
        body.destroy();
      } else {
        const reader = response.body!.getReader();
        const first = await reader.read();
        expect(first.done).toBe(false);
        await reader.cancel();
      }
      await settle();
      const a = only(telemetry.spans()).attributes;
      expect(a['tokenomics.stream.outcome']).toBe('aborted');
      expect(a['tokenomics.usage.estimated']).toBe(true);
    });
  }
});
