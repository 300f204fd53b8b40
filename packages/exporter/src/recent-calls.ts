/**
 * The most recently seen GenAI spans, kept to spot a second span of the same call, in a compact
 * table: one slot per span in typed arrays, no object and no string built per span remembered.
 */

/** Slot flags. */
const USED = 1;
const HAS_PARENT = 2;
/** The trace, span or parent ID is not 32 or 16 lowercase hex digits: it is kept as its string. */
const ODD_TRACE = 4;
const ODD_SPAN = 8;
const ODD_PARENT = 16;
/** The slot is linked into the hash indexes (see `index`). */
const INDEXED = 32;

const NONE = -1;
const FIRST_SLOTS = 64;
/** Upper bound of the capacity (a larger or infinite option is clamped to it). */
export const MAX_RECENT_CALLS = 1 << 24;
const NO_MODELS: readonly string[] = Object.freeze([]);

/**
 * The most recently seen GenAI spans, at most `capacity` of them, in the order they were seen: the
 * least recently seen span is forgotten first, and a span seen again moves to the newest place.
 * {@link findSameCall} finds the direct parent or a direct child of a call that describes the same
 * model call, in constant time for the parent and in time proportional to the span's children for
 * the children.
 *
 * Each span takes one slot of a ring of typed arrays: its trace, span and parent IDs parsed from
 * their hex, its input and output totals, and a reference to its (shared, frozen) model list. Two
 * chained hash indexes over the slots (by trace and span ID, and by trace and parent span ID) are
 * typed arrays too; a collision in either is resolved by comparing the full IDs. An ID that is not
 * 32 (trace) or 16 (span) lowercase hex digits is kept as its string in the slot, and matches only
 * the same string, as any ID does. The slots grow by doubling up to `capacity`; memory is bounded by
 * `capacity` whatever the traffic. Never throws on any ID or count.
 *
 * Remembering a span only parses its IDs into the next slot; the slots remembered since the last
 * look-up are hashed and linked into the indexes, in the order they were seen, by the next look-up
 * (or `size`). A process whose spans are all remembered and never looked up (the hook's own,
 * already-priced spans with no other instrumentation's span of the same call) never hashes them.
 */
export class RecentCalls {
  /** The most spans held. */
  readonly capacity: number;
  private readonly maxBuckets: number;
  private readonly seed: number;
  /** Slots allocated so far (up to `capacity`). */
  private slots = 0;
  /** The slot the next span goes to; the slot of the least recently seen span once the ring is full. */
  private next = 0;
  /** Slots in use, the ones not yet indexed included. */
  private count = 0;
  /** Slots written since the last `index` (the newest ones, up to `capacity`), not yet indexed. */
  private unindexed = 0;

  private flags = new Uint8Array(0);
  private traceIds = new Uint32Array(0);
  private spanIds = new Uint32Array(0);
  private parentIds = new Uint32Array(0);
  /** Input and output totals, two per slot. */
  private totals = new Float64Array(0);
  private models: (readonly string[])[] = [];
  /** Hash of (trace, span) and of (trace, parent) of each slot. */
  private idHashes = new Int32Array(0);
  private parentHashes = new Int32Array(0);
  /** Next slot in the same (trace, span) bucket. */
  private idNext = new Int32Array(0);
  /** Next and previous slot in the same (trace, parent) bucket. */
  private parentNext = new Int32Array(0);
  private parentPrev = new Int32Array(0);
  private idHeads = new Int32Array(0);
  private parentHeads = new Int32Array(0);
  private mask = 0;
  /** IDs kept as strings (see `ODD_*`), allocated when the first one is seen. */
  private oddTraces: (string | undefined)[] | undefined;
  private oddSpans: (string | undefined)[] | undefined;
  private oddParents: (string | undefined)[] | undefined;

  // The span being remembered or looked up, parsed once.
  private readonly qTrace = new Uint32Array(4);
  private readonly qSpan = new Uint32Array(2);
  private readonly qParent = new Uint32Array(2);
  private qFlags = 0;
  private qTraceId = '';
  private qSpanId = '';
  private qParentId = '';
  private qTraceHash = 0;

  /**
   * @param capacity - the most spans held; 0 (or less) remembers nothing.
   * @param bucketBits - at most 2^bucketBits hash buckets per index (internal: a small value makes
   * IDs collide, for tests).
   */
  constructor(capacity: number, bucketBits = 30) {
    const n = Number.isNaN(capacity) ? 0 : Math.floor(capacity);
    this.capacity = n <= 0 ? 0 : Math.min(n, MAX_RECENT_CALLS);
    this.maxBuckets = 2 ** Math.max(0, Math.min(30, Math.floor(bucketBits)));
    this.seed = (Math.random() * 0x1_0000_0000) | 0;
  }

