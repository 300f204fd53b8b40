/**
 * The packaging habits the release depends on, checked on the files themselves: version constants
 * generated from package.json, one @opentelemetry/api per process, dependency ranges, changesets
 * and changelogs, and the CI and release workflows (which cannot run here, so their structure is
 * checked: every step calls a script or file that exists).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  files?: string[];
  exports?: Record<string, string | Record<string, string>>;
  typesVersions?: Record<string, Record<string, string[]>>;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const rootManifest = readJson<Manifest>(join(ROOT, 'package.json'));
const packageDirs = readdirSync(join(ROOT, 'packages')).filter((dir) => existsSync(join(ROOT, 'packages', dir, 'package.json')));
const manifests = new Map(packageDirs.map((dir) => [dir, readJson<Manifest>(join(ROOT, 'packages', dir, 'package.json'))]));
const published = [...manifests].filter(([, m]) => m.private !== true);

/** Every .ts file under `dir`, recursively. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('version constants', () => {
  const withVersionFile = packageDirs.filter((dir) => existsSync(join(ROOT, 'packages', dir, 'src', 'version.ts')));

  it('exist for the packages that report their version in telemetry', () => {
    expect(withVersionFile).toEqual(expect.arrayContaining(['exporter', 'instrumentation']));
  });

  it.each(withVersionFile)('packages/%s/src/version.ts equals its package.json name and version', async (dir) => {
    const manifest = manifests.get(dir)!;
    const constants = (await import(join(ROOT, 'packages', dir, 'src', 'version.ts'))) as Record<string, unknown>;
    expect(constants.PACKAGE_NAME).toBe(manifest.name);
    expect(constants.PACKAGE_VERSION).toBe(manifest.version);
    expect(constants.VERSION).toBe(manifest.version);
  });

  it('the generator finds nothing to rewrite in the committed tree', () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts', 'write-versions.mjs'), '--check'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('is written before every build, test, demo and release', () => {
    for (const script of ['build', 'test', 'demo', 'bench', 'release']) {
      expect(rootManifest.scripts?.[script]).toMatch(/^node scripts\/write-versions\.mjs && tsc -b/);
    }
    expect(rootManifest.scripts?.['version-packages']).toBe('changeset version && node scripts/write-versions.mjs');
  });
});

describe('dependencies of the published packages', () => {
  it('@opentelemetry/api is a peer (and a dev dependency for the tests) of every package that imports it, never a dependency', () => {
    const importers = packageDirs.filter((dir) =>
      sourceFiles(join(ROOT, 'packages', dir, 'src')).some((file) =>
        /(from|require\()\s*'@opentelemetry\/api'/.test(readFileSync(file, 'utf8')),
      ),
    );
    expect(importers).toEqual(expect.arrayContaining(['exporter', 'instrumentation', 'node']));
    for (const dir of importers) {
      const manifest = manifests.get(dir)!;
      expect({ dir, peer: manifest.peerDependencies?.['@opentelemetry/api'] }).toEqual({ dir, peer: '^1.9.0' });
      expect({ dir, dev: manifest.devDependencies?.['@opentelemetry/api'] }).toEqual({ dir, dev: expect.any(String) });
      expect({ dir, runtime: manifest.dependencies?.['@opentelemetry/api'] }).toEqual({ dir, runtime: undefined });
    }
  });

  it('every package a published package imports from its source is a dependency or a peer dependency', () => {
    const missing: string[] = [];
    for (const [dir, m] of published) {
      const declared = { ...m.dependencies, ...m.peerDependencies };
      for (const file of sourceFiles(join(ROOT, 'packages', dir, 'src'))) {
        for (const match of readFileSync(file, 'utf8').matchAll(/(?:from |require\()'((?:@[\w.-]+\/)?[\w.:-]+)/g)) {
          const name = match[1];
          if (name.startsWith('.') || name.startsWith('node:') || builtinModules.includes(name)) continue;
          if (!(name in declared)) missing.push(`${dir}: ${name}`);
        }
      }
    }
    expect([...new Set(missing)]).toEqual([]);
  });

  it('runtime dependencies are ^ ranges (or workspace packages), never exact pins', () => {
    const pinned = published.flatMap(([dir, m]) =>
      Object.entries(m.dependencies ?? {})
        .filter(([, range]) => !range.startsWith('workspace:') && !range.startsWith('^'))
        .map(([name, range]) => `${dir}: ${name}@${range}`),
    );
    expect(pinned).toEqual([]);
  });

  it('every published package ships its build and a changelog entry for its current version', () => {
    for (const [dir, m] of published) {
      expect({ dir, files: m.files }).toEqual({ dir, files: expect.arrayContaining(['dist']) });
      const changelog = readFileSync(join(ROOT, 'packages', dir, 'CHANGELOG.md'), 'utf8');
      expect(changelog.startsWith(`# ${m.name}\n`)).toBe(true);
      expect(changelog).toContain(`\n## ${m.version}\n`);
    }
  });
});

describe('packed packages, as the README installs them from the repository', () => {
  it('name each other by their real version (no workspace: ranges) and ship their build', () => {
    const destination = mkdtempSync(join(tmpdir(), 'tokenomics-packs-'));
    try {
      const pack = spawnSync('npx', ['-y', 'pnpm@10.34.9', '-r', '--filter', './packages/*', 'pack', '--pack-destination', destination], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      expect(pack.status, pack.stderr).toBe(0);
      for (const [dir, m] of published) {
        const tarball = join(destination, `${m.name.replace('@', '').replace('/', '-')}-${m.version}.tgz`);
        const list = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).stdout.split('\n');
        expect({ dir, main: list.includes('package/dist/index.js') }).toEqual({ dir, main: true });
        const packed = JSON.parse(spawnSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }).stdout) as Manifest;
        for (const [name, range] of Object.entries(packed.dependencies ?? {})) {
          const sibling = published.find(([, other]) => other.name === name);
          expect({ dir, name, range }).toEqual({ dir, name, range: sibling ? sibling[1].version : m.dependencies?.[name] });
        }
      }
    } finally {
      rmSync(destination, { recursive: true, force: true });
    }
  });
});

describe('subpath exports', () => {
  // The packages import each other's modules by subpath; their declarations do too. TypeScript's
  // older `node` resolution reads no `exports`: without `typesVersions` a consumer on it would
  // see those types as `any`.
  it.each(published.map(([dir]) => dir))('packages/%s: every subpath has its module, its declarations and a typesVersions entry', (dir) => {
    const manifest = manifests.get(dir)!;
    const subpaths = Object.entries(manifest.exports ?? {}).filter(([key]) => key !== '.' && key !== './package.json');
    for (const [key, target] of subpaths) {
      const name = key.slice(2);
      const conditions = typeof target === 'string' ? { default: target } : target;
      expect({ key, types: conditions.types }).toEqual({ key, types: `./dist/${name}.d.ts` });
      expect({ key, typesVersions: manifest.typesVersions?.['*']?.[name] }).toEqual({ key, typesVersions: [`./dist/${name}.d.ts`] });
      for (const file of Object.values(conditions))
        expect({ file, exists: existsSync(join(ROOT, 'packages', dir, file)) }).toEqual({ file, exists: true });
    }
    expect(Object.keys(manifest.typesVersions?.['*'] ?? {}).sort()).toEqual(subpaths.map(([key]) => key.slice(2)).sort());
  });
});

describe('changesets', () => {
  const config = readJson<{ fixed: string[][]; access: string; privatePackages: { version: boolean; tag: boolean } }>(
    join(ROOT, '.changeset', 'config.json'),
  );

  it('versions the published packages together and publishes them publicly', () => {
    expect(config.fixed).toHaveLength(1);
    expect([...config.fixed[0]].sort()).toEqual(published.map(([, m]) => m.name).sort());
    expect(config.access).toBe('public');
  });

  it('never versions or publishes the private workspace packages (tests, bench, examples)', () => {
    expect(config.privatePackages).toEqual({ version: false, tag: false });
    const workspaceDirs = ['test', 'bench', ...readdirSync(join(ROOT, 'examples')).map((dir) => join('examples', dir))];
    for (const dir of workspaceDirs.filter((d) => existsSync(join(ROOT, d, 'package.json')))) {
      expect({ dir, private: readJson<Manifest>(join(ROOT, dir, 'package.json')).private }).toEqual({ dir, private: true });
    }
  });
});

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, { 'runs-on': string; steps: Step[] }>;
}

/** The root scripts and files that a shell command of a workflow calls. */
function commandsIn(command: string): { scripts: string[]; files: string[] } {
  const scripts: string[] = [];
  const files: string[] = [];
  for (const match of command.matchAll(/\bpnpm(?:@[\d.]+)?\s+(?:run\s+)?([\w:-]+)/g)) {
    if (match[1] !== 'install') scripts.push(match[1]);
  }
  for (const match of command.matchAll(/\b(?:bash|node)\s+([\w./-]+)/g)) files.push(match[1]);
  return { scripts, files };
}

