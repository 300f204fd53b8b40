import { afterAll, describe, expect, it } from 'vitest';
import { OpenAIInstrumentation } from '../src';
import { collectUntil } from './support/gc';
import { TestTelemetry } from './support/telemetry';

// setConfig() replaces the instrumentation's recorder. The recorder it replaces must leave the
// meter's collections, or every reconfiguration keeps one more recorder (and its series) alive
// and running at each collection for the life of the process.

describe('setConfig()', () => {
  const telemetry = new TestTelemetry();
  afterAll(async () => {
    await telemetry.shutdown();
  });

  it('lets the previous recorder go: nothing on the meter keeps it once the configuration is replaced', async () => {
    const instrumentation = telemetry.instrument(new OpenAIInstrumentation());
    const recorderOf = () => (instrumentation as unknown as { recorder: object }).recorder;
    // A finalization callback, not a WeakRef: reading a WeakRef keeps its target alive for the turn.
    let collected = false;
    const registry = new FinalizationRegistry(() => {
      collected = true;
    });
    registry.register(recorderOf(), undefined);
    instrumentation.setConfig({ attributionKeys: ['team'] });
    instrumentation.setConfig({ attributionKeys: ['tenant'] });
    // A collection runs the meter's callbacks: it works with the current recorder alone.
    expect(await telemetry.counterSum('tokenomics.cost')).toBe(0);
    await collectUntil(() => collected);
    expect(collected).toBe(true);
    instrumentation.disable();
  });
});
