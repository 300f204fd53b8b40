import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

/** The `tokenomics` command of the workspace. */
const CLI = join(__dirname, '..', '..', '..', 'cli', 'bin', 'tokenomics.js');

/** A `tokenomics collector` child process. */
export interface CliStage {
  child: ChildProcess;
  /** The OTLP/HTTP address it listens on. */
  http: string;
  /** What it wrote on stderr so far. */
  stderr: () => string;
}

/**
 * Runs `tokenomics collector` with `args` as a child process and resolves once it listens; pushes
 * onto `cleanups` a function that kills it if it is still running.
 */
export async function startCliStage(args: string[], cleanups: (() => Promise<void>)[]): Promise<CliStage> {
  const child = spawn(process.execPath, [CLI, 'collector', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
  const http = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /listening http=(\S+?)[ ;]/.exec(err);
      if (m) resolve(m[1]);
    };
    child.stderr!.on('data', check);
    child.once('exit', (code) => reject(new Error(`collector exited with ${code}: ${err}`)));
  });
  return { child, http, stderr: () => err };
}
