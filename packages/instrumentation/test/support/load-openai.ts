import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { requireLinked } from './require-linked';

const here = createRequire(__filename);

/**
 * Loads an `openai` build by the name `openai` through Node's real `require`, so the
 * instrumentation's module hook sees it exactly as in an app. Older majors are installed under
 * aliases (`openai-v4`, `openai-v5`) and linked into a temporary `node_modules/openai`.
 */
export function requireOpenAI(major: 4 | 5 | 6): any {
  if (major === 6) return here('openai');
  return requireLinked('openai', dirname(here.resolve(`openai-v${major}`)));
}
