/**
 * Node.js gives every CommonJS module the list of `node_modules` folders its `require` searches
 * (`module.paths`), built anew for each module: one new string for every folder from the module's own
 * up to the root. The modules of one package tree list the same folders, so a process holds the same
 * strings many times over. The modules the hook loads (its own and the OpenTelemetry SDK's) list
 * about 2,100 of them (150 KB) in a pnpm install, about a hundred distinct, and more the longer
 * the path it is installed at: pnpm's folders
 * (`node_modules/.pnpm/<package>@<version>/node_modules/<package>/...`) are deep.
 */

/** Each folder name met, as the one string the lists share. Holds what the modules hold anyway. */
const shared = new Map<string, string>();

/**
 * Replaces, in place, each entry of the modules' `paths` by the first equal string met, so that each
 * folder's name is held once. Invisible to the app and to Node.js: the lists keep their identity and
 * their contents, and equal strings cannot be told apart in JavaScript. Skips anything that is not a
 * module's list of strings, and a frozen list. Returns how many entries now share a string; never
 * throws.
 */
export function shareModulePaths(modules: Iterable<unknown>): number {
  let count = 0;
  try {
    for (const module of modules) {
      const paths = (module as { paths?: unknown } | null | undefined)?.paths;
      if (!Array.isArray(paths) || Object.isFrozen(paths)) continue;
      for (let i = 0; i < paths.length; i++) {
        const path: unknown = paths[i];
        if (typeof path !== 'string') continue;
        const first = shared.get(path);
        if (first === undefined) shared.set(path, path);
        else {
          paths[i] = first;
          count++;
        }
      }
    }
  } catch {
    // A list Node.js made read-only some other way: what was shared so far stays shared.
  }
  return count;
}

/** The CommonJS modules loaded so far, in the order they were loaded (none if the cache cannot be read). */
export function loadedModules(): unknown[] {
  try {
    return Object.values(require.cache);
  } catch {
    return [];
  }
}
