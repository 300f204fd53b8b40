import { diag } from '@opentelemetry/api';
import Module from 'node:module';
import { pathToFileURL } from 'node:url';
import { INSTRUMENTED_MODULES } from '@tokenomics/instrumentation/hook';

/** The import-in-the-middle loader hook shipped by `@opentelemetry/instrumentation`. */
export const ESM_LOADER_HOOK = '@opentelemetry/instrumentation/hook.mjs';

const REGISTERED = Symbol.for('tokenomics.node.esm-loader-hook');

/**
 * Whether an import-in-the-middle loader hook registered before this one is already wrapping
 * modules: the main-thread half of import-in-the-middle (`lib/register.js`, of whichever copy)
 * lists the modules its loader wrapped, and a loader registered by an earlier `--import` has
 * wrapped some by the time the hook runs (the hook's own imports of Node.js built-ins).
 */
export function iitmLoaderActive(): boolean {
  return Object.entries(require.cache).some(([file, cached]) => {
    if (!/[/\\]import-in-the-middle[/\\]lib[/\\]register\.js$/.test(file)) return false;
    const exported = cached?.exports as { toHook?: unknown; specifiers?: unknown } | undefined;
    const toHook = exported?.toHook;
    const specifiers = exported?.specifiers;
    return (Array.isArray(toHook) && toHook.length > 0) || (specifiers instanceof Map && specifiers.size > 0);
  });
}

/** An import-in-the-middle loader hook, as `module.register()` is given it (bare or as a URL). */
const IITM_HOOK = /(?:^|[/\\])(?:import-in-the-middle|@opentelemetry[/\\]instrumentation)[/\\]hook\.mjs$/;

/**
 * The options of an app's registration of the import-in-the-middle loader, adjusted so that it
 * keeps its meaning next to the loader the hook registered first (both share one loader state, in
 * which the options given last win): no module list still means every module, and a module list
 * also lists the client libraries the hook instruments.
 */
export function appLoaderOptions(options: unknown): Record<string, unknown> {
  const given = options !== null && typeof options === 'object' ? (options as Record<string, unknown>) : {};
  const data = given.data !== null && typeof given.data === 'object' ? (given.data as Record<string, unknown>) : undefined;
  if (data === undefined) return { ...given, data: {} };
  if (Array.isArray(data.include))
    return { ...given, data: { ...data, include: [...(data.include as unknown[]), ...INSTRUMENTED_MODULES] } };
  return given;
}

/**
 * Lets an app register its own import-in-the-middle loader after the hook: the registration goes
 * through with {@link appLoaderOptions}, so the hook's module list does not narrow what the app's
 * instrumentations see.
 */
function keepAppLoadersWorking(): void {
  const loader = Module as unknown as { register: (...args: unknown[]) => unknown; syncBuiltinESMExports?: () => void };
  const original = loader.register;
  loader.register = function register(this: unknown, specifier: unknown, ...rest: unknown[]): unknown {
    const text = specifier instanceof URL ? specifier.href : String(specifier);
    if (!IITM_HOOK.test(text)) return original.call(this, specifier, ...rest);
    // register(specifier, parentURL?, options?) or register(specifier, options?)
    const at = rest.length > 0 && (typeof rest[0] === 'string' || rest[0] instanceof URL) ? 1 : 0;
    const args = [...rest];
    args[at] = appLoaderOptions(args[at]);
    diag.debug(`@tokenomics/node: the app registers the ESM loader hook ${text}; its module list is kept`);
    return original.call(this, specifier, ...args);
  };
  // `import { register } from 'node:module'` sees the wrapper too.
  loader.syncBuiltinESMExports?.();
}

/**
 * Registers the import-in-the-middle loader hook (`module.register()`), so that client libraries
 * loaded with `import` (their ESM builds) are patched as well as those loaded with `require`.
 * Must run before the app imports them: `--import @tokenomics/node/register` does it for you.
 * Registers at most once per process; returns whether this call registered it.
 *
 * An app that registers the loader hook itself (as the OpenTelemetry ESM instructions say) works
 * in either order: registered before, its loader serves the instrumentations too and no second
 * one is registered; registered after, its registration keeps its own module list (see
 * {@link appLoaderOptions}; import-in-the-middle then warns once that it was initialised twice).
 */
export function registerEsmLoaderHook(): boolean {
  const slot = globalThis as Record<symbol, unknown>;
  if (slot[REGISTERED]) return false;
  if (typeof Module.register !== 'function') {
    diag.warn(
      `@tokenomics/node: module.register() is not available in Node.js ${process.versions.node}; ESM builds of client libraries will not be instrumented (Node.js 20.6 or later needed)`,
    );
    return false;
  }
  slot[REGISTERED] = true;
  if (iitmLoaderActive()) {
    diag.debug('@tokenomics/node: an import-in-the-middle loader hook is already registered; the instrumentations use it');
    return false;
  }
  // Resolved from this package, which depends on @opentelemetry/instrumentation. Only the
  // instrumented packages are wrapped: the app's other ES modules load exactly as without the hook.
  Module.register(ESM_LOADER_HOOK, pathToFileURL(__filename), { data: { include: [...INSTRUMENTED_MODULES] } });
  keepAppLoadersWorking();
  diag.debug(`@tokenomics/node: registered the ESM loader hook ${ESM_LOADER_HOOK}`);
  return true;
}
