import { diag } from '@opentelemetry/api';
import Module, { createRequire } from 'node:module';
import { dirname, resolve as resolvePath, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  return packageMatcher(packages)(request) !== undefined;
}

const NODE_MODULES = `${sep}node_modules${sep}`;

/** The package a bare specifier names (`@scope/name` or `name`), or the specifier itself. */
function packageOf(request: string): string {
  const slash = request.indexOf('/');
  if (slash < 0) return request;
  if (request.charCodeAt(0) !== 64 /* @ */) return request.slice(0, slash);
  const second = request.indexOf('/', slash + 1);
  return second < 0 ? request : request.slice(0, second);
}

/** Which of `packages` a request names (see {@link requestsPackage}), its strings built once. */
function packageMatcher(packages: readonly string[]): (request: string) => string | undefined {
  const names = new Set(packages);
  const needles = packages.map((name) => [`${NODE_MODULES}${name.split('/').join(sep)}${sep}`, name] as const);
  if (sep !== '/') needles.push(...packages.map((name) => [`/node_modules/${name}/`, name] as const));
  return (request) => {
    const named = packageOf(request);
    if (names.has(named)) return named;
    if (!request.includes('node_modules')) return undefined;
    for (const [needle, name] of needles) if (request.includes(needle)) return name;
    return undefined;
  };
}

/** Whether `request` is relative (`./x`, `../x`, `.`, `..`). */
function isRelative(request: string): boolean {
  if (request.charCodeAt(0) !== 46 /* . */) return false;
  if (request.length === 1) return true;
  const second = request[1];
  if (second === '/' || second === sep) return true;
  if (second !== '.') return false;
  return request.length === 2 || request[2] === '/' || request[2] === sep;
}

/**
 * Runs `fn` when the app first `require`s one of `modules` (or a file in one of those packages),
 * before it is loaded, with the name of that package; then loads it again through `require`, so that what `fn` registered (the
 * instrumentations' require hook) sees and patches it. With `each`, runs `fn` again at the first
 * `require` of each other package of `modules` (the hook creates each client library's
 * instrumentation when that library loads), until every one has loaded. Runs `fn` at once, with
 * no package, when `Module._load` cannot be wrapped.
 *
 * Creating the instrumentations there, rather than when the hook loads, keeps the app's own
 * OpenTelemetry set-up as it would be without the hook: every instrumentation of the process shares
 * one require hook, which remembers each module loaded while it is installed; installed by the
 * hook first, it would remember the Node.js built-ins an app's set-up loads before its SDK
 * registers its instrumentations (the auto-instrumentations load `http`), which then stay
 * unpatched. It also registers the Tokenomics instrumentations after any the app's SDK registered
 * for the same client library: of two patches of one method the later replaces the earlier, so the
 * Tokenomics one stays.
 */
