/**
 * "Did you mean" for override files: the listed name closest to a misspelt one, by edit distance
 * (insertions, deletions, substitutions and swaps of two neighbouring characters each count 1).
 */

/** Three reused rows of the distance table (names are short; they grow when needed). */
const rows = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

/** Edit distance of `a` and `b` (optimal string alignment), or `cap + 1` once it exceeds `cap`. */
export function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  const n = b.length;
  if (rows[0].length <= n) for (let k = 0; k < 3; k++) rows[k] = new Int32Array(n * 2 + 2);
  let [prev2, prev, row] = rows;
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let best = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const bj = b.charCodeAt(j - 1);
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ai === bj ? 0 : 1));
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) d = Math.min(d, prev2[j - 2] + 1);
      row[j] = d;
      if (d < best) best = d;
    }
    if (best > cap) return cap + 1;
    const spare = prev2;
    prev2 = prev;
    prev = row;
    row = spare;
  }
  return Math.min(prev[n], cap + 1);
}

/** How far a name may be from a listed one to count as near: 1 edit for short names, 2 from 6 characters. */
export function nearLimit(name: string): number {
  return name.length >= 6 ? 2 : 1;
}

/**
 * The candidate nearest to `name` (case-insensitive), within `nearLimit(name)` edits and not equal
 * to it; ties go to the first candidate. `lowerCandidates`, when given, holds the candidates
 * lower-cased, in the same order.
 */
export function nearest(name: string, candidates: Iterable<string>, lowerCandidates?: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const cap = nearLimit(lower);
  let best: string | undefined;
  let bestDistance = cap + 1;
  let i = 0;
  for (const c of candidates) {
    const lc = lowerCandidates?.[i++];
    if (Math.abs(c.length - lower.length) > cap) continue;
    const d = editDistance(lower, lc ?? c.toLowerCase(), cap);
    if (d > 0 && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * A glob written like one of `ids`: its literal head (before the first `*` or `?`) is replaced by
 * the nearest head of the same length among `ids`. `undefined` when nothing is near.
 */
export function nearestGlob(glob: string, ids: Iterable<string>): string | undefined {
  const at = glob.search(/[*?]/);
  if (at < 0) return nearest(glob, ids);
  const head = glob.slice(0, at);
  if (head.length < 3) return undefined;
  const heads = new Set<string>();
  for (const id of ids) if (id.length >= head.length) heads.add(id.slice(0, head.length).toLowerCase());
  const near = nearest(head, heads);
  return near === undefined ? undefined : near + glob.slice(at);
}

/**
 * Whether two names differ only in version numbering: digits and the separators `-`, `.`, `_`
 * (`gpt-5.1` / `gpt-5.2`, `claude-haiku-5` / `claude-haiku-4-5`). Likely a new version, not a typo.
 */
export function differOnlyInNumbering(a: string, b: string): boolean {
  const letters = (s: string) => s.toLowerCase().replace(/[\d._-]+/g, '');
  return letters(a) === letters(b);
}

/** ` (did you mean "x"?)`, or nothing. */
export function didYouMean(suggestion: string | undefined): string {
  return suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
}
