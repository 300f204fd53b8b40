/**
 * The worker thread of `countInWorker`: loads tiktoken and the encoders on this thread, never on
 * the app's, and answers each job with its counts.
 *
 * @packageDocumentation
 */
import { parentPort } from 'node:worker_threads';
import { countEstimateJob, type EstimateJob } from './estimate-job';

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