  /** Number of spans held. */
  get size(): number {
    this.index();
    return this.count;
  }

  /**
   * Remember a span with its input and output totals and model list, forgetting the least recently
   * seen one beyond capacity. A span already held moves to the newest place.
   */
  remember(
    traceId: string,
    spanId: string,
    parentSpanId: string | undefined,
    inputTokens: number,
    outputTokens: number,
    models: readonly string[],
  ): void {
    if (this.capacity === 0 || !this.load(traceId, spanId, parentSpanId)) return;
    this.write(inputTokens, outputTokens, models);
    this.clearQuery();
  }

  /**
   * {@link findSameCall}, and when it finds nothing, {@link remember}: the IDs are read once.
   * Returns the span ID found.
   */
  rememberUnlessSameCall(
    traceId: string,
    spanId: string,
    parentSpanId: string | undefined,
    inputTokens: number,
    outputTokens: number,
    models: readonly string[],
  ): string | undefined {
    if (this.capacity === 0) return undefined;
    this.index();
    if (!this.load(traceId, spanId, parentSpanId)) return undefined;
    const found = this.count === 0 ? NONE : this.findQuery(inputTokens, outputTokens, models);
    if (found === NONE) this.write(inputTokens, outputTokens, models);
    this.clearQuery();
    return found === NONE ? undefined : this.spanIdOf(found);
  }

  /**
   * Writes the loaded query span to the next slot, forgetting the span it held; the slot is
   * indexed by the next `index`.
   */
  private write(inputTokens: number, outputTokens: number, models: readonly string[]): void {
    let slot = this.next;
    if (slot === this.slots) this.grow();
    if ((this.flags[slot] & USED) !== 0) this.forget(slot);
    const flags = this.qFlags | USED;
    this.flags[slot] = flags;
    if ((flags & ODD_TRACE) !== 0) this.odd('trace')[slot] = this.qTraceId;
    else {
      const t = this.traceIds;
      const q = this.qTrace;
      const i = 4 * slot;
      t[i] = q[0];
      t[i + 1] = q[1];
      t[i + 2] = q[2];
      t[i + 3] = q[3];
    }
    if ((flags & ODD_SPAN) !== 0) this.odd('span')[slot] = this.qSpanId;
    else {
      this.spanIds[2 * slot] = this.qSpan[0];
      this.spanIds[2 * slot + 1] = this.qSpan[1];
    }
    if ((flags & ODD_PARENT) !== 0) this.odd('parent')[slot] = this.qParentId;
    else if ((flags & HAS_PARENT) !== 0) {
      this.parentIds[2 * slot] = this.qParent[0];
      this.parentIds[2 * slot + 1] = this.qParent[1];
    }
    this.totals[2 * slot] = inputTokens;
    this.totals[2 * slot + 1] = outputTokens;
    this.models[slot] = models;
    this.count++;
    if (this.unindexed < this.capacity) this.unindexed++;
    slot++;
    this.next = slot === this.capacity ? 0 : slot;
  }

  /**
   * Links the slots written since the last call into the indexes, oldest first, as if each had
   * been linked when it was written: a span held in an older slot is forgotten, so a span seen
   * again keeps only its newest place.
   */
  private index(): void {
    let n = this.unindexed;
    if (n === 0) return;
    this.unindexed = 0;
    let s = this.next - n;
    if (s < 0) s += this.capacity;
    for (; n > 0; n--) {
      if ((this.flags[s] & (USED | INDEXED)) === USED) this.link(s);
      if (++s === this.capacity) s = 0;
    }
    this.clearQuery();
  }

  /** Links slot `s` into both indexes, forgetting an older slot of the same span. */
  private link(s: number): void {
    const flags = this.flags[s];
    // The slot becomes the query: its IDs and their hashes.
    this.qFlags = flags & (HAS_PARENT | ODD_TRACE | ODD_SPAN | ODD_PARENT);
    if ((flags & ODD_TRACE) !== 0) this.qTraceId = this.oddTraces![s]!;
    else {
      const q = this.qTrace;
      const i = 4 * s;
      q[0] = this.traceIds[i];
      q[1] = this.traceIds[i + 1];
      q[2] = this.traceIds[i + 2];
      q[3] = this.traceIds[i + 3];
    }
    if ((flags & ODD_SPAN) !== 0) this.qSpanId = this.oddSpans![s]!;
    else {
      this.qSpan[0] = this.spanIds[2 * s];
      this.qSpan[1] = this.spanIds[2 * s + 1];
    }
    const idHash = this.keyHash(this.hashQuery());
    const held = this.findById(idHash, this.qSpan, ODD_SPAN, this.qSpanId);
    if (held !== NONE) this.forget(held);
    this.flags[s] = flags | INDEXED;
    this.idHashes[s] = idHash;
    this.linkId(s);
    if ((flags & HAS_PARENT) !== 0) {
      const parentHash = (flags & ODD_PARENT) !== 0 ? hashString(this.oddParents![s]!) : hashWords(this.parentIds, 2, 2 * s);
      this.parentHashes[s] = this.keyHash(parentHash);
      this.linkParent(s);
    }
  }

