import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examplesWithNewestClients, type ExamplesWithNewestClients } from './support/newest-clients';
import { E2E_DIR } from './support/run-app';

// The end-to-end hook tests (test/*-hook.test.ts) on newer Node.js releases, fetched as
// `npx -y node@N`, with every example app loading the newest major of its client by its bare name
// (tests that run their own fixtures rather than the examples run there with the pinned clients).
// The hook tests themselves run there, under that Node.js, on a copy of the examples (see
// E2E_EXAMPLES_DIR in support/examples.ts): the same exact figures (span counts, billed tokens, cost
// against the emulator's usage and the cost counter) are checked as on Node.js 20 with the pinned
// clients. Skipped, with the reason printed, where a Node.js release cannot be fetched.

const ROOT = join(E2E_DIR, '..');
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const HOOK_TESTS = readdirSync(E2E_DIR)
  .filter((f) => f.endsWith('-hook.test.ts'))
  .sort();
const MAJORS = [22, 24];
/** Longest a fetch of one Node.js release, and one run of the hook tests, may take. */
const FETCH_TIMEOUT_MS = 180_000;
const RUN_TIMEOUT_MS = 600_000;
const TOKENOMICS_NODE_VERSION = (JSON.parse(readFileSync(join(ROOT, 'packages', 'node', 'package.json'), 'utf8')) as { version: string })
  .version;

/** Node.js binaries by major, fetched once per run. */
const binaries = new Map<number, string | undefined>();

function nodeBinary(major: number): string | undefined {
  if (!binaries.has(major)) {
    let path: string | undefined;
    try {
      path = execFileSync('npx', ['-y', `node@${major}`, '-p', 'process.execPath'], {
        encoding: 'utf8',
        timeout: FETCH_TIMEOUT_MS,
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      path = undefined;
    }
    binaries.set(major, path || undefined);
  }
  return binaries.get(major);
}

/** What vitest's JSON reporter writes about one test. */
interface AssertionResult {
  fullName: string;
  status: string;
  failureMessages: string[];
}

/** What vitest's JSON reporter writes about one test file. */
interface FileResult {
  name: string;
  status: string;
  message: string;
  assertionResults: AssertionResult[];
}

/** The outcome of the hook tests run under another Node.js. */
interface MatrixRun {
  version: string;
  files: Map<string, FileResult>;
  output: string;
}

/**
 * Runs the hook tests with vitest under `binary`, against `examples`, and returns vitest's report.
 * Vitest's own variables are left out of the environment so the run starts as from a shell.
 */
async function runHookTests(binary: string, examples: string): Promise<MatrixRun> {
  const out = mkdtempSync(join(tmpdir(), 'node-matrix-report-'));
  try {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !/^(VITEST|NODE_OPTIONS$)/.test(key)) env[key] = value;
    }
    env.E2E_EXAMPLES_DIR = examples;
    env.NO_COLOR = '1';
    const report = join(out, 'report.json');
    const child = spawn(
      binary,
      [VITEST, 'run', ...HOOK_TESTS.map((f) => join('test', f)), '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
      {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    // Within the suite's own time limit, so a stuck run never outlives this test file.
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS - 30_000);
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', () => resolve());
    }).finally(() => clearTimeout(timer));
    let parsed: { testResults: FileResult[] };
    try {
      parsed = JSON.parse(readFileSync(report, 'utf8')) as { testResults: FileResult[] };
    } catch {
      throw new Error(`vitest under ${binary} wrote no report:\n${output.slice(-4000)}`);
    }
    const version = execFileSync(binary, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
    return { version, files: new Map(parsed.testResults.map((r) => [basename(r.name), r])), output };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The failures part of vitest's default report, or its end where there is none. */
function failures(output: string): string {
  const start = output.search(/Failed (Suites|Tests) \d+/);
  return (start >= 0 ? output.slice(start) : output.slice(-4000)).slice(0, 8000);
}

/** Where `name` resolves from `dir` by Node.js module resolution, as the version of its package. */
function resolvedVersion(dir: string, name: string): string {
  let at = dirname(createRequire(join(dir, 'app.js')).resolve(name));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(at, 'package.json'), 'utf8')) as { name?: string; version: string };
      if (manifest.name === name) return manifest.version;
    } catch {
      // No manifest here: look further up.
    }
    if (dirname(at) === at) throw new Error(`no package.json of ${name} above ${dir}`);
    at = dirname(at);
  }
}

