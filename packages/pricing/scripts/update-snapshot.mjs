#!/usr/bin/env node
// Regenerates the bundled price snapshot (packages/pricing/data/genai-prices.json) from the
// published npm package @pydantic/genai-prices (MIT).
//
//   node packages/pricing/scripts/update-snapshot.mjs                 # latest published version
//   node packages/pricing/scripts/update-snapshot.mjs --version 0.1.8 # a given version
//   node packages/pricing/scripts/update-snapshot.mjs --from DIR      # an unpacked package directory
//   ... --out DIR                                                     # write elsewhere than data/
//
// The package is fetched with `npm pack` into a temporary directory outside the repository; the
// runtime package never depends on it. The package ships its price data as a JavaScript literal in
// dist/index.cjs, so the script evaluates that file in an isolated context with the data literal
// exported, keeps only what pricing needs (ids, names, match rules, context windows, prices,
// provider fallbacks) and records the source version and licence next to it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const PACKAGE = '@pydantic/genai-prices';
const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const opts = { version: 'latest', from: undefined, out: join(here, '..', 'data') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--version') opts.version = argv[++i];
    else if (a === '--from') opts.from = argv[++i];
    else if (a === '--out') opts.out = argv[++i];
    else throw new Error(`unknown argument ${a}; accepted: --version X, --from DIR, --out DIR`);
  }
  return opts;
}

function fetchPackage(version) {
  const tmp = mkdtempSync(join(tmpdir(), 'genai-prices-'));
  execFileSync('npm', ['pack', `${PACKAGE}@${version}`, '--pack-destination', tmp, '--silent'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error(`npm pack produced no tarball in ${tmp}`);
  execFileSync('tar', ['xzf', join(tmp, tgz), '-C', tmp]);
  return { dir: join(tmp, 'package'), cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}

/** Evaluates the package's CommonJS bundle and returns its provider array. */
function extractProviders(pkgDir) {
  const src = readFileSync(join(pkgDir, 'dist', 'index.cjs'), 'utf8');
  const decl = /(?:const|let|var) ([A-Za-z_$][\w$]*)=\[\{id:"/.exec(src);
  if (!decl) throw new Error('could not find the provider data literal in dist/index.cjs');
  const mod = { exports: {} };
  const sandbox = { exports: mod.exports, module: mod, require: () => ({}), console: { warn() {}, log() {} } };
  vm.runInNewContext(`${src};\nexports.__providers = ${decl[1]};`, sandbox, { timeout: 10_000 });
  const providers = mod.exports.__providers;
  if (!Array.isArray(providers) || !providers.every((p) => typeof p.id === 'string' && Array.isArray(p.models))) {
    throw new Error('the extracted literal is not a provider list');
  }
  return JSON.parse(JSON.stringify(providers));
}

function compactModel(m) {
  const out = { id: m.id };
  if (m.name) out.name = m.name;
  out.match = m.match;
  if (m.context_window) out.context_window = m.context_window;
  if (m.deprecated) out.deprecated = true;
  out.prices = m.prices;
  return out;
}

function compactProvider(p) {
  const out = { id: p.id, name: p.name };
  if (p.pricing_urls) out.pricing_urls = p.pricing_urls;
  if (p.model_match) out.model_match = p.model_match;
  if (p.provider_match) out.provider_match = p.provider_match;
  if (p.fallback_model_providers) out.fallback_model_providers = p.fallback_model_providers;
  out.models = p.models.map(compactModel);
  return out;
}

const opts = parseArgs(process.argv.slice(2));
const fetched = opts.from ? { dir: opts.from, cleanup() {} } : fetchPackage(opts.version);
try {
  const pkg = JSON.parse(readFileSync(join(fetched.dir, 'package.json'), 'utf8'));
  if (pkg.name !== PACKAGE) throw new Error(`${fetched.dir} holds ${pkg.name}, not ${PACKAGE}`);
  const providers = extractProviders(fetched.dir).map(compactProvider);
  const snapshot = {
    format: 'tokenomics-prices/1',
    source: {
      name: PACKAGE,
      version: pkg.version,
      license: pkg.license,
      repository: 'https://github.com/pydantic/genai-prices',
      notice: 'Price data from @pydantic/genai-prices, MIT licence; see genai-prices.LICENSE',
    },
    providers,
  };
  writeFileSync(join(opts.out, 'genai-prices.json'), JSON.stringify(snapshot) + '\n');
  const licence = join(fetched.dir, 'LICENSE');
  if (existsSync(licence)) writeFileSync(join(opts.out, 'genai-prices.LICENSE'), readFileSync(licence));
  const models = providers.reduce((n, p) => n + p.models.length, 0);
  process.stdout.write(`wrote ${PACKAGE}@${pkg.version}: ${providers.length} providers, ${models} models\n`);
} finally {
  fetched.cleanup();
}