  /**
   * The span ID of a remembered span that is the direct parent or a direct child of the given span
   * (same trace) and describes the same model call: identical input and output totals and, when
   * both name models, a model in common. The parent is preferred; among children, the least
   * recently seen.
   */
  findSameCall(
    traceId: string,
    spanId: string,
    parentSpanId: string | undefined,
    inputTokens: number,
    outputTokens: number,
    models: readonly string[],
  ): string | undefined {
    if (this.count === 0) return undefined;
    this.index();
    if (!this.load(traceId, spanId, parentSpanId)) return undefined;
    const found = this.findQuery(inputTokens, outputTokens, models);
    this.clearQuery();
    return found === NONE ? undefined : this.spanIdOf(found);
  }

  /** The slot of the loaded query span's parent or child describing the same call, or `NONE`. */
  private findQuery(inputTokens: number, outputTokens: number, models: readonly string[]): number {
    const spanHash = this.hashQuery();
    let found = NONE;
    if ((this.qFlags & HAS_PARENT) !== 0) {
      const odd = (this.qFlags & ODD_PARENT) !== 0;
      const parent = this.findById(
        this.keyHash(odd ? hashString(this.qParentId) : hashWords(this.qParent, 2)),
        this.qParent,
        ODD_PARENT,
        this.qParentId,
      );
      if (parent !== NONE && this.sameCall(parent, inputTokens, outputTokens, models)) found = parent;
    }
    if (found === NONE) {
      const hash = this.keyHash(spanHash);
      for (let s = this.parentHeads[hash & this.mask]; s !== NONE; s = this.parentNext[s]) {
        if (this.parentHashes[s] === hash && this.parentIs(s) && this.sameCall(s, inputTokens, outputTokens, models)) found = s;
      }
    }
    return found;
  }

  /** Hashes the loaded query's IDs: sets the trace's hash, returns the span's. */
  private hashQuery(): number {
    const flags = this.qFlags;
    this.qTraceHash = (flags & ODD_TRACE) !== 0 ? hashString(this.qTraceId) : hashWords(this.qTrace, 4);
    return (flags & ODD_SPAN) !== 0 ? hashString(this.qSpanId) : hashWords(this.qSpan, 2);
  }

  /**
   * Parses the span's IDs into the query fields (their hashes are computed where the query is
   * looked up or linked); `false` when it has no usable trace or span ID.
   */
  private load(traceId: string, spanId: string, parentSpanId: string | undefined): boolean {
    if (typeof traceId !== 'string' || typeof spanId !== 'string') return false;
    let flags = 0;
    if (!parseHex(traceId, 4, this.qTrace)) {
      flags |= ODD_TRACE;
      this.qTraceId = traceId;
    }
    if (!parseHex(spanId, 2, this.qSpan)) {
      flags |= ODD_SPAN;
      this.qSpanId = spanId;
    }
    if (typeof parentSpanId === 'string' && parentSpanId.length > 0) {
      flags |= HAS_PARENT;
      if (!parseHex(parentSpanId, 2, this.qParent)) {
        flags |= ODD_PARENT;
        this.qParentId = parentSpanId;
      }
    }
    this.qFlags = flags;
    return true;
  }

  /** Drops the query's strings, so the table holds no ID it does not store. */
  private clearQuery(): void {
    this.qTraceId = this.qSpanId = this.qParentId = '';
  }

  /** Hash of the query's trace with a span ID of hash `idHash`. */
  private keyHash(idHash: number): number {
    return fmix(Math.imul(this.qTraceHash ^ this.seed, 0x9e3779b1) + idHash);
  }

