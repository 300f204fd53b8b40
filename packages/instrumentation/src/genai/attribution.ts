import { context, createContextKey, type Context } from '@opentelemetry/api';

const ATTRIBUTION_KEY = createContextKey('tokenomics.attribution');

/** Attribution of spend: which tenant, feature, team, ... a call is made for. */
export type Attribution = Readonly<Record<string, string>>;

/**
 * Runs `fn` with `attribution` merged into the active context: every LLM call made inside it
 * (also in callbacks and promises it starts) is attributed to these keys.
 *
 * @example
 * withAttribution({ tenant: 'acme', feature: 'search' }, () => handle(req));
 */
export function withAttribution<T>(attribution: Record<string, string>, fn: () => T): T {
  return context.with(mergeAttribution(context.active(), attribution), fn);
}

/** The attribution in effect in `ctx` (default: the active context). */
export function getAttribution(ctx: Context = context.active()): Attribution {
  const fixed = (ctx.getValue(ATTRIBUTION_KEY) as Attribution | undefined) ?? EMPTY;
  const source = ctx.getValue(LIVE_ATTRIBUTION_KEY) as LiveAttribution | undefined;
  if (source === undefined) return fixed;
  let live: Attribution | undefined;
  try {
    live = source();
  } catch {
    return fixed;
  }
  // Keys set with withAttribution win over those a framework reports.
  return live === undefined ? fixed : Object.freeze({ ...live, ...fixed });
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
