#!/usr/bin/env node
// Writes packages/<name>/src/version.ts from packages/<name>/package.json for every package that
// has one, so the version a package reports (as its instrumentation scope version, for example)
// is always the version it is published as. Run by the root `build`, `test` and
// `version-packages` scripts before `tsc -b`.
//
//   node scripts/write-versions.mjs           write the files that differ
//   node scripts/write-versions.mjs --check   write nothing; exit 1 if any file differs
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');

const quote = (text) => `'${String(text).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The content of version.ts for a package.json. */
function versionModule({ name, version }) {
  return `// Generated from package.json by scripts/write-versions.mjs: do not edit by hand.

/** Package name, used as the instrumentation scope name of what this package emits. */
export const PACKAGE_NAME = ${quote(name)};
/** Package version, from package.json; reported as the instrumentation scope version. */
export const PACKAGE_VERSION = ${quote(version)};
/** Same as {@link PACKAGE_VERSION}. */
export const VERSION = PACKAGE_VERSION;
`;
}

const stale = [];
const packagesDir = join(root, 'packages');
for (const dir of readdirSync(packagesDir).sort()) {
  const target = join(packagesDir, dir, 'src', 'version.ts');
  const manifest = join(packagesDir, dir, 'package.json');
  if (!existsSync(target) || !existsSync(manifest)) continue;
  const wanted = versionModule(JSON.parse(readFileSync(manifest, 'utf8')));
  if (readFileSync(target, 'utf8') === wanted) continue;
  stale.push(relative(root, target));
  if (!check) writeFileSync(target, wanted);
}
if (check && stale.length > 0) {
  process.stderr.write(`out of date with package.json (run node scripts/write-versions.mjs): ${stale.join(', ')}\n`);
  process.exit(1);
}