  /** The slot holding the query's trace with the span ID in `words` (or `odd` string). */
  private findById(hash: number, words: Uint32Array, oddFlag: number, odd: string): number {
    for (let s = this.idHeads[hash & this.mask]; s !== NONE; s = this.idNext[s]) {
      if (this.idHashes[s] !== hash || !this.sameTrace(s)) continue;
      const flags = this.flags[s];
      const queryOdd = (this.qFlags & oddFlag) !== 0;
      if ((flags & ODD_SPAN) !== 0) {
        if (queryOdd && this.oddSpans![s] === odd) return s;
      } else if (!queryOdd && this.spanIds[2 * s] === words[0] && this.spanIds[2 * s + 1] === words[1]) {
        return s;
      }
    }
    return NONE;
  }

  private sameTrace(s: number): boolean {
    const odd = (this.flags[s] & ODD_TRACE) !== 0;
    if (odd !== ((this.qFlags & ODD_TRACE) !== 0)) return false;
    if (odd) return this.oddTraces![s] === this.qTraceId;
    const t = this.traceIds;
    const q = this.qTrace;
    const i = 4 * s;
    return t[i] === q[0] && t[i + 1] === q[1] && t[i + 2] === q[2] && t[i + 3] === q[3];
  }

  /** Whether slot `s` is a child of the query span (same trace, parent ID equal to its span ID). */
  private parentIs(s: number): boolean {
    const flags = this.flags[s];
    if ((flags & HAS_PARENT) === 0 || !this.sameTrace(s)) return false;
    const odd = (flags & ODD_PARENT) !== 0;
    if (odd !== ((this.qFlags & ODD_SPAN) !== 0)) return false;
    if (odd) return this.oddParents![s] === this.qSpanId;
    return this.parentIds[2 * s] === this.qSpan[0] && this.parentIds[2 * s + 1] === this.qSpan[1];
  }

  private sameCall(s: number, input: number, output: number, models: readonly string[]): boolean {
    if (!sameNumber(this.totals[2 * s], input) || !sameNumber(this.totals[2 * s + 1], output)) return false;
    const held = this.models[s];
    if (held.length === 0 || models.length === 0) return true;
    for (const model of held) if (models.includes(model)) return true;
    return false;
  }

  private spanIdOf(s: number): string {
    if ((this.flags[s] & ODD_SPAN) !== 0) return this.oddSpans![s]!;
    return hex8(this.spanIds[2 * s]) + hex8(this.spanIds[2 * s + 1]);
  }

  private linkId(s: number): void {
    const b = this.idHashes[s] & this.mask;
    this.idNext[s] = this.idHeads[b];
    this.idHeads[b] = s;
  }

  private linkParent(s: number): void {
    const b = this.parentHashes[s] & this.mask;
    const head = this.parentHeads[b];
    this.parentNext[s] = head;
    this.parentPrev[s] = NONE;
    if (head !== NONE) this.parentPrev[head] = s;
    this.parentHeads[b] = s;
  }

  /** Forgets slot `s`, unlinking it from the indexes if it is linked. */
  private forget(s: number): void {
    const flags = this.flags[s];
    if ((flags & INDEXED) !== 0) this.unlink(s, flags);
    if ((flags & ODD_TRACE) !== 0) this.oddTraces![s] = undefined;
    if ((flags & ODD_SPAN) !== 0) this.oddSpans![s] = undefined;
    if ((flags & ODD_PARENT) !== 0) this.oddParents![s] = undefined;
    this.models[s] = NO_MODELS;
    this.flags[s] = 0;
    this.count--;
  }

  /** Unlinks slot `s` from both indexes. */
  private unlink(s: number, flags: number): void {
    const b = this.idHashes[s] & this.mask;
    let prev = NONE;
    for (let c = this.idHeads[b]; c !== NONE; prev = c, c = this.idNext[c]) {
      if (c !== s) continue;
      if (prev === NONE) this.idHeads[b] = this.idNext[s];
      else this.idNext[prev] = this.idNext[s];
      break;
    }
    if ((flags & HAS_PARENT) !== 0) {
      const before = this.parentPrev[s];
      const after = this.parentNext[s];
      if (before === NONE) this.parentHeads[this.parentHashes[s] & this.mask] = after;
      else this.parentNext[before] = after;
      if (after !== NONE) this.parentPrev[after] = before;
    }
  }

  /** The string column of one ID, allocated on first use. */
  private odd(column: 'trace' | 'span' | 'parent'): (string | undefined)[] {
    const make = () => new Array<string | undefined>(this.slots).fill(undefined);
    if (column === 'trace') return (this.oddTraces ??= make());
    if (column === 'span') return (this.oddSpans ??= make());
    return (this.oddParents ??= make());
  }

