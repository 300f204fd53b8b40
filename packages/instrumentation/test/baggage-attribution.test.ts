import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BAGGAGE_KEYS, getAttribution, setAttributionPropagation, setBaggageAttributionKeys, withAttribution } from '../src';
import { setLiveAttribution } from '../src/genai/attribution';

function withBaggage<T>(entries: Record<string, string>, fn: () => T): T {
  let baggage = propagation.createBaggage();
  for (const [k, v] of Object.entries(entries)) baggage = baggage.setEntry(k, { value: v });
  return context.with(propagation.setBaggage(context.active(), baggage), fn);
}

/** The baggage a propagator would send from the active context, as `key=value` pairs. */
function outgoingBaggageHeader(): string | undefined {
  const entries = propagation.getBaggage(context.active())?.getAllEntries();
  return entries === undefined ? undefined : entries.map(([k, e]) => `${k}=${e.value}`).join(',');
}

describe('attribution from baggage', () => {
  const manager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    context.setGlobalContextManager(manager.enable());
  });
  afterEach(() => {
    setBaggageAttributionKeys(DEFAULT_BAGGAGE_KEYS);
    setAttributionPropagation(false);
  });
  afterAll(() => {
    context.disable();
  });

  it('reads the configured keys only (default tenant and feature), with withAttribution and framework keys winning over baggage', () => {
    withBaggage({ tenant: 'acme', feature: 'search', user: 'u-1' }, () => {
      expect(getAttribution()).toEqual({ tenant: 'acme', feature: 'search' });
      withAttribution({ tenant: 'globex' }, () => expect(getAttribution()).toEqual({ tenant: 'globex', feature: 'search' }));
      context.with(
        setLiveAttribution(context.active(), () => ({ feature: 'agent-search' })),
        () => expect(getAttribution()).toEqual({ tenant: 'acme', feature: 'agent-search' }),
      );
    });
    setBaggageAttributionKeys(['user']);
    withBaggage({ tenant: 'acme', user: 'u-1' }, () => expect(getAttribution()).toEqual({ user: 'u-1' }));
    setBaggageAttributionKeys([]);
    withBaggage({ tenant: 'acme' }, () => expect(getAttribution()).toEqual({}));
  });

  it('cuts baggage values to 128 characters and skips empty ones', () => {
    withBaggage({ tenant: 'x'.repeat(500), feature: '' }, () => expect(getAttribution()).toEqual({ tenant: 'x'.repeat(128) }));
  });

  it('sets baggage from withAttribution only when asked, per call or by the process switch', () => {
    withAttribution({ tenant: 'acme' }, () => expect(outgoingBaggageHeader()).toBeUndefined());
    withAttribution({ tenant: 'acme', feature: 'a b' }, () => expect(outgoingBaggageHeader()).toBe('tenant=acme,feature=a b'), {
      propagate: true,
    });
    setAttributionPropagation(true);
    withAttribution({ tenant: 'acme' }, () => expect(outgoingBaggageHeader()).toBe('tenant=acme'));
    withAttribution({ tenant: 'acme' }, () => expect(outgoingBaggageHeader()).toBeUndefined(), { propagate: false });
  });
});
