/**
 * The collector stage with hand-written OTLP payloads in the shapes other SDKs send (Python
 * OpenLLMetry, OpenInference, semconv old and current), over OTLP/HTTP JSON and protobuf, forwarded
 * to a receiver: GenAI spans arrive priced once with hand-computed figures; other spans unchanged.
 */
import { TokenomicsCollector } from '../packages/collector/src/index';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver, type OtlpSpan } from './support/otlp-receiver';

// OpenAI list prices, USD per million tokens: gpt-4o-mini $0.15 in / $0.075 cached / $0.60 out;
// gpt-4o $2.50 / $1.25 / $10.00. Anthropic claude-sonnet-4: $3 in / $0.30 cache read / $3.75
// cache write (5 min) / $15 out.
const FIXTURES = join(__dirname, 'fixtures', 'collector');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));

let receiver: OtlpReceiver;
let stage: TokenomicsCollector;
let base: string;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  stage = new TokenomicsCollector({
    http: { host: '127.0.0.1', port: 0 },
    destinations: [{ endpoint: receiver.url }],
    metricsIntervalMs: 3_600_000,
  });
  await stage.start();
  base = `http://${stage.addresses.http}`;
});

afterAll(async () => {
  await stage?.shutdown();
  await receiver?.close();
});

async function post(path: string, body: Uint8Array | string, headers: Record<string, string>) {
  const res = await fetch(`${base}${path}`, { method: 'POST', body, headers });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

async function spansOfTrace(traceId: string, count: number): Promise<OtlpSpan[]> {
  return receiver.waitFor((r) => {
    const spans = r.spans().filter((s) => s.traceId === traceId);
    return spans.length >= count ? spans : undefined;
  });
}

describe('Python OpenLLMetry payload over OTLP/HTTP JSON', () => {
  it('prices the chat span from gen_ai.usage.prompt_tokens/completion_tokens and leaves the HTTP span as it came', async () => {
    const res = await post('/v1/traces', fixture('openllmetry-python-chat.json'), { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    const spans = await spansOfTrace('5b8efff798038103d269b633813fc60c', 2);
    const chat = spans.find((s) => s.name === 'openai.chat')!;
    // 1200 input x $0.15 + 300 output x $0.60 per million = $0.00036
    expect(chat.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.00036, 12);
    expect(chat.attributes['gen_ai.usage.cost.currency']).toBe('USD');
    expect(chat.attributes['tokenomics.pricing.model']).toBe('gpt-4o-mini');
    const http = spans.find((s) => s.name === 'POST')!;
    expect(http.attributes).toEqual({
      'http.request.method': 'POST',
      'url.full': 'https://api.openai.com/v1/chat/completions',
      'http.response.status_code': 200,
    });
  });
});
