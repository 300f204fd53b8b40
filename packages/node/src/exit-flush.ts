import { diag } from '@opentelemetry/api';

/** Signals after which telemetry is flushed. */
export const FLUSH_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** Default bound on a flush at exit or on a signal. */
export const DEFAULT_EXIT_FLUSH_TIMEOUT_MILLIS = 2_000;

/**
 * Waits for `flush`, at most `timeoutMillis`; never rejects. `keepAlive` holds the process open
 * meanwhile; `onTimeout` runs if the bound is reached first.
 */
function boundedFlush(flush: () => Promise<void>, timeoutMillis: number, keepAlive: boolean, onTimeout?: () => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      diag.warn(`@tokenomics/node: telemetry flush did not finish within ${timeoutMillis} ms`);
      resolve();
      onTimeout?.();
    }, timeoutMillis);
    if (!keepAlive) timer.unref();
    let flushing: Promise<void>;
    try {
      flushing = flush();
    } catch (err) {
      flushing = Promise.reject(err);
    }
    flushing.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (err: unknown) => {
        diag.error('@tokenomics/node: telemetry flush failed', err);
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

/**
 * Flushes telemetry when the process ends, without changing how it ends:
 *
 * - `beforeExit` (the event loop ran dry): flush once; the exit code stays the app's. If the
 *   flush is still pending after `timeoutMillis` (a collector that does not answer), the process
 *   exits then with `process.exitCode`, as it was about to.
 * - `SIGTERM` / `SIGINT` when the app has its own listener for that signal: flush, and leave
 *   the outcome to the app's listener.
 * - `SIGTERM` / `SIGINT` when the app has none: flush (bounded by `timeoutMillis`), remove our
 *   listener and raise the signal again, so the process dies by that signal exactly as it would
 *   without us. A second signal during the flush is raised at once.
 *
 * `process.exit()` and uncaught exceptions end the process synchronously; nothing can be flushed then.
 * Returns a function that removes every listener it added.
 */
export function installExitFlush(flush: () => Promise<void>, timeoutMillis = DEFAULT_EXIT_FLUSH_TIMEOUT_MILLIS): () => void {
  let flushedBeforeExit = false;
  const onBeforeExit = () => {
    if (flushedBeforeExit) return;
    flushedBeforeExit = true;
    // The timer does not hold the process open: if the flush settles, the loop empties and Node
    // exits by itself; if a pending export holds it open past the bound, exit as Node was about to.
    void boundedFlush(flush, timeoutMillis, false, () => process.exit());
  };
  process.on('beforeExit', onBeforeExit);

  const signalListeners = new Map<NodeJS.Signals, () => void>();
  let dying = false;
  for (const signal of FLUSH_SIGNALS) {
    const reraise = () => {
      process.removeListener(signal, listener);
      process.kill(process.pid, signal);
    };
    const listener = () => {
      if (dying) {
        reraise();
        return;
      }
      const appListeners = process.listeners(signal).filter((l) => l !== listener).length;
      if (appListeners > 0) {
        void boundedFlush(flush, timeoutMillis, false);
        return;
      }
      dying = true;
      void boundedFlush(flush, timeoutMillis, true).then(reraise);
    };
    signalListeners.set(signal, listener);
    process.on(signal, listener);
  }

  return () => {
    process.removeListener('beforeExit', onBeforeExit);
    for (const [signal, listener] of signalListeners) process.removeListener(signal, listener);
  };
}
