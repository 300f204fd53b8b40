/**
 * A copy of the repository's example services whose apps load the newest major of each client by
 * its bare name, as an app that upgraded would. The newest releases are installed in the end-to-end
 * test package under aliases (`openai-v7`, `@google/genai-v3`, ...); the copy's `node_modules`
 * links each under the name the examples import.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { E2E_DIR } from './run-app';

/** The newest release of a client: the name apps import it by and its alias in the test package. */
export interface NewestClient {
  name: string;
  alias: string;
  /** The version the alias installs, from the test package's `package.json`. */
  version: string;
}

const ALIASES: ReadonlyArray<readonly [name: string, alias: string]> = [
  ['openai', 'openai-v7'],
  ['@anthropic-ai/sdk', '@anthropic-ai/sdk-latest'],
  ['@google/genai', '@google/genai-v3'],
  ['@aws-sdk/client-bedrock-runtime', '@aws-sdk/client-bedrock-runtime-latest'],
  ['@langchain/openai', '@langchain/openai-latest'],
  ['@openai/agents', '@openai/agents-latest'],
  ['ai', 'ai-v7'],
  ['@ai-sdk/openai', '@ai-sdk/openai-v4'],
  ['@ai-sdk/anthropic', '@ai-sdk/anthropic-v4'],
];

/** Packages the framework examples import beside their client, linked as the test package installs them. */
const SHARED = ['@langchain/core', '@langchain/langgraph', 'zod'];

/** The newest major of every supported client, with the exact version installed for the tests. */
export function newestClients(): NewestClient[] {
  const manifest = JSON.parse(readFileSync(join(E2E_DIR, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  return ALIASES.map(([name, alias]) => {
    const spec = manifest.devDependencies[alias];
    const match = /^npm:(.+)@(\d+\.\d+\.\d+)$/.exec(spec ?? '');
    if (!match || match[1] !== name) throw new Error(`test/package.json: ${alias} should be npm:${name}@<version>, is ${spec}`);
    return { name, alias, version: match[2] };
  });
}

/** The examples copy; {@link ExamplesWithNewestClients.remove} deletes it. */
export interface ExamplesWithNewestClients {
  /** The copy of `examples/`, laid out like it (`openai-cjs/app.js`, `openai-esm/app.mjs`, ...). */
  dir: string;
  clients: NewestClient[];
  remove(): void;
}

/**
 * Copies the example services (their own files, not their `node_modules`) to a temporary folder
 * whose `node_modules` holds the newest client releases under their bare names and
 * `@tokenomics/node`, so that every example app resolves them as an installed app would.
 */
export function examplesWithNewestClients(): ExamplesWithNewestClients {
  const source = join(E2E_DIR, '..', 'examples');
  const root = mkdtempSync(join(tmpdir(), 'examples-newest-'));
  const dir = join(root, 'examples');
  try {
    for (const entry of readdirSync(source, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      // Real files, not links: Node.js resolves an entry file's imports from its real location.
      cpSync(join(source, entry.name), join(dir, entry.name), {
        recursive: true,
        dereference: true,
        filter: (path) => !path.split(/[\\/]/).includes('node_modules'),
      });
    }
    const clients = newestClients();
    const link = (name: string, target: string) => {
      const at = join(dir, 'node_modules', name);
      mkdirSync(dirname(at), { recursive: true });
      symlinkSync(realpathSync(target), at, 'dir');
    };
    for (const client of clients) link(client.name, join(E2E_DIR, 'node_modules', client.alias));
    for (const name of SHARED) link(name, join(E2E_DIR, 'node_modules', name));
    link('@tokenomics/node', join(E2E_DIR, 'node_modules', '@tokenomics', 'node'));
    return { dir, clients, remove: () => rmSync(root, { recursive: true, force: true }) };
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
}
