import { join } from 'node:path';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpExportEnv } from './support/examples';
import { startOtlpReceiver, type OtlpReceiver, type OtlpSpan } from './support/otlp-receiver';
import { E2E_DIR, runApp } from './support/run-app';

const APP = join(E2E_DIR, 'fixtures', 'governance', 'app.cjs');
const SCOPE = '@tokenomics/instrumentation-openai';

interface Line {
  call: string;
  input?: number;
  id?: string;
  status?: number;
}

describe('quota headroom, conversations and reconciliation through the hook', () => {
  let emulator: Emulator;
  let receiver: OtlpReceiver;
  let lines: Line[];
  let spans: OtlpSpan[];

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    receiver = await startOtlpReceiver();
    const result = await runApp({
      app: APP,
      env: {
        OPENAI_BASE_URL: emulator.openaiBaseURL,
        OTEL_SERVICE_NAME: 'bike-shop-support',
        TOKENOMICS_RECONCILE_SAMPLE: '1',
        ...otlpExportEnv(receiver.url, 'http/protobuf'),
      },
      timeoutMs: 60_000,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    spans = await receiver.waitFor((r) => {
      const s = r.spans().filter((x) => x.scope.name === SCOPE);
      return s.length === 6 && r.metricPoints('tokenomics.reconciliation.input_tokens').length > 0 ? s : undefined;
    }, 20_000);
  }, 90_000);

  afterAll(async () => {
    await receiver?.close();
    await emulator?.close();
  });

  it("carries a named conversation's turn, running input tokens and running cost on each call's span", () => {
    const chat = spans.filter((s) => s.attributes['gen_ai.conversation.id'] === 'ticket-7');
    expect(chat).toHaveLength(3);
    const inputs = lines.filter((l) => l.call === 'chat').map((l) => l.input!);
    let input = 0;
    let cost = 0;
    chat.forEach((s, i) => {
      input += inputs[i];
      cost += s.attributes['gen_ai.usage.cost.amount'] as number;
      expect(s.attributes['tokenomics.conversation.turn']).toBe(i + 1);
      expect(s.attributes['tokenomics.conversation.input_tokens']).toBe(input);
      expect(s.attributes['tokenomics.conversation.cost']).toBeCloseTo(cost, 15);
      expect(s.attributes['tokenomics.attribution.tenant']).toBe('acme');
    });
    for (const [i, range] of ['1', '2', '3'].entries()) {
      const [point] = receiver
        .metricPoints('tokenomics.conversation.turn_input_tokens')
        .filter(
          (p) => p.attributes['gen_ai.request.model'] === 'gpt-4o-mini' && p.attributes['tokenomics.conversation.turn_range'] === range,
        );
      expect(point.count).toBe(1);
      expect(point.sum).toBe(inputs[i]);
    }
  });

  it('joins a Responses API call to the conversation of the response it continues', () => {
    const [first, second] = lines.filter((l) => l.call === 'responses');
    const span = spans.find((s) => s.attributes['gen_ai.response.id'] === second.id)!;
    expect(span.attributes['gen_ai.conversation.id']).toBe(first.id);
    expect(span.attributes['tokenomics.conversation.turn']).toBe(2);
    expect(span.attributes['tokenomics.conversation.input_tokens']).toBe(first.input! + second.input!);
  });

  it('exports the rate-limit state of each model and counts the 429 by the limit it hit', () => {
    const gauge = (name: string, model: string, type: string) =>
      receiver
        .metricPoints(name)
        .filter((p) => p.attributes['gen_ai.request.model'] === model && p.attributes['tokenomics.quota.limit_type'] === type)
        .map((p) => p.value);
    expect(gauge('tokenomics.quota.remaining', 'gpt-4o-mini', 'requests')).toEqual([9999]);
    expect(gauge('tokenomics.quota.limit', 'gpt-4o-mini', 'tokens')).toEqual([30000000]);
    expect(gauge('tokenomics.quota.remaining', 'gpt-4.1', 'tokens')).toEqual([29999000]);
    // The 429 said x-ratelimit-remaining-requests: 0.
    expect(lines.find((l) => l.call === 'error')?.status).toBe(429);
    expect(gauge('tokenomics.quota.remaining', 'gpt-4o', 'requests')).toEqual([0]);
    const limited = receiver.metricPoints('tokenomics.quota.rate_limited');
    expect(limited.map((p) => [p.attributes['gen_ai.request.model'], p.attributes['tokenomics.quota.limit_type'], p.value])).toEqual([
      ['gpt-4o', 'requests', 1],
    ]);
  });

  it('reconciles every billed call with TOKENOMICS_RECONCILE_SAMPLE=1, before the process exits', () => {
    const points = receiver.metricPoints('tokenomics.reconciliation.input_tokens');
    const count = (model: string) => points.filter((p) => p.attributes['gen_ai.request.model'] === model).reduce((n, p) => n + p.count!, 0);
    expect(count('gpt-4o-mini')).toBe(3);
    expect(count('gpt-4.1')).toBe(2);
    expect(count('gpt-4o')).toBe(0);
    for (const p of points) expect(p.attributes['tokenomics.token.encoding']).toBe('o200k_base');
  });
});