export function atFirstLoadOf(modules: readonly string[], fn: (loaded?: string) => void, each = false): void {
  const loader = Module as unknown as { _load?: unknown; _resolveFilename?: unknown };
  const original = loader._load;
  if (typeof original !== 'function') {
    fn();
    return;
  }
  const packages = packageNames(modules);
  const matches = packageMatcher(packages);
  // By name, or by the file it resolves to (an alias, a path): as the require hook matches modules.
  const wanted = (request: string, parent: unknown): string | undefined => {
    const named = matches(request);
    if (named !== undefined) return named;
    if (Module.isBuiltin(request) || typeof loader._resolveFilename !== 'function') return undefined;
    // A relative request from a file of an installed package (most of what an app loads) names a
    // file among the installed packages: the path tells, without resolving it a second time.
    if (isRelative(request)) {
      const from = (parent as { filename?: unknown } | null | undefined)?.filename;
      if (typeof from === 'string' && from.includes(NODE_MODULES)) return matches(`${resolvePath(dirname(from), request)}${sep}`);
    }
    try {
      const file = (loader._resolveFilename as (r: string, p: unknown, m: boolean) => unknown)(request, parent, false);
      return typeof file === 'string' ? matches(file) : undefined;
    } catch {
      return undefined;
    }
  };
  const ran = new Set<string>();
  const wrapper: Load = function (this: unknown, request, parent, isMain) {
    const loaded = typeof request !== 'string' ? undefined : wanted(request, parent);
    if (loaded === undefined || ran.has(loaded)) return (original as Load).call(this, request, parent, isMain);
    ran.add(loaded);
    if ((!each || ran.size === packages.length) && loader._load === wrapper) loader._load = original;
    try {
      fn(loaded);
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

/** What {@link atFirstImportOf} returns. */
export interface ImportTrigger {
  /**
   * Puts the trigger after the import hooks added since (the app's instrumentations'), so that the
   * instrumentations it creates patch the first client library after them.
   */
  moveToEnd(): void;
}

/** The part of import-in-the-middle's main-thread half used here. */
interface Iitm {
  addHook(hook: ImportHook): void;
  removeHook(hook: ImportHook): void;
}
type ImportHook = (url: string, namespace: unknown, specifier: unknown, format: unknown) => void;

/**
 * Runs `fn` when an ES module of one of `modules` (or a file in one of those packages) that the
 * import-in-the-middle loader wrapped is first evaluated, before its importers run; then offers
 * that module to the hooks `fn` added, so the instrumentations it created patch it (modules
 * imported earlier are offered by import-in-the-middle itself). With `each`, again for the first
 * module of each other package of `modules`. The ESM counterpart of {@link atFirstLoadOf}; runs
 * `fn` at once when import-in-the-middle cannot be loaded.
 */
export function atFirstImportOf(modules: readonly string[], fn: (loaded?: string) => void, each = false): ImportTrigger {
  let iitm: Iitm;
  let importHooks: ImportHook[];
  let toHook: unknown[][];
  try {
    // The copy @opentelemetry/instrumentation uses, whose hooks the instrumentations add.
    const fromInstrumentation = createRequire(require.resolve('@opentelemetry/instrumentation'));
    const index = fromInstrumentation.resolve('import-in-the-middle');
    iitm = fromInstrumentation('import-in-the-middle') as Iitm;
    const registry = createRequire(index)('./lib/register.js') as { importHooks: ImportHook[]; toHook: unknown[][] };
    importHooks = registry.importHooks;
    toHook = registry.toHook;
    if (typeof iitm.addHook !== 'function' || !Array.isArray(importHooks) || !Array.isArray(toHook)) {
      throw new Error('unexpected import-in-the-middle');
    }
  } catch (err) {
    diag.debug('@tokenomics/node: import-in-the-middle could not be loaded; registering the instrumentations now', err);
    fn();
    return { moveToEnd: () => {} };
  }
  const packages = packageNames(modules);
  const matches = packageMatcher(packages);
  const ran = new Set<string>();
  let done = false;
  const hook: ImportHook = (url, namespace, specifier, format) => {
    if (done || typeof url !== 'string' || !url.startsWith('file:')) return;
    let file: string;
    try {
      file = fileURLToPath(url);
    } catch {
      return;
    }
    const loaded = matches(file);
    if (loaded === undefined || ran.has(loaded)) return;
    ran.add(loaded);
    done = !each || ran.size === packages.length;
    const before = importHooks.length;
    try {
      fn(loaded);
    } catch (err) {
      diag.error('@tokenomics/node: registering the instrumentations failed', err);
    }
    // The hooks added just now were offered the modules registered before; the one being
    // registered (not listed yet) is offered here.
    if (!toHook.some((entry) => entry[0] === url)) {
      for (const added of importHooks.slice(before)) added(url, namespace, specifier, format);
    }
    if (done) queueMicrotask(() => iitm.removeHook(hook));
  };
  iitm.addHook(hook);
  return {
    moveToEnd: () => {
      if (done) return;
      iitm.removeHook(hook);
      iitm.addHook(hook);
    },
  };
}
