import { isMainThread } from 'node:worker_threads';
import { ConfigError } from './config-error';
import { readConfig } from './config';
import { registerEsmLoaderHook } from './esm-loader';
import { INSTRUMENTED_MODULES } from '@tokenomics/instrumentation/hook';
import { atFirstImportOf, atFirstLoadOf, type ImportTrigger } from './first-load';
import { loadedModules, shareModulePaths } from './module-paths';
import { warmPriceBookFor } from './price-book';
import { currentHandle, startWithConfig } from './start';

/** Creates the instrumentations of the start this hook made (of one client library, or all) not created yet. */
let pendingBind: ((loaded?: string) => void) | undefined;

/**
 * What `--require` and `--import @tokenomics/node/register` run. Reads the environment, and for
 * `import` registers the ESM loader hook before the SDK starts. When both flags are given the
 * second entry finds the first one's SDK and starts nothing more (`import` still adds the loader
 * hook). On bad configuration prints one line per problem to stderr and exits with code 1, before
 * the app runs.
 *
 * Runs in the main thread only: Node.js also applies `--require` to worker threads, including the
 * one that runs ESM loader hooks, and a second SDK there would only collide with the first.
 */
export function runRegisterHook(entry: 'require' | 'import'): void {
  if (!isMainThread) return;
  try {
    const running = currentHandle();
    if (running) {
      if (entry === 'import' && running.mode !== 'disabled') {
        registerEsmLoaderHook();
        // `--require` and `--import` together: ES module imports create the instrumentations too.
        if (pendingBind) atFirstImportOf(INSTRUMENTED_MODULES, pendingBind, true);
      }
      return;
    }
    const config = readConfig(process.env);
    if (entry === 'import' && !config.disabled) registerEsmLoaderHook();
    // Each client library's instrumentation is loaded and created when the app first loads that
    // library, with `require` or (`--import`) with `import` (see first-load.ts): until then the
    // hook adds nothing to module loading, the app's own OpenTelemetry set-up loads as without it,
    // and the app never carries the code of the libraries it does not use.
    let importTrigger: ImportTrigger | undefined;
    startWithConfig(
      config,
      {},
      {
        deferInstrumentations: (bind) => {
          pendingBind = bind;
          // Also the price-book models of the first client library's provider, off its first call.
          let warmed = false;
          const bindAndWarm = (loaded?: string) => {
            const before = loadedModules().length;
            bind(loaded);
            // The modules this loaded (the library's instrumentation) share their folder names.
            shareModulePaths(loadedModules().slice(before));
            if (warmed) return;
            warmed = true;
            warmPriceBookFor(loaded);
          };
          atFirstLoadOf(INSTRUMENTED_MODULES, bindAndWarm, true);
          if (entry === 'import') importTrigger = atFirstImportOf(INSTRUMENTED_MODULES, bindAndWarm, true);
        },
        // The app's SDK registered its instrumentations: ours come after them (see first-load.ts).
        appSdkStarted: () => importTrigger?.moveToEnd(),
      },
    );
    // The hook is loaded before the app: the modules loaded so far are the hook's and the SDK's
    // (and any preload given before it). Their lists of `node_modules` folders share one string
    // per folder (see module-paths.ts).
    shareModulePaths(loadedModules());
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // The one place that writes to the console: the app must not start with telemetry misconfigured.
    for (const problem of err.problems) process.stderr.write(`@tokenomics/node: ${problem}\n`);
    process.exit(1);
  }
}
