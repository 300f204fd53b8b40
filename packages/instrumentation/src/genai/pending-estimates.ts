import type { EstimateJob } from '@tokenomics/tokens/estimate-job';
import { countInPlace, type WorkerEstimate } from '@tokenomics/tokens/worker-counter';

interface Pending {
  readonly settled: Promise<void>;
  readonly job: EstimateJob | undefined;
  settleNow(result: WorkerEstimate): void;
}

/** Calls waiting for their usage estimate, across every instrumentation of this package copy. */
const pending = new Set<Pending>();

/** Default bound of {@link waitForPendingEstimates}: half the default 2 s exit-flush bound. */
export const DEFAULT_PENDING_ESTIMATES_WAIT_MILLIS = 1_000;

/**
 * Follows a call's estimate: `done` runs exactly once, with the worker's answer or, if
 * {@link waitForPendingEstimates} gives up first, with an unavailable result. Never throws.
 * @internal
 */
export function trackEstimate(counting: Promise<WorkerEstimate>, done: (result: WorkerEstimate) => void, job?: EstimateJob): void {
  let finished = false;
  const entry: Pending = {
    settled: undefined as unknown as Promise<void>,
    job,
    settleNow: (result) => {
      if (finished) return;
      finished = true;
      pending.delete(entry);
      // Run from a promise reaction or at exit: a throw would be an unhandled rejection in the app.
      try {
        done(result);
      } catch {
        /* the call's telemetry is lost; the app is not */
      }
    },
  };
  pending.add(entry);
  (entry as { settled: Promise<void> }).settled = counting.then(
    (result) => entry.settleNow(result),
    () => entry.settleNow({ ok: false, reason: 'worker_failed' }),
  );
}

/** Number of calls waiting for their usage estimate. */
export function pendingEstimateCount(): number {
  return pending.size;
}

/** Options of {@link waitForPendingEstimates}. */
export interface WaitForEstimatesOptions {
  /**
   * The app is done (the event loop ran dry, or the process is about to die by a signal the app
   * does not handle): counts the worker has not delivered by the bound are made on this thread
   * instead of being given up, so a short-lived process keeps its estimates. This loads tiktoken
   * if the worker had not answered yet, which blocks for up to about a second; never use it while
   * the app still runs.
   */
  appDone?: boolean;
}

/**
 * Waits until every call waiting for its usage estimate has ended its span, at most
 * `timeoutMillis` (default 1000 ms); calls still waiting then end at once: with counts made on this
 * thread when `options.appDone` is set, else with what they know, marked
 * `tokenomics.usage.estimate_unavailable: "timeout"`. Holds the process open while it waits. Call
 * it before flushing the tracer and meter providers, so that no estimated span is lost at exit.
 * Never rejects.
 *
 * @example
 * await waitForPendingEstimates();
 * await Promise.all([tracerProvider.forceFlush(), meterProvider.forceFlush()]);
 */
export async function waitForPendingEstimates(
  timeoutMillis = DEFAULT_PENDING_ESTIMATES_WAIT_MILLIS,
  options: WaitForEstimatesOptions = {},
): Promise<void> {
  if (pending.size === 0) return;
  const waiting = [...pending];
  const bound = Number.isFinite(timeoutMillis) && timeoutMillis >= 0 ? timeoutMillis : DEFAULT_PENDING_ESTIMATES_WAIT_MILLIS;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, bound);
    Promise.all(waiting.map((p) => p.settled)).then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => undefined,
    );
  });
  const countHere = options.appDone === true;
  for (const p of waiting) {
    if (!pending.has(p)) continue;
    p.settleNow(countHere && p.job !== undefined ? countInPlace(p.job) : { ok: false, reason: 'timeout' });
  }
}
