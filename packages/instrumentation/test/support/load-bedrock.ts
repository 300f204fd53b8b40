import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { requireLinked } from './require-linked';

const here = createRequire(__filename);

/** The two releases the tests run: the current one, and 3.600 from mid-2024. */
export type BedrockRelease = 'current' | '3.600';

/**
 * Loads `@aws-sdk/client-bedrock-runtime` by its name through Node's real `require`, so the
 * instrumentation's module hook sees it exactly as in an app. `3.600` uses the release installed
 * under an alias, linked into a temporary `node_modules/@aws-sdk/client-bedrock-runtime`.
 */
export function requireBedrock(release: BedrockRelease): any {
  if (release === 'current') return here('@aws-sdk/client-bedrock-runtime');
  return requireLinked('@aws-sdk/client-bedrock-runtime', join(dirname(here.resolve('@aws-sdk/client-bedrock-runtime-v3-600')), '..'));
}

/**
 * Client options for a local endpoint: dummy credentials and one attempt. Each release keeps its
 * own default HTTP handler (HTTP/2 for current releases, HTTP/1.1 for 3.600).
 */
export function localClientConfig(endpoint: string): Record<string, unknown> {
  return {
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'bedrock-test-secret' },
    maxAttempts: 1,
  };
}
