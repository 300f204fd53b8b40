import { propagation, type Context } from '@opentelemetry/api';

/** The propagation API, read on every call: bound once, not read through the getter of the API package's export. */
const propagationApi = propagation;

/** Baggage keys read as attribution unless configured otherwise (`TOKENOMICS_BAGGAGE_KEYS`). */
export const DEFAULT_BAGGAGE_KEYS: readonly string[] = Object.freeze(['tenant', 'feature']);

/** Longest attribution value taken from baggage or put into it; longer values are cut to this many characters. */
export const MAX_BAGGAGE_VALUE_LENGTH = 128;

let baggageKeys: readonly string[] = DEFAULT_BAGGAGE_KEYS;
let propagateByDefault = false;

/**
 * Sets the OpenTelemetry Baggage keys read as attribution (an empty list reads none). Called by
 * `@tokenomics/node` at start from `TOKENOMICS_BAGGAGE_KEYS` or the `baggageKeys` option.
 */
export function setBaggageAttributionKeys(keys: readonly string[]): void {
  baggageKeys = Object.freeze([...new Set(keys)]);
}

/** The Baggage keys read as attribution. */
export function baggageAttributionKeys(): readonly string[] {
  return baggageKeys;
}

/**
 * Whether `withAttribution()` also puts its keys into Baggage when the call does not say
 * (`TOKENOMICS_ATTRIBUTION_PROPAGATE=true`). Off by default.
 */
export function setAttributionPropagation(on: boolean): void {
  propagateByDefault = on;
}

/** Whether `withAttribution()` propagates by default. */
export function attributionPropagation(): boolean {
  return propagateByDefault;
}

/**
 * Attribution carried in the Baggage of `ctx`: the configured keys that are present with a
 * non-empty value, each cut to {@link MAX_BAGGAGE_VALUE_LENGTH} characters. `undefined` when none.
 * Baggage comes from upstream services (and, at an edge, from clients): values are untrusted text
 * and reach metrics only through the bounded attribution allow-list.
 */
export function baggageAttribution(ctx: Context): Readonly<Record<string, string>> | undefined {
  if (baggageKeys.length === 0) return undefined;
  const baggage = propagationApi.getBaggage(ctx);
  if (baggage === undefined) return undefined;
  let out: Record<string, string> | undefined;
  for (const key of baggageKeys) {
    const entry = baggage.getEntry(key);
    const value = entry?.value;
    if (typeof value !== 'string' || value === '') continue;
    (out ??= {})[key] = capValue(value);
  }
  // Frozen: the call's attribution is a frozen spread of this and the keys set in process, and V8
  // gives a frozen copy of an unfrozen source a hidden class of its own on every call (about 1.5 µs).
  return out === undefined ? undefined : Object.freeze(out);
}

/** `ctx` with the entries of `attribution` set in its Baggage (values capped), other entries kept. */
export function withBaggageAttribution(ctx: Context, attribution: Readonly<Record<string, string>>): Context {
  let baggage = propagation.getBaggage(ctx) ?? propagation.createBaggage();
  for (const key of Object.keys(attribution)) {
    const value = attribution[key];
    if (typeof value !== 'string' || value === '') continue;
    baggage = baggage.setEntry(key, { value: capValue(value) });
  }
  return propagation.setBaggage(ctx, baggage);
}

function capValue(value: string): string {
  return value.length > MAX_BAGGAGE_VALUE_LENGTH ? value.slice(0, MAX_BAGGAGE_VALUE_LENGTH) : value;
}
