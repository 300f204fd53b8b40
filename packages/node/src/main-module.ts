import { diag } from '@opentelemetry/api';
import Module from 'node:module';

/**
 * Runs `fn` when the app's main module is about to load: after every `--require` preload (the
 * app's own OpenTelemetry set-up among them), before any code of the app. Runs it at once when no
 * main module will load (`node -e`, the REPL) or when `Module.runMain` cannot be wrapped.
 *
 * Creating the instrumentations there, rather than in the preload, keeps the order in which the
 * app's preloads register theirs: a preload such as `--require ./tracing.js` given after the hook
 * registers its instrumentations first, so the Node.js modules it loads meanwhile are patched by
 * them as if the hook were not there.
 */
export function atMainModule(fn: () => void): void {
  // The default import is the loader object itself (a namespace import would be a copy).
  const loader = Module as unknown as { runMain?: unknown };
  const runMain = loader.runMain;
  if (process.argv[1] === undefined || typeof runMain !== 'function' || !Object.isExtensible(loader)) {
    fn();
    return;
  }
  let ran = false;
  const runOnce = () => {
    if (ran) return;
    ran = true;
    try {
      fn();
    } catch (err) {
      diag.error('@tokenomics/node: registering the instrumentations failed', err);
    }
  };
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    if (loader.runMain === wrapper) loader.runMain = runMain;
    runOnce();
    return (runMain as (...a: unknown[]) => unknown).apply(this, args);
  };
  try {
    loader.runMain = wrapper;
  } catch {
    fn();
  }
}
