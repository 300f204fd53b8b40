/**
 * The worker thread of `countInWorker`: loads tiktoken and the encoders on this thread, never on
 * the app's, and answers each job with its counts.
 *
 * @packageDocumentation
 */
import { readlinkSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { countEstimateJob, type EstimateJob } from './estimate-job';

/**
 * Gives this thread the lowest scheduling priority, so that loading tiktoken and counting never
 * take CPU time from the app's threads on a busy machine. Linux only (a thread's id is read from
 * `/proc/thread-self`); elsewhere the thread keeps the process's priority.
 */
function lowerThreadPriority(): void {
  try {
    const self = readlinkSync('/proc/thread-self');
    const tid = Number(self.slice(self.lastIndexOf('/') + 1));
    if (Number.isSafeInteger(tid) && tid > 0 && tid !== process.pid) setPriority(tid, constants.priority.PRIORITY_LOW);
  } catch {
    /* not Linux, or not allowed: keep the priority */
  }
}

lowerThreadPriority();

interface JobMessage {
  id: number;
  job: EstimateJob;
}

parentPort?.on('message', (message: JobMessage) => {
  const id = message?.id;
  try {
    parentPort?.postMessage({ id, counts: countEstimateJob(message.job ?? {}) });
  } catch (err) {
    parentPort?.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
