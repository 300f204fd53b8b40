/**
 * CommonJS entry of the hook: `node --require @tokenomics/node/register app.js`.
 * Client libraries loaded with `require` are patched (require-in-the-middle); for ESM apps use
 * `--import @tokenomics/node/register`, which also patches `import`ed ESM builds.
 *
 * @packageDocumentation
 */
import { isMainThread } from 'node:worker_threads';

// Node.js applies --require to worker threads too (the token worker among them): load nothing there.
if (isMainThread) (require('./register-hook') as typeof import('./register-hook')).runRegisterHook('require');
