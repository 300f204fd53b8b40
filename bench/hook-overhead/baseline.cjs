// Preload for before/after runs: the hook as it is, with `@tokenomics/instrumentation` taken from an
// earlier build (HOOK_BENCH_BASELINE: a copy of packages/instrumentation/dist). Requests from inside
// that copy that do not resolve from where it lies resolve as from packages/instrumentation.
const Module = require('node:module');
const { join, resolve, sep } = require('node:path');

const dist = resolve(process.env.HOOK_BENCH_BASELINE);
const index = join(dist, 'index.js');
const fromPackage = Module.createRequire(join(__dirname, '..', '..', 'packages', 'instrumentation', 'package.json'));
const original = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (request === '@tokenomics/instrumentation') return index;
  // The hook's light entry, which loads each library's instrumentation from the same build.
  if (request === '@tokenomics/instrumentation/hook') return join(dist, 'hook.js');
  try {
    return original.call(this, request, parent, ...rest);
  } catch (error) {
    if (parent?.filename?.startsWith(dist + sep)) return fromPackage.resolve(request);
    throw error;
  }
};
// The hook resolves from the end-to-end test package, which depends on @tokenomics/node as an app would.
Module.createRequire(join(__dirname, '..', '..', 'test', 'package.json'))('@tokenomics/node/register');
