// ESM entry of the hook: `node --import @tokenomics/node/register app.mjs`.
// Registers the import-in-the-middle loader hook of @opentelemetry/instrumentation (so `import`ed
// ESM builds of client libraries are patched), then starts the SDK. See dist/register-hook.js.
import { createRequire } from 'node:module';
import { isMainThread } from 'node:worker_threads';

// Worker threads (the loader hooks' thread among them) load nothing: see dist/register-hook.js.
if (isMainThread) {
  const require = createRequire(import.meta.url);
  const { runRegisterHook } = require('./dist/register-hook.js');
  runRegisterHook('import');
}
