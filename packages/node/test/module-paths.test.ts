import { describe, expect, it } from 'vitest';
import { shareModulePaths } from '../src/module-paths';

/** A string equal to `text` but made anew (not a constant of this file). */
const fresh = (text: string) => Buffer.from(text).toString();

describe('shareModulePaths', () => {
  it('keeps every list and its contents, and counts the entries that now share a string met before', () => {
    const root = `/share-${Math.random()}`;
    const folders = (dir: string) => [`${root}${dir}/node_modules`, `${root}/node_modules`, '/node_modules'].map(fresh);
    const a = { paths: folders('/a') };
    const b = { paths: folders('/a') };
    const c = { paths: folders('/c') };
    const lists = [a.paths, b.paths, c.paths];
    const before = lists.map((list) => [...list]);
    // b's three entries are a's; c's last two.
    expect(shareModulePaths([a, b, c])).toBe(5);
    expect([a.paths, b.paths, c.paths]).toEqual(before);
    expect(a.paths).toBe(lists[0]);
    expect(b.paths).toBe(lists[1]);
    expect(c.paths).toBe(lists[2]);
  });

  it('skips what is not a list of strings and frozen lists, and never throws', () => {
    const root = `/skip-${Math.random()}`;
    const frozen = Object.freeze([fresh(`${root}/node_modules`)]);
    const throwing = new Proxy(
      {},
      {
        get() {
          throw new Error('no paths here');
        },
      },
    );
    const odd = { paths: [1, null, fresh(`${root}/node_modules`), { toString: () => `${root}/node_modules` }] };
    const modules = [undefined, null, 42, 'paths', { paths: 'not a list' }, { paths: frozen }, odd];
    expect(shareModulePaths(modules)).toBe(0);
    expect(odd.paths).toEqual([1, null, `${root}/node_modules`, expect.any(Object)]);
    expect(shareModulePaths([{ paths: [fresh(`${root}/node_modules`)] }, throwing])).toBe(1);
  });
});
