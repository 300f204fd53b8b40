import { diag } from '@opentelemetry/api';
import * as nodeModule from 'node:module';
import { pathToFileURL } from 'node:url';
import { INSTRUMENTED_MODULES } from '@tokenomics/instrumentation';

/** The import-in-the-middle loader hook shipped by `@opentelemetry/instrumentation`. */
export const ESM_LOADER_HOOK = '@opentelemetry/instrumentation/hook.mjs';

const REGISTERED = Symbol.for('tokenomics.node.esm-loader-hook');

/**
 * Registers the import-in-the-middle loader hook (`module.register()`), so that client libraries
 * loaded with `import` (their ESM builds) are patched as well as those loaded with `require`.
 * Must run before the app imports them: `--import @tokenomics/node/register` does it for you.
 * Registers at most once per process; returns whether this call registered it.
 */
export function registerEsmLoaderHook(): boolean {
  const slot = globalThis as Record<symbol, unknown>;
  if (slot[REGISTERED]) return false;
  if (typeof nodeModule.register !== 'function') {
    diag.warn(
      `@tokenomics/node: module.register() is not available in Node.js ${process.versions.node}; ESM builds of client libraries will not be instrumented (Node.js 20.6 or later needed)`,
    );
    return false;
  }
  // Resolved from this package, which depends on @opentelemetry/instrumentation. Only the
  // instrumented packages are wrapped: the app's other ES modules load exactly as without the hook.
  nodeModule.register(ESM_LOADER_HOOK, pathToFileURL(__filename), { data: { include: [...INSTRUMENTED_MODULES] } });
  slot[REGISTERED] = true;
  diag.debug(`@tokenomics/node: registered the ESM loader hook ${ESM_LOADER_HOOK}`);
  return true;
}