  /**
   * More slots, up to `capacity` (only while the ring has not yet wrapped round, so slots keep their
   * place), and as many buckets per index as slots (up to the bucket bound), re-linked in the order
   * the slots were filled.
   */
  private grow(): void {
    const old = this.slots;
    const n = Math.min(this.capacity, Math.max(FIRST_SLOTS, 2 * old));
    this.slots = n;
    this.flags = grown(this.flags, new Uint8Array(n));
    this.traceIds = grown(this.traceIds, new Uint32Array(4 * n));
    this.spanIds = grown(this.spanIds, new Uint32Array(2 * n));
    this.parentIds = grown(this.parentIds, new Uint32Array(2 * n));
    this.totals = grown(this.totals, new Float64Array(2 * n));
    this.idHashes = grown(this.idHashes, new Int32Array(n));
    this.parentHashes = grown(this.parentHashes, new Int32Array(n));
    this.idNext = new Int32Array(n);
    this.parentNext = new Int32Array(n);
    this.parentPrev = new Int32Array(n);
    for (let s = old; s < n; s++) this.models.push(NO_MODELS);
    if (this.oddTraces !== undefined) for (let s = old; s < n; s++) this.oddTraces.push(undefined);
    if (this.oddSpans !== undefined) for (let s = old; s < n; s++) this.oddSpans.push(undefined);
    if (this.oddParents !== undefined) for (let s = old; s < n; s++) this.oddParents.push(undefined);
    let buckets = 16;
    while (buckets < n && buckets < this.maxBuckets) buckets *= 2;
    buckets = Math.min(buckets, this.maxBuckets);
    this.mask = buckets - 1;
    this.idHeads = new Int32Array(buckets).fill(NONE);
    this.parentHeads = new Int32Array(buckets).fill(NONE);
    for (let s = 0; s < old; s++) {
      const flags = this.flags[s];
      if ((flags & INDEXED) === 0) continue;
      this.linkId(s);
      if ((flags & HAS_PARENT) !== 0) this.linkParent(s);
    }
  }
}

function grown<T extends Uint8Array | Uint32Array | Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
}

/** Each ASCII character's value as a lowercase hex digit, 255 for any other. */
const HEX_DIGITS = new Uint8Array(128).fill(255);
for (let c = 48; c <= 57; c++) HEX_DIGITS[c] = c - 48;
for (let c = 97; c <= 102; c++) HEX_DIGITS[c] = c - 87;

/**
 * Parses `words` × 8 lowercase hex digits into `out`; `false` for any other string. Unrolled, with
 * one table look-up per character (the hot loop of remembering a span).
 */
function parseHex(id: string, words: number, out: Uint32Array): boolean {
  if (id.length !== 8 * words) return false;
  const T = HEX_DIGITS;
  let codes = 0;
  let digits = 0;
  for (let w = 0, i = 0; w < words; w++, i += 8) {
    const c0 = id.charCodeAt(i);
    const c1 = id.charCodeAt(i + 1);
    const c2 = id.charCodeAt(i + 2);
    const c3 = id.charCodeAt(i + 3);
    const c4 = id.charCodeAt(i + 4);
    const c5 = id.charCodeAt(i + 5);
    const c6 = id.charCodeAt(i + 6);
    const c7 = id.charCodeAt(i + 7);
    codes |= c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7;
    const d0 = T[c0 & 127];
    const d1 = T[c1 & 127];
    const d2 = T[c2 & 127];
    const d3 = T[c3 & 127];
    const d4 = T[c4 & 127];
    const d5 = T[c5 & 127];
    const d6 = T[c6 & 127];
    const d7 = T[c7 & 127];
    digits |= d0 | d1 | d2 | d3 | d4 | d5 | d6 | d7;
    out[w] = (d0 << 28) | (d1 << 24) | (d2 << 20) | (d3 << 16) | (d4 << 12) | (d5 << 8) | (d6 << 4) | d7;
  }
  return codes < 128 && digits < 16;
}

function hex8(word: number): string {
  return word.toString(16).padStart(8, '0');
}

/** Hash of `n` words of `words` from `from`. */
function hashWords(words: Uint32Array, n: number, from = 0): number {
  let h = 0x2545f491;
  for (let i = from; i < from + n; i++) {
    h = Math.imul(h ^ words[i], 0x85ebca6b);
    h ^= h >>> 15;
  }
  return fmix(h);
}

function hashString(s: string): number {
  let h = 0x811c9dc5 ^ s.length;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix(h);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Counts compare as numbers (NaN, which a read call never holds, equal to itself). */
function sameNumber(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}
