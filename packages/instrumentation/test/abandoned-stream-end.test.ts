import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIInstrumentation } from '../src';
import { collectUntil } from './support/gc';
import { requireOpenAI } from './support/load-openai';
import { TestTelemetry } from './support/telemetry';

// A stream the app drops unfinished is ended when it is garbage collected, which may be long after
// the app stopped reading. Its span must end when the app last saw the stream move (its last
// chunk), or at its start when no chunk was seen: not at collection time.

const nowMs = () => performance.timeOrigin + performance.now();
const endMs = (span: ReadableSpan) => span.endTime[0] * 1e3 + span.endTime[1] / 1e6;

/** Lets at least `ms` milliseconds pass after `since` (so that collection time is clearly later). */
async function letTimePass(since: number, ms: number): Promise<void> {
  while (nowMs() < since + ms) await new Promise((r) => setTimeout(r, ms));
}

describe('a stream dropped unfinished and collected', () => {
  let telemetry: TestTelemetry;
  let instrumentation: OpenAIInstrumentation;
  let emulator: Emulator;
  let client: any;

  beforeAll(async () => {
    telemetry = new TestTelemetry();
    instrumentation = telemetry.instrument(new OpenAIInstrumentation());
    emulator = await startEmulator({ port: 0 });
    const { OpenAI } = requireOpenAI(6);
    client = new OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
  });

  afterEach(async () => {
    await telemetry.settled();
    telemetry.reset();
  });

  afterAll(async () => {
    instrumentation.disable();
    await emulator.close();
    await telemetry.shutdown();
  });

  it('ends at the time its last chunk was seen, not at collection time', async () => {
    let beforeLastChunk = 0;
    let afterLastChunk = 0;
    await (async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'Read two chunks [emulate output_tokens=40]' }],
      });
      const it = stream[Symbol.asyncIterator]();
      await it.next();
      beforeLastChunk = nowMs();
      await it.next();
      afterLastChunk = nowMs();
      // Both dropped here: neither finished nor returned.
    })();
    await letTimePass(afterLastChunk, 50);
    await collectUntil(() => telemetry.spans().length > 0);
    await telemetry.settled();
    const spans = telemetry.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes['tokenomics.stream.outcome']).toBe('abandoned');
    expect(endMs(spans[0])).toBeGreaterThanOrEqual(beforeLastChunk - 0.001);
    expect(endMs(spans[0])).toBeLessThanOrEqual(afterLastChunk);
  });

  it('ends at its start when no chunk was seen', async () => {
    let returned = 0;
    await (async () => {
      await client.chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'Never read [emulate output_tokens=3]' }],
      });
      returned = nowMs();
    })();
    await letTimePass(returned, 50);
    await collectUntil(() => telemetry.spans().length > 0);
    await telemetry.settled();
    const spans = telemetry.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes['tokenomics.stream.outcome']).toBe('abandoned');
    expect(endMs(spans[0])).toBeLessThanOrEqual(returned);
    expect(spans[0].endTime[0] * 1e9 + spans[0].endTime[1]).toBeGreaterThanOrEqual(spans[0].startTime[0] * 1e9 + spans[0].startTime[1]);
  });

  it('is not ended while its iterator is read, though the app let go of the stream object', async () => {
    const it = await (async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'Keep the iterator only [emulate output_tokens=6]' }],
      });
      return stream[Symbol.asyncIterator]();
    })();
    await it.next();
    // Several collections with the stream object unreachable: the iteration holds the call.
    await collectUntil(() => false);
    expect(telemetry.spans()).toHaveLength(0);
    while (!(await it.next()).done);
    await telemetry.settled();
    const spans = telemetry.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes['tokenomics.stream.outcome']).toBe('completed');
    expect(spans[0].attributes['gen_ai.usage.output_tokens']).toBe(6);
    expect(spans[0].attributes['tokenomics.usage.estimated']).toBe(false);
  });

  it('is ended when its iterator is collected unfinished, though the app keeps the stream object', async () => {
    const kept: unknown[] = [];
    await (async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'Keep the stream only [emulate output_tokens=6]' }],
      });
      kept.push(stream);
      const it = stream[Symbol.asyncIterator]();
      await it.next();
      // The iterator is dropped here, unfinished; the stream object stays reachable.
    })();
    await collectUntil(() => telemetry.spans().length > 0);
    await telemetry.settled();
    const spans = telemetry.spans();
    expect(kept).toHaveLength(1);
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes['tokenomics.stream.outcome']).toBe('abandoned');
  });
});
