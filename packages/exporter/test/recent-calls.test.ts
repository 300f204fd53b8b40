/**
 * The compact table of recently seen GenAI spans behind de-duplication: which spans it keeps, in
 * which order it forgets them, and which parent or child of a span it finds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentCalls } from '../src/recent-calls';

const T1 = '0af7651916cd43dd8448eb211c80319c';
const T2 = '4bf92f3577b34da6a3ce929d0e0e4736';
const id = (n: number) => n.toString(16).padStart(16, '0');
const GPT = ['gpt-4o'];

describe('RecentCalls keeps the most recently seen spans', () => {
  it('forgets the least recently seen span first', () => {
    const recent = new RecentCalls(3);
    for (const n of [1, 2, 3, 4]) recent.remember(T1, id(n), undefined, 10, 1, GPT);
    expect(recent.size).toBe(3);
    // Children of 1 (forgotten) and of 2 (kept) look for their parent.
    expect(recent.findSameCall(T1, id(11), id(1), 10, 1, GPT)).toBeUndefined();
    expect(recent.findSameCall(T1, id(12), id(2), 10, 1, GPT)).toBe(id(2));
  });

  it('moves a span seen again to the newest place, so it outlives spans seen after its first sighting', () => {
    const recent = new RecentCalls(3);
    recent.remember(T1, id(1), undefined, 10, 1, GPT);
    recent.remember(T1, id(2), undefined, 10, 1, GPT);
    recent.remember(T1, id(1), undefined, 10, 1, GPT);
    expect(recent.size).toBe(2);
    recent.remember(T1, id(3), undefined, 10, 1, GPT);
    expect(recent.size).toBe(3);
    // The table holds the spans of its last 3 sightings: 2 is forgotten, 1 (seen again) is not.
    recent.remember(T1, id(4), undefined, 10, 1, GPT);
    expect(recent.size).toBe(3);
    expect(recent.findSameCall(T1, id(12), id(2), 10, 1, GPT)).toBeUndefined();
    expect(recent.findSameCall(T1, id(11), id(1), 10, 1, GPT)).toBe(id(1));
    expect(recent.findSameCall(T1, id(13), id(3), 10, 1, GPT)).toBe(id(3));
    expect(recent.findSameCall(T1, id(14), id(4), 10, 1, GPT)).toBe(id(4));
  });

  it('keeps the totals of the latest sighting of a span seen again', () => {
    const recent = new RecentCalls(4);
    recent.remember(T1, id(1), undefined, 10, 1, GPT);
    recent.remember(T1, id(1), undefined, 20, 2, GPT);
    expect(recent.findSameCall(T1, id(11), id(1), 10, 1, GPT)).toBeUndefined();
    expect(recent.findSameCall(T1, id(11), id(1), 20, 2, GPT)).toBe(id(1));
  });

  it('remembers nothing with capacity 0', () => {
    const recent = new RecentCalls(0);
    recent.remember(T1, id(1), undefined, 10, 1, GPT);
    expect(recent.size).toBe(0);
    expect(recent.findSameCall(T1, id(2), id(1), 10, 1, GPT)).toBeUndefined();
  });

  it('holds only the last span with capacity 1', () => {
    const recent = new RecentCalls(1);
    recent.remember(T1, id(1), undefined, 10, 1, GPT);
    recent.remember(T1, id(1), undefined, 10, 1, GPT);
    expect(recent.size).toBe(1);
    expect(recent.findSameCall(T1, id(11), id(1), 10, 1, GPT)).toBe(id(1));
    recent.remember(T1, id(2), undefined, 10, 1, GPT);
    expect(recent.size).toBe(1);
    expect(recent.findSameCall(T1, id(11), id(1), 10, 1, GPT)).toBeUndefined();
    expect(recent.findSameCall(T1, id(12), id(2), 10, 1, GPT)).toBe(id(2));
  });

  it('clamps a negative, fractional or non-numeric capacity', () => {
    expect(new RecentCalls(-5).capacity).toBe(0);
    expect(new RecentCalls(2.7).capacity).toBe(2);
    expect(new RecentCalls(Number.NaN).capacity).toBe(0);
    expect(new RecentCalls(Infinity).capacity).toBeGreaterThan(1_000_000);
  });

  it('keeps every span while it grows past its first slots, up to capacity', () => {
    const recent = new RecentCalls(300);
    for (let n = 1; n <= 300; n++) recent.remember(T1, id(n), id(1000 + (n % 5)), n, 1, GPT);
    expect(recent.size).toBe(300);
    for (let n = 1; n <= 300; n++) expect(recent.findSameCall(T1, id(5000 + n), id(n), n, 1, GPT)).toBe(id(n));
    for (let p = 0; p < 5; p++) {
      const n = p === 0 ? 5 : p; // the first child of parent 1000 + p
      expect(recent.findSameCall(T1, id(1000 + p), undefined, n, 1, GPT)).toBe(id(n));
    }
  });
});

describe('RecentCalls finds the same call one level up or down', () => {
  it('finds the direct parent of a span and the direct child of a span', () => {
    const recent = new RecentCalls(10);
    recent.remember(T1, id(1), undefined, 1000, 100, GPT);
    recent.remember(T1, id(3), id(2), 500, 50, GPT);
    expect(recent.findSameCall(T1, id(2), id(1), 1000, 100, GPT)).toBe(id(1));
    expect(recent.findSameCall(T1, id(2), id(1), 500, 50, GPT)).toBe(id(3));
  });

  it('finds no grandparent, sibling or span of another trace with the same span ID', () => {
    const recent = new RecentCalls(10);
    recent.remember(T1, id(1), undefined, 10, 1, GPT);
    recent.remember(T1, id(2), id(1), 20, 2, GPT);
    recent.remember(T1, id(4), id(2), 30, 3, GPT);
    expect(recent.findSameCall(T1, id(3), id(2), 10, 1, GPT)).toBeUndefined();
    expect(recent.findSameCall(T1, id(5), id(2), 30, 3, GPT)).toBeUndefined();
    expect(recent.findSameCall(T2, id(9), id(1), 10, 1, GPT)).toBeUndefined();
    expect(recent.findSameCall(T2, id(1), undefined, 20, 2, GPT)).toBeUndefined();
  });

  it('needs equal input and output totals and, when both name models, a model in common', () => {
    const recent = new RecentCalls(10);
    recent.remember(T1, id(1), undefined, 10, 1, ['gpt-4o', 'gpt-4o-2024-08-06']);
    recent.remember(T1, id(2), undefined, 10, 1, []);
    expect(recent.findSameCall(T1, id(9), id(1), 10, 2, GPT)).toBeUndefined();
    expect(recent.findSameCall(T1, id(9), id(1), 11, 1, GPT)).toBeUndefined();
    expect(recent.findSameCall(T1, id(9), id(1), 10, 1, ['o4-mini'])).toBeUndefined();
    expect(recent.findSameCall(T1, id(9), id(1), 10, 1, ['gpt-4o-2024-08-06'])).toBe(id(1));
    expect(recent.findSameCall(T1, id(9), id(1), 10, 1, [])).toBe(id(1));
    expect(recent.findSameCall(T1, id(9), id(2), 10, 1, ['o4-mini'])).toBe(id(2));
  });

  it('prefers the parent, then the least recently seen matching child', () => {
    const recent = new RecentCalls(10);
    recent.remember(T1, id(1), undefined, 10, 1, GPT);
    recent.remember(T1, id(3), id(2), 10, 1, GPT);
    recent.remember(T1, id(4), id(2), 10, 1, GPT);
    expect(recent.findSameCall(T1, id(2), id(1), 10, 1, GPT)).toBe(id(1));
    expect(recent.findSameCall(T1, id(2), undefined, 10, 1, GPT)).toBe(id(3));
  });

  it('finds spans whose IDs share one hash bucket, and forgets them in order', () => {
    // One bucket per index: every span collides with every other.
    const recent = new RecentCalls(4, 0);
    for (const n of [1, 2, 3, 4]) recent.remember(T1, id(n), id(100 + n), n, 1, GPT);
    for (const n of [1, 2, 3, 4]) {
      expect(recent.findSameCall(T1, id(50), id(n), n, 1, GPT)).toBe(id(n));
      expect(recent.findSameCall(T1, id(100 + n), undefined, n, 1, GPT)).toBe(id(n));
    }
    recent.remember(T1, id(5), id(105), 5, 1, GPT);
    recent.remember(T1, id(2), id(102), 2, 1, GPT);
    expect(recent.size).toBe(4);
    expect(recent.findSameCall(T1, id(50), id(1), 1, 1, GPT)).toBeUndefined();
    expect(recent.findSameCall(T1, id(101), undefined, 1, 1, GPT)).toBeUndefined();
    for (const n of [2, 3, 4, 5]) expect(recent.findSameCall(T1, id(100 + n), undefined, n, 1, GPT)).toBe(id(n));
  });
});

describe('RecentCalls with IDs that are not lowercase hex', () => {
  it('matches IDs of any other form by their exact string', () => {
    const recent = new RecentCalls(10);
    recent.remember('trace-a', 'span/1', undefined, 10, 1, GPT);
    recent.remember('trace-a', 'span/3', 'span/2', 20, 2, GPT);
    expect(recent.findSameCall('trace-a', 'span/2', 'span/1', 10, 1, GPT)).toBe('span/1');
    expect(recent.findSameCall('trace-a', 'span/2', undefined, 20, 2, GPT)).toBe('span/3');
    expect(recent.findSameCall('trace-b', 'span/2', 'span/1', 10, 1, GPT)).toBeUndefined();
  });

  it('keeps upper-case hex IDs as they are (they match only the same string)', () => {
    const recent = new RecentCalls(10);
    recent.remember(T1.toUpperCase(), '00F067AA0BA902B7', undefined, 10, 1, GPT);
    expect(recent.findSameCall(T1.toUpperCase(), id(9), '00F067AA0BA902B7', 10, 1, GPT)).toBe('00F067AA0BA902B7');
    expect(recent.findSameCall(T1, id(9), '00f067aa0ba902b7', 10, 1, GPT)).toBeUndefined();
  });

  it('pairs a hex span with an odd parent ID and the other way round', () => {
    const recent = new RecentCalls(10);
    recent.remember(T1, id(1), 'odd-parent', 10, 1, GPT);
    recent.remember('odd-trace', 'x', undefined, 20, 2, GPT);
    expect(recent.findSameCall(T1, 'odd-parent', undefined, 10, 1, GPT)).toBe(id(1));
    expect(recent.findSameCall('odd-trace', id(7), 'x', 20, 2, GPT)).toBe('x');
  });

  it('never throws on empty, over-long or non-string IDs', () => {
    const recent = new RecentCalls(3);
    const weird = ['', 'z'.repeat(10_000), '0af7651916cd43dd8448eb211c80319', 'g'.repeat(16), '\u00e9'.repeat(16)];
    for (const w of weird) recent.remember(w, w, w, 1, 1, GPT);
    recent.remember(undefined as unknown as string, 5 as unknown as string, {} as unknown as string, 1, 1, GPT);
    expect(recent.size).toBe(3);
    expect(recent.findSameCall('\u00e9'.repeat(16), 'child', '\u00e9'.repeat(16), 1, 1, GPT)).toBe('\u00e9'.repeat(16));
    expect(recent.findSameCall(null as unknown as string, 'c', 'p', 1, 1, GPT)).toBeUndefined();
  });
});

/**
 * The behaviour of the table, written plainly: it holds the spans of its last `capacity`
 * sightings (a span seen again counts from its latest sighting), in the order last seen.
 */
