/**
 * The stage's enrichment workers: `worker_threads` that do the CPU work of requests (pricing spans,
 * converting histograms, checking log framing) while the main thread receives, queues and forwards.
 *
 * Each worker takes a few requests at a time; beyond that requests wait in the main thread, in
 * arrival order (their bytes are already counted against the queue's memory limit by the caller).
 * A request can be bound to one worker: traces by their trace IDs (see `trace-routing.ts`), and
 * metrics all to the first worker (the histogram conversion follows cumulative streams across
 * requests). A worker that dies answers its requests in flight as failed and is replaced; a
 * worker is referenced only while it has work, so it never holds the process at exit.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { diag } from '@opentelemetry/api';
import type { Signal } from './stats';
import { ownedBytes, type WorkerData, type WorkerReply, type WorkerRequest } from './worker-protocol';
import { PACKAGE_NAME } from './version';

/** What a worker made of one request. */
export type WorkResult =
  | Extract<WorkerReply, { kind: 'done' }>
  | Extract<WorkerReply, { kind: 'malformed' }>
  | { readonly kind: 'failed'; readonly reason: string };

interface Task {
  readonly id: number;
  readonly signal: Signal;
  readonly bytes: Uint8Array;
  readonly resolve: (result: WorkResult) => void;
}

/** Requests handed to one worker before the next ones wait in the main thread. */
export const MAX_TASKS_PER_WORKER = 2;
/** Wait before replacing a worker that died before it was ready (a price file gone bad since the start). */
const RESTART_BACKOFF_MS = 1_000;

class Slot {
  worker: Worker | undefined;
  ready = false;
  readonly tasks = new Map<number, Task>();
  /** Requests only this worker may take (metrics). */
  readonly pinned: Task[] = [];
  restartTimer: NodeJS.Timeout | undefined;

  constructor(readonly index: number) {}

  get free(): boolean {
    return this.worker !== undefined && this.tasks.size < MAX_TASKS_PER_WORKER;
  }
}

/** The file a worker runs: next to this module (`dist/` once built). */
export function workerFile(): string {
  return join(__dirname, 'enrich-worker.js');
}

/** A pool of enrichment workers. */
export class EnrichPool {
  private readonly slots: Slot[];
  private readonly waiting: Task[] = [];
  private nextId = 1;
  private closed = false;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly file: string;
  /** Workers replaced after they died. */
  restarts = 0;

  /**
   * @param size - number of workers (at least 1)
   * @param data - what each worker builds its price book and enrichers from
   */
  constructor(
    size: number,
    private readonly data: WorkerData,
  ) {
    this.file = workerFile();
    if (!existsSync(this.file))
      throw new Error(`${PACKAGE_NAME}: worker file ${this.file} not found; build the package or set workers to 0`);
    this.slots = Array.from({ length: Math.max(1, Math.floor(size)) }, (_, i) => new Slot(i));
    for (const slot of this.slots) this.spawn(slot);
  }

  /** Number of workers. */
  get size(): number {
    return this.slots.length;
  }

  /** Requests handed to workers or waiting for one. */
  get pending(): number {
    let n = this.waiting.length;
    for (const slot of this.slots) n += slot.tasks.size + slot.pinned.length;
    return n;
  }

  /**
   * Runs one request on a worker: on worker `worker` when given (metrics always on the first),
   * else on the least busy. `bytes` are handed over (transferred when they span their whole buffer,
   * which is then unusable here). Never rejects.
   */
  run(signal: Signal, bytes: Uint8Array, worker?: number): Promise<WorkResult> {
    if (this.closed) return Promise.resolve({ kind: 'failed', reason: 'the stage is shutting down' });
    return new Promise<WorkResult>((resolve) => {
      const task: Task = { id: this.nextId++, signal, bytes: ownedBytes(bytes), resolve };
      const pinned = signal === 'metrics' ? 0 : worker;
      if (pinned !== undefined) {
        const slot = this.slots[pinned % this.slots.length];
        if (slot.free && slot.pinned.length === 0) this.send(slot, task);
        else slot.pinned.push(task);
        return;
      }
      const slot = this.leastLoaded();
      if (slot !== undefined && this.waiting.length === 0) this.send(slot, task);
      else this.waiting.push(task);
    });
  }

  /** Asks every worker to load the price book files again (they keep their book on error). */
  reload(): void {
    for (const slot of this.slots) this.post(slot, { kind: 'reload' });
  }

  /** Resolves once no request is in a worker or waiting for one. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops the workers; requests still pending are answered as failed. */
  async close(): Promise<void> {
    this.closed = true;
    const stopping: Promise<unknown>[] = [];
    for (const slot of this.slots) {
      clearTimeout(slot.restartTimer);
      const worker = slot.worker;
      slot.worker = undefined;
      if (worker !== undefined) stopping.push(worker.terminate().catch(() => undefined));
      this.failAll(slot, 'the stage is shutting down');
    }
    for (const task of this.waiting.splice(0)) task.resolve({ kind: 'failed', reason: 'the stage is shutting down' });
    await Promise.all(stopping);
    this.checkIdle();
  }

