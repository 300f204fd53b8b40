// Runs every benchmark (packages/*/bench/*.bench.mjs, then bench/*.bench.mjs), each in its own
// node process, one after another. Exits 1 if any fails. Arguments are passed to each benchmark.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

function benches(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.bench.mjs'))
    .sort()
    .map((f) => join(dir, f));
}

const files = [];
for (const pkg of readdirSync(join(root, 'packages')).sort()) files.push(...benches(join(root, 'packages', pkg, 'bench')));
files.push(...benches(join(root, 'bench')));

if (files.length === 0) {
  console.error('bench: no *.bench.mjs files found');
  process.exit(1);
}

const failed = [];
for (const file of files) {
  const name = relative(root, file);
  console.log(`\n=== ${name}`);
  const started = Date.now();
  const r = spawnSync(process.execPath, [file, ...args], { cwd: root, stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status === 0) console.log(`--- ${name}: ok (${seconds} s)`);
  else {
    console.log(`--- ${name}: FAILED (${r.signal ? `signal ${r.signal}` : `exit ${r.status}`}, ${seconds} s)`);
    failed.push(name);
  }
}
console.log(`\n${files.length - failed.length} of ${files.length} benchmarks ok${failed.length ? `; failed: ${failed.join(', ')}` : ''}`);
process.exit(failed.length > 0 ? 1 : 0);
