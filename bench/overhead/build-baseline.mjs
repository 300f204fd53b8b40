// Builds `@tokenomics/instrumentation` as it was at a git revision, for a before/after run:
//
//   node bench/overhead/build-baseline.mjs <revision>
//   BENCH_TOKENOMICS_BASELINE=bench/dist/baseline/dist node bench/overhead.bench.mjs
//
// The sources of packages/instrumentation/src at <revision> are compiled into bench/dist/baseline
// (ignored by git, like every dist/), where they resolve their dependencies from the bench
// package. Prints the folder to pass as BENCH_TOKENOMICS_BASELINE.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const revision = process.argv[2];
if (!revision) {
  console.error('usage: node bench/overhead/build-baseline.mjs <git revision>');
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'bench', 'dist', 'baseline');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const archive = execFileSync('git', ['archive', revision, 'packages/instrumentation/src'], { cwd: root, maxBuffer: 64 * 2 ** 20 });
execFileSync('tar', ['-x', '--strip-components=2', '-C', out], { input: archive });
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify(
    {
      extends: relative(out, join(root, 'tsconfig.base.json')),
      // exactOptionalPropertyTypes: sources from before it was turned on do not satisfy it.
      compilerOptions: {
        rootDir: 'src',
        outDir: 'dist',
        composite: false,
        declaration: false,
        declarationMap: false,
        sourceMap: false,
        incremental: false,
        exactOptionalPropertyTypes: false,
      },
      include: ['src'],
    },
    null,
    2,
  ),
);
const tsc = spawnSync('npx', ['tsc', '-p', out], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
console.log(relative(root, join(out, 'dist')));
