// Spawns one worker process and returns its JSON line.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));

/** Runs worker.mjs with `args` under `node --expose-gc`; rejects with its stderr when it fails. */
export function runWorker(args, { nodeFlags = [] } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', ...nodeFlags, WORKER, ...args.map(String)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop();
      if (code !== 0 || !line) {
        reject(new Error(`worker ${args.join(' ')} exited with ${code}\n${err.trim()}`));
        return;
      }
      try {
        const result = JSON.parse(line);
        if (err.trim()) result.stderr = err.trim().split('\n').slice(0, 3).join(' | ');
        resolve(result);
      } catch {
        reject(new Error(`worker ${args.join(' ')} printed no result\n${out}\n${err}`));
      }
    });
  });
}