/** One span as the table is told of it. */
interface Sighting {
  trace: string;
  span: string;
  parent: string | undefined;
  input: number;
  output: number;
  models: readonly string[];
}

class PlainRecentCalls {
  private held: (Sighting & { seen: number })[] = [];
  private sightings = 0;
  constructor(private readonly capacity: number) {}
  get size() {
    return this.held.length;
  }
  remember(trace: string, span: string, parent: string | undefined, input: number, output: number, models: readonly string[]) {
    if (this.capacity <= 0) return;
    const seen = ++this.sightings;
    this.held = this.held.filter((c) => !(c.trace === trace && c.span === span) && c.seen > seen - this.capacity);
    this.held.push({ trace, span, parent: parent || undefined, input, output, models, seen });
  }
  findSameCall(trace: string, span: string, parent: string | undefined, input: number, output: number, models: readonly string[]) {
    const same = (c: (typeof this.held)[number]) =>
      c.input === input &&
      c.output === output &&
      (c.models.length === 0 || models.length === 0 || c.models.some((m) => models.includes(m)));
    if (parent) {
      const p = this.held.find((c) => c.trace === trace && c.span === parent);
      if (p !== undefined && same(p)) return p.span;
    }
    return this.held.find((c) => c.trace === trace && c.parent === span && same(c))?.span;
  }
}

