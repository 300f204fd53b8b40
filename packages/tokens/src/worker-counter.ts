import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { countEstimateJob, type EstimateCounts, type EstimateJob } from './estimate-job';
import { toPlainData } from './plain-data';

/**
 * Why {@link countInWorker} gave no counts:
 * - `timeout`: the worker did not answer within the job's bound (still loading, or busy);
 * - `queue_full`: too many jobs were waiting already;
 * - `worker_failed`: the worker could not start, died, or failed on the job (after repeated
 *   failures no new worker is started and every job gets this reason);
 * - `too_large`: the request was too large or deep to hand over (see `toPlainData`).
 */
export type EstimateUnavailableReason = 'timeout' | 'queue_full' | 'worker_failed' | 'too_large';

/** What {@link countInWorker} resolves to. */
export type WorkerEstimate = { ok: true; counts: EstimateCounts } | { ok: false; reason: EstimateUnavailableReason };

/** Options of {@link countInWorker}. */
export interface WorkerCountOptions {
  /** Bound on the wait for the counts, in ms. Default {@link DEFAULT_ESTIMATE_TIMEOUT_MILLIS}. */
  timeoutMillis?: number;
}

/** Default bound on one job: room for the worker to start and load tiktoken on a busy machine. */
export const DEFAULT_ESTIMATE_TIMEOUT_MILLIS = 5_000;
/** Most jobs waiting for the worker at once; more are refused with `queue_full`. */
export const MAX_QUEUED_ESTIMATES = 1_000;
/**
 * Extra time given to the jobs posted before the worker first answered: it starts a thread and
 * loads tiktoken, about 0.2 s of CPU, at the lowest scheduling priority. On a machine whose cores
 * are all busy that thread gets a small share of a core, and the load takes 5 to 30 s; a job
 * waits for that rather than being lost.
 */
export const WORKER_START_ALLOWANCE_MILLIS = 60_000;
/** Workers started at most: after this many have failed, counting in a worker is given up. */
const MAX_WORKER_STARTS = 3;

interface Waiting {
  resolve: (result: WorkerEstimate) => void;
  timer: NodeJS.Timeout;
}

interface CountsMessage {
  id?: unknown;
  counts?: EstimateCounts;
  error?: string;
}

/** The compiled worker script; from the sources (tests), the built one next to them. */
function workerFile(): string {
  return __filename.endsWith('.ts') ? join(__dirname, '..', 'dist', 'token-worker.js') : join(__dirname, 'token-worker.js');
}

/**
 * One lazily started worker thread that counts estimate jobs. It is `unref()`ed (it never holds
 * the process open), restarted when it dies, and given up after repeated failures.
 */
class WorkerCounter {
  private worker: Worker | undefined;
  private starts = 0;
  /** The running worker has answered once: it started and loaded tiktoken. */
  private ready = false;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();

  count(job: EstimateJob, timeoutMillis: number): Promise<WorkerEstimate> {
    if (this.waiting.size >= MAX_QUEUED_ESTIMATES) return Promise.resolve({ ok: false, reason: 'queue_full' });
    const plain = plainJob(job);
    if (plain === undefined) return Promise.resolve({ ok: false, reason: 'too_large' });
    const worker = this.ensureWorker();
    if (!worker) return Promise.resolve({ ok: false, reason: 'worker_failed' });
    const id = this.nextId++;
    return new Promise<WorkerEstimate>((resolve) => {
      const bound = this.ready ? timeoutMillis : timeoutMillis + WORKER_START_ALLOWANCE_MILLIS;
      const timer = setTimeout(() => this.settle(id, { ok: false, reason: 'timeout' }), bound);
      timer.unref();
      this.waiting.set(id, { resolve, timer });
      try {
        worker.postMessage({ id, job: plain });
      } catch {
        this.settle(id, { ok: false, reason: 'worker_failed' });
      }
    });
  }

  /** Starts the worker if none runs; `undefined` when it cannot be started (or was given up). */
  ensureWorker(): Worker | undefined {
    if (this.worker) return this.worker;
    if (this.starts >= MAX_WORKER_STARTS) return undefined;
    this.starts++;
    this.ready = false;
    let worker: Worker;
    try {
      // No execArgv, no preloads: the worker must not run the app's hooks (or this instrumentation).
      worker = new Worker(workerFile(), { execArgv: [], env: {} });
    } catch {
      return undefined;
    }
    worker.on('message', (message: CountsMessage) => {
      this.ready = true;
      this.onMessage(message);
    });
    const lost = () => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const id of [...this.waiting.keys()]) this.settle(id, { ok: false, reason: 'worker_failed' });
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Starts the worker, and has it load the default encoding, unless it runs already. */
  warm(): void {
    if (this.worker) return;
    this.ensureWorker()?.postMessage({ id: 0, job: { text: 'warm' } });
  }

