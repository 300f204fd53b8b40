import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { atFirstLoadOf } from '../src/first-load';

// An app directory with installed packages: a client library the trigger waits for, a library that
// loads it through a relative path among its siblings (as pnpm lays dependencies out), a library
// with files of its own, and an alias of the client library (a link to its directory).
const root = mkdtempSync(join(tmpdir(), 'tokenomics-first-load-'));
const modules = join(root, 'node_modules');
function file(path: string, text: string): void {
  mkdirSync(join(modules, path, '..'), { recursive: true });
  writeFileSync(join(modules, path), text);
}
const LOADED = 'module.exports = { triggeredBefore: globalThis.__firstLoadTriggered === true };\n';
for (const name of ['fake-client-a', 'fake-client-b', 'fake-client-c']) file(`${name}/index.js`, LOADED);
file('sibling-user/index.js', "module.exports = require('../fake-client-a');\n");
file('plain-lib/index.js', "module.exports = require('./lib/util');\n");
file('plain-lib/lib/util.js', 'module.exports = 42;\n');
symlinkSync(join(modules, 'fake-client-c'), join(modules, 'client-alias'), 'dir');
writeFileSync(join(root, 'app.js'), '');
const appRequire = createRequire(join(root, 'app.js'));

afterAll(() => {
  delete (globalThis as Record<string, unknown>).__firstLoadTriggered;
  rmSync(root, { recursive: true, force: true });
});

/** Installs the trigger for `client`; returns how many times it ran. */
function trigger(client: string): { runs: number } {
  const seen = { runs: 0 };
  (globalThis as Record<string, unknown>).__firstLoadTriggered = false;
  atFirstLoadOf([client], () => {
    seen.runs++;
    (globalThis as Record<string, unknown>).__firstLoadTriggered = true;
  });
  return seen;
}

describe('atFirstLoadOf', () => {
  it('runs before a client library that a package loads by a relative path among its siblings', () => {
    const seen = trigger('fake-client-a');
    expect(appRequire('sibling-user')).toEqual({ triggeredBefore: true });
    expect(seen.runs).toBe(1);
  });

  it("does not run for a package's own files, and runs once the client library loads", () => {
    const seen = trigger('fake-client-b');
    expect(appRequire('plain-lib')).toBe(42);
    expect(seen.runs).toBe(0);
    expect(appRequire('fake-client-b')).toEqual({ triggeredBefore: true });
    expect(seen.runs).toBe(1);
    appRequire('fake-client-b');
    expect(seen.runs).toBe(1);
  });

  it('runs before a client library loaded under another name that resolves to its directory', () => {
    const seen = trigger('fake-client-c');
    expect(appRequire('client-alias')).toEqual({ triggeredBefore: true });
    expect(seen.runs).toBe(1);
  });
});
