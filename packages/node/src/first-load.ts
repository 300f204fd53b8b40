import { diag } from '@opentelemetry/api';
import Module from 'node:module';
import { sep } from 'node:path';

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;

/** The package names in `modules` (`@scope/name` or `name`, without subpaths). */
function packageNames(modules: readonly string[]): string[] {
  const names = modules.map((m) =>
    m
      .split('/')
      .slice(0, m.startsWith('@') ? 2 : 1)
      .join('/'),
  );
  return [...new Set(names)];
}

/** Whether `request` (a bare specifier or a file path) names one of `packages` or a file in it. */
export function requestsPackage(request: string, packages: readonly string[]): boolean {
  for (const name of packages) {
    if (request === name || request.startsWith(`${name}/`)) return true;
    if (request.includes(`${sep}node_modules${sep}${name.split('/').join(sep)}${sep}`)) return true;
    if (sep !== '/' && request.includes(`/node_modules/${name}/`)) return true;
  }
  return false;
}

/**
 * Runs `fn` when the app first `require`s one of `modules` (or a file in one of those packages),
 * before it is loaded; then loads it again through `require`, so that what `fn` registered (the
 * instrumentations' require hook) sees and patches it. Runs `fn` at once when `Module._load`
 * cannot be wrapped.
 *
 * Creating the instrumentations there, rather than when the hook loads, keeps the app's own
 * OpenTelemetry set-up as it would be without the hook: every instrumentation of the process shares
 * one require hook, which remembers each module loaded while it is installed; installed by the
 * hook first, it would remember the Node.js built-ins an app's set-up loads before its SDK
 * registers its instrumentations (the auto-instrumentations load `http`), which then stay
 * unpatched. It also registers the Tokenomics instrumentations after any the app's SDK registered
 * for the same client library, so that theirs is the patch that stays.
 */
export function atFirstLoadOf(modules: readonly string[], fn: () => void): void {
  const loader = Module as unknown as { _load?: unknown; _resolveFilename?: unknown };
  const original = loader._load;
  if (typeof original !== 'function') {
    fn();
    return;
  }
  const packages = packageNames(modules);
  // By name, or by the file it resolves to (an alias, a path): as the require hook matches modules.
  const wanted = (request: string, parent: unknown): boolean => {
    if (requestsPackage(request, packages)) return true;
    if (Module.isBuiltin(request) || typeof loader._resolveFilename !== 'function') return false;
    try {
      const file = (loader._resolveFilename as (r: string, p: unknown, m: boolean) => unknown)(request, parent, false);
      return typeof file === 'string' && requestsPackage(file, packages);
    } catch {
      return false;
    }
  };
  let ran = false;
  const wrapper: Load = function (this: unknown, request, parent, isMain) {
    if (ran || typeof request !== 'string' || !wanted(request, parent)) {
      return (original as Load).call(this, request, parent, isMain);
    }
    ran = true;
    if (loader._load === wrapper) loader._load = original;
    try {
      fn();
    } catch (err) {
      diag.error('@tokenomics/node: registering the instrumentations failed', err);
    }
    // Through `require` again, now with the instrumentations' hook in front of it.
    const requireFrom = (parent as { require?: unknown } | null | undefined)?.require;
    if (typeof requireFrom === 'function') return (requireFrom as (id: string) => unknown).call(parent, request);
    return (original as Load).call(this, request, parent, isMain);
  };
  try {
    loader._load = wrapper;
  } catch {
    fn();
  }
}
