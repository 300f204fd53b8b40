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
 * The most recent GenAI spans, at most `capacity` of them, least recently used evicted first, with
 * an index from parent span to child spans so both directions of a parent/child pair are found in
 * constant time. Memory is bounded by `capacity` whatever the traffic.
 */
export class RecentCalls {
  private readonly byKey = new Map<string, RecentCall>();
  private readonly byParent = new Map<string, RecentCall[]>();

  constructor(readonly capacity: number) {}

  /** Number of spans held. */
  get size(): number {
    return this.byKey.size;
  }

  /** Remember a span, evicting the least recently used beyond capacity. */
  remember(call: RecentCall): void {
    if (this.capacity <= 0) return;
    const existing = this.byKey.get(call.key);
    if (existing !== undefined) this.forget(existing);
    this.byKey.set(call.key, call);
    if (call.parentKey !== undefined) {
      const siblings = this.byParent.get(call.parentKey);
      if (siblings === undefined) this.byParent.set(call.parentKey, [call]);
      else siblings.push(call);
    }
    while (this.byKey.size > this.capacity) {
      const oldest = this.byKey.values().next().value as RecentCall;
      this.forget(oldest);
    }
  }

  /**
   * A remembered span that is the direct parent or a direct child of `call` and describes the same
   * model call: identical input and output totals and, when both name models, a model in common.
   */
  findSameCall(call: RecentCall): RecentCall | undefined {
    if (call.parentKey !== undefined) {
      const parent = this.byKey.get(call.parentKey);
      if (parent !== undefined && sameCall(parent, call)) return this.touch(parent);
    }
    const children = this.byParent.get(call.key);
    if (children !== undefined) {
      for (const child of children) if (sameCall(child, call)) return this.touch(child);
    }
    return undefined;
  }

  private touch(call: RecentCall): RecentCall {
    this.byKey.delete(call.key);
    this.byKey.set(call.key, call);
    return call;
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
