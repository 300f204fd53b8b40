import { diag } from '@opentelemetry/api';
import { deliveryLedger, releaseFlushHolds } from './delivery';

/** Signals after which telemetry is flushed. */
export const FLUSH_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** Default bound on a flush at exit or on a signal. */
export const DEFAULT_EXIT_FLUSH_TIMEOUT_MILLIS = 2_000;

/**
 * Waits for `flush`, at most `timeoutMillis`; never rejects. `keepAlive` holds the process open
 * meanwhile (the exports themselves never do: their sockets and retry timers are unreferenced);
 * `onTimeout` runs if the bound is reached first.
 */
export function boundedFlush(flush: () => Promise<void>, timeoutMillis: number, keepAlive: boolean, onTimeout?: () => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      const { traces, metrics } = deliveryLedger.dropped();
      diag.warn(
        `@tokenomics/node: telemetry flush did not finish within ${timeoutMillis} ms; what was still being exported is dropped ` +
          `(dropped before: ${traces} spans, ${metrics} metric points)`,
      );
      deliveryLedger.reportOnce();
      // What still waits for the backend holds the process no longer.
      releaseFlushHolds();
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
 * Runs `settle` (self-bounded; a failure is reported through `diag`), then `flush` bounded by
 * `timeoutMillis` as {@link boundedFlush} does: the bound starts when `settle` is done. Never rejects.
 */
export function settleThenBoundedFlush(
  settle: () => Promise<void>,
  flush: () => Promise<void>,
  timeoutMillis: number,
  keepAlive: boolean,
  onTimeout?: () => void,
): Promise<void> {
  let settling: Promise<void>;
  try {
    settling = settle();
  } catch (err) {
    settling = Promise.reject(err);
  }
  return settling
    .catch((err: unknown) => diag.error('@tokenomics/node: ending the calls that wait for their estimate failed', err))
    .then(() => boundedFlush(flush, timeoutMillis, keepAlive, onTimeout));
}

/**
 * Flushes telemetry when the process ends, without changing how it ends:
 *
 * - `beforeExit` (the event loop ran dry): flush once; the exit code stays the app's. The
 *   exports never hold the process open by themselves (unreferenced sockets and retry timers), so
 *   the event loop runs dry when the app is done, whatever the backend does. The flush holds the
 *   process for at most `timeoutMillis`; if it is still pending then (a backend that refuses,
 *   hangs or fails), the process exits with `process.exitCode`, as it was about to.
 * - `SIGTERM` / `SIGINT` when the app has its own listener for that signal: flush, and leave
 *   the outcome to the app's listener. Our listener runs first (it is prepended), so the export
 *   starts before the app's listener runs; an app that calls `process.exit()` from its listener
 *   ends the process at that moment, and what was not yet written is lost: such an app should
 *   `await` the handle's `forceFlush()` before exiting.
 * - `SIGTERM` / `SIGINT` when the app has none: flush (bounded by `timeoutMillis`), remove our
 *   listener and raise the signal again, so the process dies by that signal exactly as it would
 *   without us. A second signal during the flush is raised at once.
 *
 * `flush` is told whether the app is done (`beforeExit`, or a signal the app does not handle).
 * `settle`, if given, runs first, with its own bound, and is told the same: it ends the calls still
 * waiting for their token estimate (only when the app is done may it count them on this thread), so
 * that those spans exist before the exports start. The export bound `timeoutMillis` starts when
 * `settle` is done: a slow estimate never eats the time the export needs.
 *
 * `process.exit()` and uncaught exceptions end the process synchronously; nothing can be flushed then.
 * Returns a function that removes every listener it added.
 */
export function installExitFlush(
  flush: (appDone: boolean) => Promise<void>,
  timeoutMillis = DEFAULT_EXIT_FLUSH_TIMEOUT_MILLIS,
  settle: (appDone: boolean) => Promise<void> = () => Promise.resolve(),
): () => void {
  const settleThenFlush = (appDone: boolean, keepAlive: boolean, onTimeout?: () => void): Promise<void> =>
    settleThenBoundedFlush(
      () => settle(appDone),
      () => flush(appDone),
      timeoutMillis,
      keepAlive,
      onTimeout,
    );
  let flushedBeforeExit = false;
  const onBeforeExit = () => {
    if (flushedBeforeExit) return;
    flushedBeforeExit = true;
    // The bound timer holds the process while the flush runs: if the flush settles, the timer is
    // cleared, the loop empties and Node exits by itself; at the bound, exit as Node was about to.
    void settleThenFlush(true, true, () => process.exit());
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
        void settleThenFlush(false, false);
        return;
      }
      dying = true;
      void settleThenFlush(true, true).then(reraise);
    };
    signalListeners.set(signal, listener);
    process.prependListener(signal, listener);
  }

  return () => {
    process.removeListener('beforeExit', onBeforeExit);
    for (const [signal, listener] of signalListeners) process.removeListener(signal, listener);
  };
}
