import { diag } from '@opentelemetry/api';
import Module from 'node:module';
import { pathToFileURL } from 'node:url';
import { INSTRUMENTED_MODULES } from '@tokenomics/instrumentation';

/** The import-in-the-middle loader hook shipped by `@opentelemetry/instrumentation`. */
export const ESM_LOADER_HOOK = '@opentelemetry/instrumentation/hook.mjs';

const REGISTERED = Symbol.for('tokenomics.node.esm-loader-hook');

/**
 * Whether an import-in-the-middle loader hook registered before this one is already wrapping
 * modules: its main-thread half (`import-in-the-middle/lib/register.js`) is loaded as soon as the
 * loader has wrapped a module, which a loader registered by an earlier `--import` has done by the
 * time the hook runs (it wraps the hook's own imports).
 */
export function iitmLoaderActive(): boolean {
  return Object.keys(require.cache).some((file) => /[/\\]import-in-the-middle[/\\]lib[/\\]register\.js$/.test(file));
}

/**
 * Registers the import-in-the-middle loader hook (`module.register()`), so that client libraries
 * loaded with `import` (their ESM builds) are patched as well as those loaded with `require`.
 * Must run before the app imports them: `--import @tokenomics/node/register` does it for you.
 * Registers at most once per process; returns whether this call registered it.
 *
 * An app that registers the loader hook itself (as the OpenTelemetry ESM instructions say) works
 * in either order: registered before, its loader serves the instrumentations too and no second
 * one is registered; registered after, the app's registration is added to the hook's.
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
  diag.debug(`@tokenomics/node: registered the ESM loader hook ${ESM_LOADER_HOOK}`);
  return true;
}