  /**
   * Stops worker `index` as if it had died (it is replaced, its requests in flight answered as
   * failed). For fault tests.
   * @internal
   */
  terminateWorker(index: number): Promise<number> {
    return this.slots[index]?.worker?.terminate() ?? Promise.resolve(0);
  }

  private leastLoaded(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (!slot.free) continue;
      if (best === undefined || slot.tasks.size + slot.pinned.length < best.tasks.size + best.pinned.length) best = slot;
    }
    return best;
  }

  private spawn(slot: Slot): void {
    const worker = new Worker(this.file, { workerData: this.data });
    slot.worker = worker;
    slot.ready = false;
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.onReply(slot, worker, reply));
    worker.on('error', (err) => diag.error(`${PACKAGE_NAME}: enrichment worker ${slot.index} failed`, err));
    worker.on('exit', (code) => this.onExit(slot, worker, code));
  }

  private onReply(slot: Slot, worker: Worker, reply: WorkerReply): void {
    if (slot.worker !== worker) return;
    switch (reply.kind) {
      case 'ready':
        slot.ready = true;
        return;
      case 'reloaded':
        if (reply.error !== undefined) diag.error(`${PACKAGE_NAME}: worker ${slot.index} kept price book ${reply.version}: ${reply.error}`);
        return;
      default: {
        const task = slot.tasks.get(reply.id);
        if (task === undefined) return;
        slot.tasks.delete(reply.id);
        task.resolve(reply);
        this.dispatch(slot);
      }
    }
  }

  private onExit(slot: Slot, worker: Worker, code: number): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    const wasReady = slot.ready;
    this.failAll(slot, `enrichment worker ${slot.index} stopped (exit code ${code})`);
    if (this.closed) return;
    this.restarts++;
    diag.error(`${PACKAGE_NAME}: enrichment worker ${slot.index} stopped (exit code ${code}); starting another`);
    if (wasReady) this.spawn(slot);
    else {
      // It could not start (a price file gone bad since the stage started): tried again after a
      // pause, and meanwhile the requests only it could take, or all when no worker runs, are
      // answered as failed (retryable) instead of waiting.
      const reason = `enrichment worker ${slot.index} could not start (exit code ${code})`;
      for (const task of slot.pinned.splice(0)) task.resolve({ kind: 'failed', reason });
      if (this.slots.every((s) => s.worker === undefined)) {
        for (const task of this.waiting.splice(0)) task.resolve({ kind: 'failed', reason });
      }
      slot.restartTimer = setTimeout(() => {
        if (!this.closed) this.spawn(slot);
        this.dispatch(slot);
      }, RESTART_BACKOFF_MS);
      slot.restartTimer.unref();
    }
    this.dispatch(slot);
    this.checkIdle();
  }

  private failAll(slot: Slot, reason: string): void {
    const tasks = [...slot.tasks.values()];
    slot.tasks.clear();
    for (const task of tasks) task.resolve({ kind: 'failed', reason });
    if (this.closed) for (const task of slot.pinned.splice(0)) task.resolve({ kind: 'failed', reason });
    this.updateRef(slot);
    this.checkIdle();
  }

  /** Hands waiting requests to `slot` (and to any other free worker) while they have room. */
  private dispatch(slot: Slot): void {
    while (slot.free && slot.pinned.length > 0) this.send(slot, slot.pinned.shift() as Task);
    while (this.waiting.length > 0) {
      const free = slot.free ? slot : this.leastLoaded();
      if (free === undefined) break;
      this.send(free, this.waiting.shift() as Task);
    }
    this.updateRef(slot);
    this.checkIdle();
  }

  private send(slot: Slot, task: Task): void {
    slot.tasks.set(task.id, task);
    const message: WorkerRequest = { kind: 'work', id: task.id, signal: task.signal, bytes: task.bytes };
    if (!this.post(slot, message, [task.bytes.buffer as ArrayBuffer])) {
      slot.tasks.delete(task.id);
      task.resolve({ kind: 'failed', reason: `enrichment worker ${slot.index} is not running` });
    }
    this.updateRef(slot);
  }

  private post(slot: Slot, message: WorkerRequest, transfer: ArrayBuffer[] = []): boolean {
    const worker = slot.worker;
    if (worker === undefined) return false;
    try {
      worker.postMessage(message, transfer);
      return true;
    } catch (err) {
      diag.error(`${PACKAGE_NAME}: handing a request to enrichment worker ${slot.index} failed`, err);
      return false;
    }
  }

  /** A worker with work holds the process (its answer is awaited); an idle one does not. */
  private updateRef(slot: Slot): void {
    const worker = slot.worker;
    if (worker === undefined) return;
    if (slot.tasks.size > 0) worker.ref();
    else worker.unref();
  }

  private checkIdle(): void {
    if (this.pending !== 0) return;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}
