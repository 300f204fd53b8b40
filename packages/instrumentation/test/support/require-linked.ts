import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Loads the package in `packageDir` by the name `name` through Node's real `require`, so the
 * instrumentation's module hook sees it exactly as in an app: the package (an older release
 * installed under an alias) is linked into a temporary `node_modules/<name>` and required from
 * there. Node loads it from its real path, so the temporary folder is removed once it is loaded.
 */
export function requireLinked(name: string, packageDir: string): any {
  const root = mkdtempSync(join(tmpdir(), 'tokenomics-linked-'));
  try {
    const link = join(root, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(packageDir, link, 'dir');
    return createRequire(join(root, 'app.js'))(name);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