let examples: ExamplesWithNewestClients;

beforeAll(() => {
  examples = examplesWithNewestClients();
});

afterAll(() => {
  examples?.remove();
});

it('every example app resolves the newest major of its client by the bare name', () => {
  expect(HOOK_TESTS).toEqual(
    expect.arrayContaining([
      'openai-hook.test.ts',
      'anthropic-hook.test.ts',
      'google-genai-hook.test.ts',
      'bedrock-hook.test.ts',
      'azure-openai-hook.test.ts',
      'langchain-hook.test.ts',
      'openai-agents-hook.test.ts',
      'ai-sdk-hook.test.ts',
    ]),
  );
  const uses: Record<string, string> = {
    'openai-cjs': 'openai',
    'openai-esm': 'openai',
    'azure-openai-cjs': 'openai',
    'anthropic-cjs': '@anthropic-ai/sdk',
    'anthropic-esm': '@anthropic-ai/sdk',
    'gemini-cjs': '@google/genai',
    'gemini-esm': '@google/genai',
    'bedrock-cjs': '@aws-sdk/client-bedrock-runtime',
    'bedrock-esm': '@aws-sdk/client-bedrock-runtime',
    'langchain-cjs': '@langchain/openai',
    'langchain-esm': '@langchain/openai',
    'openai-agents-cjs': '@openai/agents',
    'openai-agents-esm': '@openai/agents',
    'ai-sdk-cjs': 'ai',
    'ai-sdk-esm': 'ai',
  };
  const apps = readdirSync(examples.dir)
    .filter((d) => d !== 'node_modules')
    .sort();
  expect(apps).toEqual(Object.keys(uses).sort());
  const newest = new Map(examples.clients.map((c) => [c.name, c.version]));
  expect([...newest.entries()].map(([name, v]) => `${name}@${v.split('.')[0]}`)).toEqual([
    'openai@7',
    '@anthropic-ai/sdk@1',
    '@google/genai@3',
    '@aws-sdk/client-bedrock-runtime@3',
    '@langchain/openai@1',
    '@openai/agents@0',
    'ai@7',
    '@ai-sdk/openai@4',
    '@ai-sdk/anthropic@4',
  ]);
  for (const app of apps) {
    const client = uses[app];
    expect(resolvedVersion(join(examples.dir, app), client), `${app} loads ${client}`).toBe(newest.get(client));
    expect(resolvedVersion(join(examples.dir, app), '@tokenomics/node'), `${app} loads @tokenomics/node`).toBe(TOKENOMICS_NODE_VERSION);
  }
});

describe.each(MAJORS)('Node.js %i, newest client majors', (major) => {
  let run: MatrixRun | undefined;

  beforeAll(async () => {
    const binary = nodeBinary(major);
    if (!binary) {
      console.warn(`Node.js ${major} could not be fetched with npx; skipping its hook tests`);
      return;
    }
    run = await runHookTests(binary, examples.dir);
  }, FETCH_TIMEOUT_MS + RUN_TIMEOUT_MS);

  it('runs the hook tests under that Node.js release', (ctx) => {
    if (!run) ctx.skip();
    expect(run!.version).toMatch(new RegExp(`^v${major}\\.`));
  });

  it.for(HOOK_TESTS)('every test of %s passes under that Node.js, the example apps loading the newest clients', (file, ctx) => {
    if (!run) ctx.skip();
    const result = run!.files.get(file);
    expect(result, `${file} ran; vitest output:\n${run!.output.slice(-4000)}`).toBeDefined();
    const failed = result!.assertionResults
      .filter((a) => a.status !== 'passed')
      .map((a) => `${a.status}: ${a.fullName}\n${a.failureMessages.join('\n').slice(0, 2000)}`);
    // One string, so that a failure prints what failed under that Node.js in full, with vitest's
    // account of the failures (a failed beforeAll leaves its tests skipped, its error only there).
    expect(failed.join('\n\n'), `${result!.message}\n${failures(run!.output)}`).toBe('');
    expect(result!.status).toBe('passed');
    expect(result!.assertionResults.length).toBeGreaterThan(0);
  });
});
