/**
 * Runs a small Node.js app in a child process, optionally with the Tokenomics hook
 * (`node --require|--import @tokenomics/node/register <app>`), and captures what it did.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The hook specifier users put on the command line. */
export const REGISTER_SPECIFIER = '@tokenomics/node/register';

/**
 * Where `@tokenomics/node/register` resolves from: the end-to-end test package, which depends on
 * `@tokenomics/node` like an application would.
 */
export const E2E_DIR = fileURLToPath(new URL('..', import.meta.url));

/** How the hook is loaded. `both` passes `--require` and then `--import`. */
export type HookMode = 'require' | 'import' | 'both' | 'none';

export interface RunAppOptions {
  /** Absolute path of the app's entry file. */
  app: string;
  /** How to load the hook; default `require` for `.cjs`/`.js`, `import` for `.mjs`. */
  hook?: HookMode;
  /**
   * Environment added to a clean copy of this process's environment, from which every `OTEL_*`,
   * `TOKENOMICS_*` and `NODE_OPTIONS` variable has been removed. `undefined` values unset a variable.
   */
  env?: Record<string, string | undefined>;
  /** Extra Node.js options placed before the hook flags (e.g. another `--require`). */
  nodeArgs?: string[];
  /** The Node.js binary to run; default this process's. */
  execPath?: string;
  /** Arguments after the app path. */
  args?: string[];
  /** Working directory; default {@link E2E_DIR}. */
  cwd?: string;
  /** Kill the child with SIGKILL after this long; default 20 s. */
  timeoutMs?: number;
}

/** What a finished child did, as its parent observed it. */
export interface AppResult {
  /** Exit code, or `null` when the process died by a signal. */
  code: number | null;
  /** The signal that killed the process, or `null` when it exited. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the child had to be killed after `timeoutMs`. */
  timedOut: boolean;
}

/** A child app that is still running. */
export interface RunningApp {
  readonly child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves once stdout contains `text`; rejects if the app ends first or after `timeoutMs`. */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  /** Sends `signal` to the child. */
  kill(signal: NodeJS.Signals): void;
  /** Resolves when the child has exited. */
  readonly result: Promise<AppResult>;
}

const SCRUBBED = /^(OTEL_|TOKENOMICS_|NODE_OPTIONS$)/;

/** Children started by {@link startApp} that have not ended yet. */
const running = new Set<ChildProcess>();

/** SIGKILLs every app started here that is still running (for `afterEach`, so a failed test leaves none behind). */
export function stopAllApps(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

process.once('exit', stopAllApps);

/** The command-line flags that load the hook in `mode`. */
export function hookArgs(mode: HookMode): string[] {
  switch (mode) {
    case 'require':
      return ['--require', REGISTER_SPECIFIER];
    case 'import':
      return ['--import', REGISTER_SPECIFIER];
    case 'both':
      return ['--require', REGISTER_SPECIFIER, '--import', REGISTER_SPECIFIER];
    case 'none':
      return [];
  }
}

function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!SCRUBBED.test(key) && value !== undefined) env[key] = value;
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Starts the app and returns at once; see {@link RunningApp}. */
export function startApp(options: RunAppOptions): RunningApp {
  const mode = options.hook ?? (options.app.endsWith('.mjs') ? 'import' : 'require');
  const child = spawn(
    options.execPath ?? process.execPath,
    [...(options.nodeArgs ?? []), ...hookArgs(mode), options.app, ...(options.args ?? [])],
    { cwd: options.cwd ?? E2E_DIR, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let stdout = '';
  let stderr = '';
  const outputListeners = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const listener of [...outputListeners]) listener();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 20_000);

  const result = new Promise<AppResult>((resolve, reject) => {
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      for (const listener of [...outputListeners]) listener();
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });

  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    kill: (signal) => {
      child.kill(signal);
    },
    result,
    waitForOutput(text, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        let ended = false;
        result.then(
          () => (ended = true),
          () => (ended = true),
        );
        const check = () => {
          if (stdout.includes(text)) {
            done();
            resolve();
          } else if (ended || child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`app ended before printing ${JSON.stringify(text)}; stdout: ${stdout}; stderr: ${stderr}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`app did not print ${JSON.stringify(text)} within ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          outputListeners.delete(check);
        };
        outputListeners.add(check);
        check();
      });
    },
  };
}

/** Runs the app to completion. */
export function runApp(options: RunAppOptions): Promise<AppResult> {
  return startApp(options).result;
}
