import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** Absolute path of an executable found on PATH, or `undefined`. */
export function findExecutable(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The Prometheus tools the stack tests run (Debian packages `prometheus`, `prometheus-alertmanager`). */
export const tools = {
  prometheus: findExecutable('prometheus'),
  promtool: findExecutable('promtool'),
  // Debian names the server prometheus-alertmanager; upstream tarballs call it alertmanager.
  alertmanager: findExecutable('prometheus-alertmanager') ?? findExecutable('alertmanager'),
  amtool: findExecutable('amtool'),
};

/** Result of a finished command. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (asynchronously, so several can run side by side). */
export function run(cmd: string, args: string[], opts: SpawnOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs a command synchronously; for quick version checks. */
export function runSync(cmd: string, args: string[]): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** A free TCP port on 127.0.0.1 (released before returning; the caller binds it right away). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A long-running child process whose output is kept for failure messages. */
export class Service {
  readonly child: ChildProcess;
  private out = '';
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(
    readonly name: string,
    cmd: string,
    args: string[],
    opts: SpawnOptions = {},
  ) {
    this.child = spawn(cmd, args, { ...opts, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => this.append(d));
    this.child.stderr!.on('data', (d: Buffer) => this.append(d));
    this.child.on('exit', (code, signal) => (this.exited = { code, signal }));
  }

  private append(d: Buffer): void {
    this.out += d.toString();
    if (this.out.length > 200_000) this.out = this.out.slice(-100_000);
  }

  /** Everything the process printed so far (both streams). */
  get output(): string {
    return this.out;
  }

  /** Exit status once the process has ended. */
  get exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exited;
  }

  /** Last lines of output, for assertion messages. */
  tail(lines = 30): string {
    return `--- ${this.name} ---\n` + this.out.split('\n').slice(-lines).join('\n');
  }

  /** Ends the process (SIGTERM, then SIGKILL after a grace period). */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await done;
    clearTimeout(timer);
  }
}

/** Polls `check` until it returns a value other than `undefined`/`false`, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  context: () => string = () => '',
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}\n${context()}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