/** One sighting, look-up or both, applied to the table and the plain list; their answers must agree. */
function applyToBoth(table: RecentCalls, plain: PlainRecentCalls, o: Sighting & { kind: 'find' | 'remember' | 'both' }): void {
  const args = [o.trace, o.span, o.parent, o.input, o.output, o.models] as const;
  if (o.kind === 'find') {
    expect(table.findSameCall(...args)).toBe(plain.findSameCall(...args));
  } else if (o.kind === 'remember') {
    table.remember(...args);
    plain.remember(...args);
  } else {
    const same = plain.findSameCall(...args);
    if (same === undefined) plain.remember(...args);
    expect(table.rememberUnlessSameCall(...args)).toBe(same);
  }
}

describe('RecentCalls behaves as the plain list of spans last seen', () => {
  // Few distinct IDs (hex and not), few totals, tiny capacities and few buckets: collisions,
  // re-sightings, evictions and parent/child pairs are frequent.
  const trace = fc.constantFrom(T1, T2, 'TRACE');
  const span = fc.constantFrom(id(1), id(2), id(3), id(4), id(5), 'S6', '00000000000000A7');
  const parent = fc.option(span, { nil: undefined });
  const totals = fc.constantFrom(1, 2);
  const models = fc.constantFrom<readonly string[]>([], ['a'], ['b'], ['a', 'b']);
  const op = fc.record({ kind: fc.constantFrom('find', 'remember', 'both'), trace, span, parent, input: totals, output: totals, models });

  it('gives the same answers as the plain list for any sequence of sightings, look-ups and both at once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(op, { maxLength: 80 }),
        (capacity, bits, ops) => {
          const table = new RecentCalls(capacity, bits);
          const plain = new PlainRecentCalls(capacity);
          for (const o of ops) {
            applyToBoth(table, plain, o);
            expect(table.size).toBe(plain.size);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
  it('gives the same answers as the plain list when its size is read only now and then', () => {
    // Spans remembered since the last look-up are indexed by the next one (or by reading the size):
    // runs of sightings with no look-up in between, past capacity, re-sighted spans among them.
    const sizeOp = fc.record({ kind: fc.constant('size' as const) });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.oneof({ arbitrary: op, weight: 6 }, { arbitrary: sizeOp, weight: 1 }), { maxLength: 80 }),
        (capacity, bits, ops) => {
          const table = new RecentCalls(capacity, bits);
          const plain = new PlainRecentCalls(capacity);
          for (const o of ops) {
            if (o.kind === 'size') expect(table.size).toBe(plain.size);
            else applyToBoth(table, plain, o);
          }
          expect(table.size).toBe(plain.size);
        },
      ),
      { numRuns: 1000 },
    );
  });
  it('gives the same answers as the plain list while it grows past its first slots', () => {
    const manySpans = fc.oneof(fc.integer({ min: 1, max: 150 }).map(id), fc.constantFrom('S6', '00000000000000A7'));
    const manyOp = fc.record({
      kind: fc.constantFrom('find', 'remember', 'both', 'both'),
      trace: fc.constantFrom(T1, T2),
      span: manySpans,
      parent: fc.option(manySpans, { nil: undefined }),
      input: totals,
      output: totals,
      models,
    });
    fc.assert(
      fc.property(fc.integer({ min: 60, max: 140 }), fc.array(manyOp, { minLength: 100, maxLength: 400 }), (capacity, ops) => {
        const table = new RecentCalls(capacity);
        const plain = new PlainRecentCalls(capacity);
        for (const o of ops) applyToBoth(table, plain, o);
        expect(table.size).toBe(plain.size);
      }),
      { numRuns: 100 },
    );
  });
});
