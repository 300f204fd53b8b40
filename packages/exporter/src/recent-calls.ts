/** A GenAI span the exporter has seen recently, kept to spot a second span of the same call. */
export interface RecentCall {
  /** `<traceId>/<spanId>`. */
  readonly key: string;
  readonly spanId: string;
  /** `<traceId>/<parentSpanId>` when the span has a parent. */
  readonly parentKey: string | undefined;
  /** Input and output token totals in the semconv shape, `"<input>/<output>"`. */
  readonly usage: string;
  /** Request and response model names the span carried. */
  readonly models: readonly string[];
}

/**
 * The most recently seen GenAI spans, at most `capacity` of them: a ring buffer in the order they
 * were seen, so the least recently seen span is forgotten first, in constant time. An index from
 * parent span to child spans finds both directions of a parent/child pair in constant time.
 * Memory is bounded by `capacity` whatever the traffic.
 */
export class RecentCalls {
  private readonly byKey = new Map<string, RecentCall>();
  private readonly byParent = new Map<string, RecentCall[]>();
  private readonly ring: (RecentCall | undefined)[];
  private next = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<RecentCall | undefined>(Math.max(0, capacity)).fill(undefined);
  }

  /** Number of spans held. */
  get size(): number {
    return this.byKey.size;
  }

  /** Remember a span, forgetting the least recently seen one beyond capacity. */
  remember(call: RecentCall): void {
    if (this.capacity <= 0) return;
    const oldest = this.ring[this.next];
    // The slot may hold a span seen again since (its newer record lives in a later slot).
    if (oldest !== undefined && this.byKey.get(oldest.key) === oldest) this.forget(oldest);
    const existing = this.byKey.get(call.key);
    if (existing !== undefined) this.forget(existing);
    this.ring[this.next] = call;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    this.byKey.set(call.key, call);
    if (call.parentKey !== undefined) {
      const siblings = this.byParent.get(call.parentKey);
      if (siblings === undefined) this.byParent.set(call.parentKey, [call]);
      else siblings.push(call);
    }
  }

  /**
   * A remembered span that is the direct parent or a direct child of `call` and describes the same
   * model call: identical input and output totals and, when both name models, a model in common.
   */
  findSameCall(call: RecentCall): RecentCall | undefined {
    if (call.parentKey !== undefined) {
      const parent = this.byKey.get(call.parentKey);
      if (parent !== undefined && sameCall(parent, call)) return parent;
    }
    const children = this.byParent.size === 0 ? undefined : this.byParent.get(call.key);
    if (children !== undefined) {
      for (const child of children) if (sameCall(child, call)) return child;
    }
    return undefined;
  }

  private forget(call: RecentCall): void {
    this.byKey.delete(call.key);
    if (call.parentKey === undefined) return;
    const siblings = this.byParent.get(call.parentKey);
    if (siblings === undefined) return;
    const i = siblings.indexOf(call);
    if (i >= 0) siblings.splice(i, 1);
    if (siblings.length === 0) this.byParent.delete(call.parentKey);
  }
}

function sameCall(a: RecentCall, b: RecentCall): boolean {
  if (a.usage !== b.usage) return false;
  if (a.models.length === 0 || b.models.length === 0) return true;
  for (const model of a.models) if (b.models.includes(model)) return true;
  return false;
}
