/**
 * The priced and unpriced calls of one traces request in a compact form that crosses from a worker
 * thread to the main thread cheaply: the distinct call shapes and cost units once, and every priced
 * call as numbers in one `Float64Array` (transferred, not copied). The main thread replays the calls
 * into its {@link CostMetrics} in the order the worker read them, with the same figures, so the
 * cost counters are exactly those the main thread would count from the spans itself.
 */
import { partitionTokens, TOKEN_UNITS } from '@tokenomics/contract/tokens';
import type { CallShape, CostMetrics } from './cost-metrics';
import * as N from './names';
import type { TraceEnrichment, UnpricedCall } from './trace-enrichment';

/** The unpriced-call attributes the cost counters keep. */
const UNPRICED_KEYS = [N.ATTR_GEN_AI_PROVIDER_NAME, N.ATTR_GEN_AI_OPERATION_NAME, N.ATTR_GEN_AI_REQUEST_MODEL];

/** The calls of one request, for the cost counters. */
export interface CostTally {
  /** Distinct call shapes of the request. */
  readonly shapes: CallShape[];
  /** Distinct cost units of the request. */
  readonly units: string[];
  /**
   * Per priced call, in order: its shape index, its tokens by disjoint unit (`TOKEN_UNITS` order),
   * the number of cost units, then a unit index and an amount for each.
   */
  readonly values: Float64Array;
  /** Unpriced calls, with only the attributes their counter keeps. */
  readonly unpriced: UnpricedCall[];
}

/** The tally of what {@link enrichTraces} priced and could not price in one request. */
export function tallyOf(result: TraceEnrichment): CostTally {
  const shapes: CallShape[] = [];
  const shapeIndex = new Map<string, number>();
  const units: string[] = [];
  const unitIndex = new Map<string, number>();
  let size = 0;
  for (const p of result.priced) size += 2 + TOKEN_UNITS.length + 2 * p.breakdown.size;
  const values = new Float64Array(size);
  const parts = new Float64Array(TOKEN_UNITS.length);
  let at = 0;
  let last: CallShape | undefined;
  let lastIndex = 0;
  for (const p of result.priced) {
    const call = p.call;
    const cacheShareUnknown = p.cacheShareUnknown === true;
    let shape: number | undefined;
    // Calls next to each other mostly share their shape: compared field by field before a lookup.
    if (
      last !== undefined &&
      last.service === p.serviceName &&
      last.provider === call.provider &&
      last.operation === call.operation &&
      last.requestModel === call.requestModel &&
      last.responseModel === call.responseModel &&
      last.estimated === call.estimated &&
      last.cacheShareUnknown === cacheShareUnknown
    ) {
      shape = lastIndex;
    } else {
      const key = `${p.serviceName ?? ''}\u0000${call.provider ?? ''}\u0000${call.operation ?? ''}\u0000${call.requestModel ?? ''}\u0000${call.responseModel ?? ''}\u0000${call.estimated ? 1 : 0}${cacheShareUnknown ? 1 : 0}`;
      shape = shapeIndex.get(key);
      if (shape === undefined) {
        shape = shapes.length;
        shapeIndex.set(key, shape);
        shapes.push({
          service: p.serviceName,
          provider: call.provider,
          operation: call.operation,
          requestModel: call.requestModel,
          responseModel: call.responseModel,
          estimated: call.estimated,
          cacheShareUnknown,
        });
      }
    }
    last = shapes[shape];
    lastIndex = shape;
    values[at++] = shape;
    partitionTokens(call.usage, parts);
    for (let i = 0; i < parts.length; i++) values[at++] = parts[i];
    values[at++] = p.breakdown.size;
    for (const [unit, amount] of p.breakdown) {
      let u = unitIndex.get(unit);
      if (u === undefined) {
        u = units.length;
        unitIndex.set(unit, u);
        units.push(unit);
      }
      values[at++] = u;
      values[at++] = amount;
    }
  }
  const unpriced = result.unpricedCalls.map((u) => {
    const attributes: Record<string, string> = {};
    for (const k of UNPRICED_KEYS) {
      const value = Object.hasOwn(u.attributes, k) ? u.attributes[k] : undefined;
      if (typeof value === 'string') attributes[k] = value;
    }
    return { serviceName: u.serviceName, attributes, reason: u.reason };
  });
  return { shapes, units, values: values.subarray(0, at), unpriced };
}

/**
 * Counts the calls of `tally` into `metrics`, in the order they were read, skipping those of
 * services `counts` says no to (their cost counters come from their histograms).
 */
export function countTally(tally: CostTally, metrics: CostMetrics, counts: (service: string | undefined) => boolean): void {
  const { shapes, units, values } = tally;
  const n = TOKEN_UNITS.length;
  // One series lookup per shape of the request, not per call.
  const groups = shapes.map((shape) => (counts(shape.service) ? metrics.groupOf(shape) : undefined));
  const breakdown: [string, number][] = [];
  let at = 0;
  while (at < values.length) {
    const index = values[at];
    const parts = values.subarray(at + 1, at + 1 + n);
    const k = values[at + 1 + n];
    at += 2 + n;
    breakdown.length = 0;
    for (let i = 0; i < k; i++, at += 2) breakdown.push([units[values[at]], values[at + 1]]);
    const group = groups[index];
    if (group !== undefined) metrics.addToGroup(group, shapes[index], parts, breakdown);
  }
  for (const u of tally.unpriced) if (counts(u.serviceName)) metrics.addUnpriced(u);
}