describe.each(['ci.yml', 'release.yml'])('.github/workflows/%s', (file) => {
  const workflow = parse(readFileSync(join(ROOT, '.github', 'workflows', file), 'utf8')) as Workflow;
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);

  it('checks out the repository, sets up Node 20 and installs nothing beyond the committed lockfile', () => {
    expect(steps[0].uses).toMatch(/^actions\/checkout@v\d+$/);
    const setupNode = steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
    expect(String(setupNode?.with?.['node-version'])).toMatch(/^(20|\$\{\{ matrix\.node \}\})$/);
    const installs = steps.filter((step) => /\bpnpm(?:@[\d.]+)? install\b/.test(step.run ?? ''));
    for (const step of installs) expect(step.run).toContain('--frozen-lockfile');
  });

  it('uses actions by major version tag only', () => {
    for (const step of steps.filter((s) => s.uses)) expect(step.uses).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
  });

  it('calls only root scripts and files that exist', () => {
    const commands = steps.flatMap((step) =>
      [step.run, step.with?.version, step.with?.publish].filter((c): c is string => typeof c === 'string'),
    );
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) {
      const { scripts, files } = commandsIn(command);
      for (const script of scripts)
        expect({ command, script, defined: script in (rootManifest.scripts ?? {}) }).toEqual({ command, script, defined: true });
      for (const path of files) expect({ command, path, exists: existsSync(join(ROOT, path)) }).toEqual({ command, path, exists: true });
    }
  });
});

