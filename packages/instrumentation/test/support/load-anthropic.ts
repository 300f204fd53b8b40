import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { requireLinked } from './require-linked';

const here = createRequire(__filename);

/** The `@anthropic-ai/sdk` releases the tests run against: the current 1.x, and a 0.x installed under an alias. */
export const ANTHROPIC_SDK_VERSIONS = { 1: '1.14.0', 0: '0.39.0' } as const;

/**
 * Loads an `@anthropic-ai/sdk` build by the name `@anthropic-ai/sdk` through Node's real
 * `require`, so the instrumentation's module hook sees it exactly as in an app. `major` 0 uses
 * the 0.x release installed under an alias, linked into a temporary `node_modules/@anthropic-ai/sdk`.
 */
export function requireAnthropic(major: 0 | 1): any {
  if (major === 1) return here('@anthropic-ai/sdk');
  return requireLinked('@anthropic-ai/sdk', dirname(here.resolve('@anthropic-ai/sdk-v0')));
}
