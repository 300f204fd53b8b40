import { context, createContextKey, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { attributionPropagation, baggageAttribution, withBaggageAttribution } from './baggage-attribution';

const ATTRIBUTION_KEY = createContextKey('tokenomics.attribution');

/** Attribution of spend: which tenant, feature, team, ... a call is made for. */
export type Attribution = Readonly<Record<string, string>>;

/** Options of {@link withAttribution}. */
export interface AttributionOptions {
  /**
   * Also put the keys into OpenTelemetry Baggage, so that services called from `fn` over a
   * propagating client (W3C `baggage` header) attribute their LLM calls the same way. Default:
   * off, unless `TOKENOMICS_ATTRIBUTION_PROPAGATE=true`. Values are cut to 128 characters.
   */
  propagate?: boolean;
}

/**
 * Runs `fn` with `attribution` merged into the active context: every LLM call made inside it
 * (also in callbacks and promises it starts) is attributed to these keys.
 *
 * @example
 * withAttribution({ tenant: 'acme', feature: 'search' }, () => handle(req));
 * // and tell the services this request calls:
 * withAttribution({ tenant: 'acme' }, () => callDownstream(req), { propagate: true });
 */
export function withAttribution<T>(attribution: Record<string, string>, fn: () => T, options?: AttributionOptions): T {
  let ctx = mergeAttribution(context.active(), attribution);
  if (options?.propagate ?? attributionPropagation()) ctx = withBaggageAttribution(ctx, attribution);
  return context.with(ctx, fn);
}

/** The attribution in effect in `ctx` (default: the active context). */
export function getAttribution(ctx: Context = context.active()): Attribution {
  // The root context holds nothing: the active one of every call in an app that never entered a
  // context (the hook's default set-up, where calls enter none either).
  if (ctx === ROOT_CONTEXT) return EMPTY;
  const fixed = (ctx.getValue(ATTRIBUTION_KEY) as Attribution | undefined) ?? EMPTY;
  // Keys from OpenTelemetry Baggage (set by an upstream service) count for less than any set here.
  const fromBaggage = baggageAttribution(ctx);
  const source = ctx.getValue(LIVE_ATTRIBUTION_KEY) as LiveAttribution | undefined;
  let live: Attribution | undefined;
  if (source !== undefined) {
    try {
      live = source();
    } catch {
      live = undefined;
    }
  }
  // Keys set with withAttribution win over those a framework reports, which win over Baggage.
  if (live === undefined) return fromBaggage === undefined ? fixed : Object.freeze({ ...fromBaggage, ...fixed });
  return Object.freeze({ ...fromBaggage, ...live, ...fixed });
}

const LIVE_ATTRIBUTION_KEY = createContextKey('tokenomics.attribution.live');

/**
 * Attribution read when a call starts rather than when the context was made: a framework whose
 * current unit of work changes within one context (an agent run handing off to another agent)
 * reports it through `source`. Each call takes a snapshot, so its span and metric points agree.
 * Internal to the framework instrumentations.
 */
export type LiveAttribution = () => Attribution | undefined;

/** `ctx` with `source` as its live attribution (replacing any outer one). */
export function setLiveAttribution(ctx: Context, source: LiveAttribution): Context {
  return ctx.setValue(LIVE_ATTRIBUTION_KEY, source);
}

/** `ctx` with `attribution` merged over the attribution set in it (not over live attribution). */
export function mergeAttribution(ctx: Context, attribution: Attribution): Context {
  const fixed = (ctx.getValue(ATTRIBUTION_KEY) as Attribution | undefined) ?? EMPTY;
  return ctx.setValue(ATTRIBUTION_KEY, Object.freeze({ ...fixed, ...attribution }));
}

const EMPTY: Attribution = Object.freeze({});