describe('the workflows run the suite and release through changesets', () => {
  const read = (file: string) => parse(readFileSync(join(ROOT, '.github', 'workflows', file), 'utf8')) as Workflow;

  it('CI checks the version constants, then runs .ci/run (the README test command), on pushes and pull requests', () => {
    const ci = read('ci.yml');
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    const runs = Object.values(ci.jobs)
      .flatMap((job) => job.steps)
      .map((s) => s.run);
    expect(runs).toContain('bash .ci/run');
    // The build rewrites stale version constants, so they are checked before it.
    expect(runs.indexOf('node scripts/write-versions.mjs --check')).toBeGreaterThan(-1);
    expect(runs.indexOf('node scripts/write-versions.mjs --check')).toBeLessThan(runs.indexOf('bash .ci/run'));
    expect(readFileSync(join(ROOT, '.ci', 'run'), 'utf8')).toContain('npx -y pnpm@10.34.9 test');
  });

  it('the release job tests, then versions or publishes with changesets and the publish token', () => {
    const release = read('release.yml');
    expect(release.on).toEqual({ push: { branches: ['main'] } });
    const steps = Object.values(release.jobs).flatMap((job) => job.steps);
    const testAt = steps.findIndex((s) => s.run === 'pnpm test');
    const changesetsAt = steps.findIndex((s) => s.uses?.startsWith('changesets/action@'));
    expect(testAt).toBeGreaterThan(-1);
    expect(changesetsAt).toBeGreaterThan(testAt);
    const changesets = steps[changesetsAt];
    expect(changesets.with).toMatchObject({ version: 'pnpm run version-packages', publish: 'pnpm run release' });
    expect(changesets.env).toMatchObject({ NPM_TOKEN: '${{ secrets.NPM_TOKEN }}', GITHUB_TOKEN: '${{ secrets.GITHUB_TOKEN }}' });
    expect(release.permissions).toMatchObject({ contents: 'write', 'pull-requests': 'write' });
    expect(rootManifest.scripts?.release).toMatch(/changeset publish$/);
    expect(rootManifest.devDependencies?.['@changesets/cli']).toBeDefined();
  });
});
