#!/usr/bin/env node
/**
 * Builds the OpenTelemetry Collector the tests run, with the OpenTelemetry Collector Builder,
 * from collector-config/otel/builder-config.yaml, and caches it by the manifest's hash.
 *
 *   node scripts/build-otelcol.mjs            build if needed, print the binary's path
 *   node scripts/build-otelcol.mjs --check    print the path if built, exit 1 if not
 *
 * Cache: $TOKENOMICS_OTELCOL_CACHE, else $XDG_CACHE_HOME/tokenomics/otelcol, else
 * ~/.cache/tokenomics/otelcol. Go modules come through the Go module proxy into Go's own module
 * cache. The path of the built binary is also written to node_modules/.cache/tokenomics/otelcol.json,
 * where the tests read it.
 *
 * Without Go on the PATH the build fails with a message; TOKENOMICS_SKIP_OTELCOL=1 skips it (the
 * tests that need the Collector are then reported as skipped, never as passed).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const manifestPath = join(root, 'collector-config', 'otel', 'builder-config.yaml');
const recordPath = join(root, 'node_modules', '.cache', 'tokenomics', 'otelcol.json');

function fail(message) {
  process.stderr.write(`build-otelcol: ${message}\n`);
  process.exit(1);
}

const manifest = readFileSync(manifestPath, 'utf8');
// The builder's version is the core release every module in the manifest is pinned to.
const coreRelease = /go\.opentelemetry\.io\/collector\/receiver\/otlpreceiver (v0\.\d+\.\d+)/.exec(manifest)?.[1];
if (coreRelease === undefined) fail(`${manifestPath}: no go.opentelemetry.io/collector/receiver/otlpreceiver line names the core release`);
const distName = /^\s*name:\s*(\S+)/m.exec(manifest)?.[1] ?? 'otelcol-tokenomics';

const hash = createHash('sha256').update(manifest).digest('hex').slice(0, 16);
const cacheRoot =
  process.env.TOKENOMICS_OTELCOL_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tokenomics', 'otelcol');
const buildDir = join(cacheRoot, hash);
const binary = join(buildDir, distName);

function record(path) {
  mkdirSync(dirname(recordPath), { recursive: true });
  writeFileSync(recordPath, `${JSON.stringify({ binary: path, manifestHash: hash, coreRelease }, null, 2)}\n`);
}

function runs(path) {
  if (!existsSync(path)) return false;
  const result = spawnSync(path, ['components'], { encoding: 'utf8', timeout: 60_000 });
  return result.status === 0;
}

if (runs(binary)) {
  record(binary);
  process.stdout.write(`${binary}\n`);
  process.exit(0);
}
if (process.argv.includes('--check')) fail(`not built yet: ${binary}`);

if (process.env.TOKENOMICS_SKIP_OTELCOL === '1') {
  rmSync(recordPath, { force: true });
  process.stderr.write('build-otelcol: skipped (TOKENOMICS_SKIP_OTELCOL=1); the tests that run the Collector will be skipped\n');
  process.exit(0);
}

const go = spawnSync('go', ['version'], { encoding: 'utf8' });
if (go.status !== 0) {
  fail('Go is not on the PATH; install Go 1.24 or newer, or set TOKENOMICS_SKIP_OTELCOL=1 to skip the Collector tests');
}

const gobin = join(cacheRoot, 'bin', coreRelease);
const builder = join(gobin, 'builder');
const env = { ...process.env, GOBIN: gobin, GOFLAGS: process.env.GOFLAGS ?? '-mod=mod' };
if (!existsSync(builder)) {
  process.stderr.write(`build-otelcol: installing the Collector builder ${coreRelease}\n`);
  const install = spawnSync('go', ['install', `go.opentelemetry.io/collector/cmd/builder@${coreRelease}`], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (install.status !== 0) fail(`go install go.opentelemetry.io/collector/cmd/builder@${coreRelease} failed`);
}

// Build in a scratch directory and move the binary into place, so an interrupted build never
// leaves a half-written binary in the cache.
const scratch = join(cacheRoot, `${hash}.partial-${process.pid}`);
rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });
const scratchManifest = join(scratch, 'builder-config.yaml');
writeFileSync(scratchManifest, manifest.replace(/^(\s*output_path:).*$/m, `$1 ${join(scratch, 'build')}`));
process.stderr.write(`build-otelcol: building ${distName} (${coreRelease}); the first build takes several minutes\n`);
const build = spawnSync(builder, ['--config', scratchManifest], { env, cwd: scratch, stdio: ['ignore', 'inherit', 'inherit'] });
if (build.status !== 0) fail(`the Collector builder failed for ${manifestPath}`);
mkdirSync(buildDir, { recursive: true });
renameSync(join(scratch, 'build', distName), binary);
rmSync(scratch, { recursive: true, force: true });
if (!runs(binary)) fail(`${binary} was built but does not run`);
record(binary);
process.stdout.write(`${binary}\n`);
