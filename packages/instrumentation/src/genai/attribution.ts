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
  const merged = { ...getAttribution(), ...attribution };
  return context.with(context.active().setValue(ATTRIBUTION_KEY, Object.freeze(merged)), fn);
}

/** The attribution in effect in `ctx` (default: the active context). */
export function getAttribution(ctx: Context = context.active()): Attribution {
  return (ctx.getValue(ATTRIBUTION_KEY) as Attribution | undefined) ?? EMPTY;
}

const EMPTY: Attribution = Object.freeze({});