  /** Stops the worker (tests); the next job starts a new one. */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    for (const id of [...this.waiting.keys()]) this.settle(id, { ok: false, reason: 'worker_failed' });
    this.starts = 0;
    if (worker) await worker.terminate();
  }

  private onMessage(message: CountsMessage): void {
    const id = message?.id;
    if (typeof id !== 'number') return;
    const counts = message.counts;
    if (counts && isCount(counts.textTokens) && (counts.requestTokens === undefined || isCount(counts.requestTokens))) {
      this.settle(id, { ok: true, counts });
    } else {
      this.settle(id, { ok: false, reason: 'worker_failed' });
    }
  }

  private settle(id: number, result: WorkerEstimate): void {
    const waiting = this.waiting.get(id);
    if (!waiting) return;
    this.waiting.delete(id);
    clearTimeout(waiting.timer);
    waiting.resolve(result);
  }
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** The job as plain data: the model and text if they are strings, the request copied by `toPlainData`. */
function plainJob(job: EstimateJob): EstimateJob | undefined {
  const plain: EstimateJob = {};
  if (typeof job?.model === 'string') plain.model = job.model;
  if (typeof job?.text === 'string') plain.text = job.text;
  if (job?.request !== undefined && job.request !== null) {
    const request = toPlainData(job.request);
    if (request === undefined) return undefined;
    plain.request = request;
  }
  return plain;
}

const counter = new WorkerCounter();

/**
 * Counts an estimate job on the calling thread, with the same plain-data copy of the request as
 * {@link countInWorker}, so the counts are the same. Loads tiktoken if it is not loaded yet, which
 * blocks: only for when the app is done (at exit) and a count the worker did not deliver in time
 * would otherwise be lost. Never throws.
 */
export function countInPlace(job: EstimateJob): WorkerEstimate {
  try {
    const plain = plainJob(job);
    if (plain === undefined) return { ok: false, reason: 'too_large' };
    const counts = countEstimateJob(plain);
    return isCount(counts.textTokens) && (counts.requestTokens === undefined || isCount(counts.requestTokens))
      ? { ok: true, counts }
      : { ok: false, reason: 'worker_failed' };
  } catch {
    return { ok: false, reason: 'worker_failed' };
  }
}

/**
 * Counts an estimate job in a worker thread, so the calling thread never loads tiktoken or
 * blocks on a count. The worker starts on the first job (or on {@link warmTokenWorker}); it never
 * holds the process open.
 *
 * The request is copied to plain data first (text-bearing fields; functions, binary data and
 * throwing getters left out). The counts equal those of `countEstimateJob` for the same job.
 *
 * Never rejects: resolves `{ ok: true, counts }`, or `{ ok: false, reason }` when the counts are
 * unavailable (see {@link EstimateUnavailableReason}).
 *
 * @example
 * const result = await countInWorker({ model: 'gpt-4o', request: { messages }, text: streamedText });
 * if (result.ok) console.log(result.counts.requestTokens, result.counts.textTokens);
 */
export function countInWorker(job: EstimateJob, options: WorkerCountOptions = {}): Promise<WorkerEstimate> {
  const timeout = options.timeoutMillis;
  const bound = typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout) ? timeout : DEFAULT_ESTIMATE_TIMEOUT_MILLIS;
  try {
    return counter.count(job, bound);
  } catch {
    return Promise.resolve({ ok: false, reason: 'worker_failed' });
  }
}

/**
 * Starts the counting worker now, so that the first estimate does not wait for it to start.
 * Optional; does nothing if it runs already. Never throws.
 */
export function warmTokenWorker(): void {
  try {
    counter.warm();
  } catch {
    /* counting will report worker_failed */
  }
}

/** Whether the counting worker runs (started by a job or {@link warmTokenWorker}). @internal For tests. */
export function tokenWorkerRunning(): boolean {
  return counter.running;
}

/** Stops the counting worker and fails its waiting jobs; the next job starts a new one. For tests. */
export function stopTokenWorker(): Promise<void> {
  return counter.stop();
}
