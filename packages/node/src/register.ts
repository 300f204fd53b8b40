/**
 * CommonJS entry of the hook: `node --require @tokenomics/node/register app.js`.
 * Client libraries loaded with `require` are patched (require-in-the-middle); for ESM apps use
 * `--import @tokenomics/node/register`, which also patches `import`ed ESM builds.
 *
 * @packageDocumentation
 */
import { runRegisterHook } from './register-hook';

runRegisterHook('require');
