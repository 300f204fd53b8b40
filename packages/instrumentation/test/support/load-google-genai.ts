import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { requireLinked } from './require-linked';

const here = createRequire(__filename);

/**
 * Loads an `@google/genai` build by the name `@google/genai` through Node's real `require`, so
 * the instrumentation's module hook sees it exactly as in an app. `major` 1 uses the 1.x release
 * installed under an alias, linked into a temporary `node_modules/@google/genai`.
 */
export function requireGoogleGenAI(major: 1 | 2): any {
  if (major === 2) return here('@google/genai');
  return requireLinked('@google/genai', join(dirname(here.resolve('@google/genai-v1')), '..', '..'));
}

/**
 * A google-auth-library client stand-in for Vertex AI clients: a bearer token, as headers both
 * the 1.x client (plain object) and the 2.x client (iterable of entries) read.
 */
export function fakeAuthClient(): unknown {
  const headers: Record<string, string> = { Authorization: 'Bearer test-token' };
  Object.defineProperty(headers, Symbol.iterator, { enumerable: false, value: () => Object.entries(headers)[Symbol.iterator]() });
  return {
    getRequestHeaders: async () => headers,
    getAccessToken: async () => ({ token: 'test-token' }),
  };
}
