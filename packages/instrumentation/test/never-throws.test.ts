import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIInstrumentation } from '../src';
import { requireOpenAI } from './support/load-openai';
import { TestTelemetry } from './support/telemetry';

// What the instrumentation runs later, from timers and promise reactions (after the call has
// returned to the app), must never throw or reject into the app: not when the app's diagnostic
// logger throws (as a logger that fails tests on warnings does), nor whatever the app's request
// object does when it is read again (here `messages` throws once the request has been sent; the
// app never reads it again, so without the hook nothing is thrown).

let armed = false;
const throwing = () => {
  if (armed) throw new Error('the app logger throws on every message');
};
const throwingLogger: DiagLogger = { error: throwing, warn: throwing, info: throwing, debug: throwing, verbose: throwing };

const telemetry = new TestTelemetry();
const instrumentation = new OpenAIInstrumentation();
const escaped: unknown[] = [];
const onEscape = (err: unknown) => escaped.push(err);

beforeAll(() => {
  telemetry.instrument(instrumentation);
  diag.setLogger(throwingLogger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  armed = true;
  process.on('unhandledRejection', onEscape);
  process.on('uncaughtException', onEscape);
});

afterEach(() => {
  telemetry.reset();
  escaped.length = 0;
});

afterAll(async () => {
  process.off('unhandledRejection', onEscape);
  process.off('uncaughtException', onEscape);
  armed = false;
  diag.disable();
  instrumentation.disable();
  await telemetry.shutdown();
});

/** A request whose `messages` throws once `sent()` says the request has gone out. */
function requestReadOnce(stream: boolean): { body: Record<string, unknown>; markSent: () => void } {
  let sent = false;
  const messages = [{ role: 'user', content: 'Hi' }];
  const body: Record<string, unknown> = { model: 'gpt-4o-mini', stream };
  Object.defineProperty(body, 'messages', {
    enumerable: true,
    get() {
      if (sent) throw new Error('messages read after the request was sent');
      return messages;
    },
  });
  return { body, markSent: () => (sent = true) };
}

function client(markSent: () => void, contentType: string, text: string): any {
  const { OpenAI } = requireOpenAI(6);
  const fetch = (async () => {
    markSent();
    return new Response(text, { status: 200, headers: { 'content-type': contentType } });
  }) as typeof globalThis.fetch;
  return new OpenAI({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch });
}

/** Lets timers and promise reactions queued by the call run. */
async function letCallbacksRun(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  await telemetry.settled();
}

describe('callbacks run after the call returned, with a diagnostic logger that throws', () => {
  it('a raw response whose body is not JSON: reporting it and recording the call without usage throws nothing into the app', async () => {
    const { body, markSent } = requestReadOnce(false);
    const response = await client(markSent, 'application/json', 'not json').chat.completions.create(body).asResponse();
    expect(await response.text()).toBe('not json');
    await letCallbacksRun();
    expect(escaped).toEqual([]);
    expect(telemetry.spans()).toHaveLength(1);
  });

  it('a streamed call never read: recording it without usage throws nothing into the app', async () => {
    const { body, markSent } = requestReadOnce(true);
    const pending = client(markSent, 'text/plain', 'data: [DONE]\n\n').chat.completions.create(body);
    const response = await pending.asResponse();
    expect(await response.text()).toBe('data: [DONE]\n\n');
    await letCallbacksRun();
    expect(escaped).toEqual([]);
  });
});
