/**
 * The cost of one call: usage split into a partition of billing units, each priced once at its
 * own rate. This is the hot path of `PriceBook.price()`; it allocates only the result.
 */
import { partitionTokens as contractPartition, TOKEN_UNITS } from '@tokenomics/contract/tokens';
import type { CompiledModel, CompiledPeriod } from './book-state';
import type { OverlayDiscount } from './overlay';
import { REQUEST_NAME_ALIASES, SERVICE_TIERS, type RateSet } from './rates';
import type { BillingUnit, Cost, PricedCost, UnpricedCost, UnpricedReason, Usage } from './types';
import { MAX_TOKENS_PER_CALL, usageProblem } from './usage-validation';

/** What a resolved model string prices with. */
export interface PricingTarget {
  /** Provider id reported in the cost. */
  provider: string;
  /** Price-book model id reported as `matchedModel`. */
  model: string;
  compiled: CompiledModel;
  /** Discounts that may apply (dates and tiers checked per call), or `null`. */
  discounts: OverlayDiscount[] | null;
  /** The model's context window in tokens, when the book knows it (bounds a plausible usage). */
  contextWindow?: number;
}

const REQUEST_NAMES = new Map(Object.entries(REQUEST_NAME_ALIASES));

// Bound once: module constants, not properties of the contract's modules read on every access.
const partitionTokens = contractPartition;
const SERVICE_TIER_NAMES = SERVICE_TIERS;

/** An unpriced result. */
export function unpriced(
  reason: UnpricedReason,
  detail: string,
  version: string,
  estimated: boolean,
  target?: { provider: string; model: string },
): UnpricedCost {
  const cost: UnpricedCost = { priced: false, reason, detail, priceBookVersion: version, estimated };
  if (target) {
    cost.provider = target.provider;
    cost.matchedModel = target.model;
  }
  return cost;
}

/** Seconds after UTC midnight of an epoch-ms instant. */
function secondOfDay(t: number): number {
  const ms = ((t % 86_400_000) + 86_400_000) % 86_400_000;
  return ms / 1000;
}

/** The period in force at `t`: the last one whose constraint holds; an unconstrained one is the default. */
function periodAt(periods: CompiledPeriod[], t: number): CompiledPeriod {
  for (let i = periods.length - 1; i >= 0; i--) {
    const p = periods[i];
    if (p.from !== undefined) {
      if (t >= p.from) return p;
    } else if (p.timeOfDay !== undefined) {
      if ((p.timeOfDayFrom !== undefined && t < p.timeOfDayFrom) || (p.timeOfDayUntil !== undefined && t >= p.timeOfDayUntil)) continue;
      const s = secondOfDay(t);
      const [start, end] = p.timeOfDay;
      if (end < start ? s >= start || s < end : s >= start && s < end) return p;
    } else {
      return p;
    }
  }
  return periods[0];
}

function discountAt(discounts: OverlayDiscount[], t: number, tier: number): number {
  for (let i = 0; i < discounts.length; i++) {
    const d = discounts[i];
    if (d.from !== undefined && t < d.from) continue;
    if (d.until !== undefined && t >= d.until) continue;
    if (d.tiers !== undefined && !d.tiers.includes(tier)) continue;
    return d.multiplier;
  }
  return 1;
}

type Parts = Partial<Record<BillingUnit, number>>;

/** Largest picodollar amount handled as an exact integer (2^53 / 1e12 = about $9,007). */
const EXACT_PICO = 9e15;

/**
 * USD for `units` at `price` per `per` units, rounded to the picodollar (1e-12 USD) so that
 * published decimal rates give the decimal amount an invoice shows (0.003, not 0.0030000000000000005).
 */
function usd(units: number, price: number, per: number, mult: number): number {
  let pico = units * price * (1e12 / per);
  if (mult !== 1) pico *= mult;
  return pico < EXACT_PICO ? Math.round(pico) / 1e12 : pico / 1e12;
}

/** Scratch space of the partition, reused by every call (pricing is synchronous). */
const PARTS = new Float64Array(TOKEN_UNITS.length);

/** True when `requests` counts any billed request. */
function billsRequests(requests: Usage['requests']): boolean {
  if (requests === undefined || requests === null) return false;
  for (const name in requests) {
    if (requests[name] > 0) return true;
  }
  return false;
}

/** What {@link requestFees} found; one record, reused (pricing is synchronous). */
interface RequestFees {
  amount: number;
  count: number;
  unpriced: string[] | undefined;
}
const FEES: RequestFees = { amount: 0, count: 0, unpriced: undefined };

/**
 * The per-request fees of a call at rate set `rs`: the fee per call when there is one, then each
 * billed request in `requests` at its rate; requests with no rate are listed in `unpriced`. The
 * result is overwritten by the next call.
 */
function requestFees(rs: RateSet, requests: Usage['requests'], hasRequests: boolean, mult: number): RequestFees {
  let amount = 0;
  let count = 0;
  let unpriced: string[] | undefined;
  if (rs.request > 0) {
    amount += usd(1, rs.request, 1, mult);
    count += 1;
  }
  if (hasRequests) {
    const table = rs.requests;
    for (const name in requests) {
      const n = (requests as Record<string, number>)[name];
      if (n === 0) continue;
      const fee = table === undefined ? undefined : table.get(REQUEST_NAMES.get(name) ?? name);
      if (fee === undefined) (unpriced ??= []).push(name);
      else {
        amount += usd(n, fee, 1, mult);
        count += n;
      }
    }
  }
  FEES.amount = amount;
  FEES.count = count;
  FEES.unpriced = unpriced;
  return FEES;
}

const NO_PRICE_AT_DATE = 0;
const NO_PRICE_FOR_TIER = 1;

/**
 * The rate set of `target` for a prompt of `input` tokens at instant `t` in service tier `tier`:
 * the period in force, the tier's ladder and its context-length step. {@link NO_PRICE_AT_DATE}
 * before the model's first price, {@link NO_PRICE_FOR_TIER} when the tier has no prices.
 */
function rateSetAt(
  target: PricingTarget,
  tier: number,
  t: number,
  input: number,
): RateSet | typeof NO_PRICE_AT_DATE | typeof NO_PRICE_FOR_TIER {
  const compiled = target.compiled;
  if (t < compiled.strictFrom) return NO_PRICE_AT_DATE;
  const periods = compiled.periods;
  const period = periods.length === 1 ? periods[0] : periodAt(periods, t);
  const ladder = period.ladders[tier];
  if (ladder === null) return NO_PRICE_FOR_TIER;
  const starts = ladder.starts;
  let k = 0;
  while (k < starts.length && input > starts[k]) k++;
  return ladder.sets[k];
}

/**
 * Prices `usage` for `target` at instant `t` (epoch ms) and service tier index `tier`.
 * `contextWindow`, given for one recorded call (not for a what-if price of a round number of
 * tokens), bounds a plausible usage (see `usageProblem`). Never throws; problems come back as an
 * unpriced result, and a cost is always a finite non-negative amount.
 */
export function computeCost(
  target: PricingTarget,
  usage: Usage,
  tier: number,
  t: number,
  estimated: boolean,
  version: string,
  contextWindow?: number,
): Cost {
  const u = usage ?? {};
  const problem = usageProblem(u, contextWindow);
  if (problem !== undefined) {
    const cost = unpriced('invalid_usage', invalidUsageDetail(problem, contextWindow), version, estimated, target);
    cost.invalidReason = problem;
    return cost;
  }
  // The contract's one token partition (totals include their subsets; a missing total is the sum
  // of the subsets given). The usage is valid here, so the partition sums back to the totals.
  const parts = partitionTokens(u, PARTS);
  const textIn = parts[0];
  const cr = parts[1];
  const cw = parts[2];
  const cw1 = parts[3];
  const ia = parts[4];
  const ii = parts[5];
  const textOut = parts[6];
  const rt = parts[7];
  const oa = parts[8];
  const oi = parts[9];
  const input = textIn + cr + cw + cw1 + ia + ii;
  const output = textOut + rt + oa + oi;
  const requests = u.requests;
  const hasRequests = billsRequests(requests);
  if (input === 0 && output === 0 && !hasRequests) {
    return unpriced('no_usage', 'the call reported no tokens and no billed requests', version, estimated, target);
  }

  const rs = rateSetAt(target, tier, t, input);
  if (rs === NO_PRICE_AT_DATE) {
    return unpriced(
      'no_price_at_date',
      `${target.model} has no price before ${new Date(target.compiled.strictFrom).toISOString().slice(0, 10)}`,
      version,
      estimated,
      target,
    );
  }
  if (rs === NO_PRICE_FOR_TIER) {
    return unpriced('no_price_for_tier', `no ${SERVICE_TIERS[tier]} price for ${target.model}`, version, estimated, target);
  }
  const mult = target.discounts === null ? 1 : discountAt(target.discounts, t, tier);

  // Named stores (not breakdown[unit]) keep the property writes monomorphic on the hot path.
  const breakdown: Parts = {};
  const tokens: Parts = {};
  let amount = 0;
  let c: number;
  let missing: BillingUnit | undefined;
  if (textIn > 0) {
    if (rs.input !== rs.input) missing = 'input';
    else {
      c = usd(textIn, rs.input, 1e6, mult);
      breakdown.input = c;
      tokens.input = textIn;
      amount += c;
    }
  }
  if (cr > 0) {
    c = usd(cr, rs.cache_read, 1e6, mult);
    breakdown.cache_read = c;
    tokens.cache_read = cr;
    amount += c;
  }
  if (cw > 0) {
    c = usd(cw, rs.cache_write, 1e6, mult);
    breakdown.cache_write = c;
    tokens.cache_write = cw;
    amount += c;
  }
  if (cw1 > 0) {
    c = usd(cw1, rs.cache_write_1h, 1e6, mult);
    breakdown.cache_write_1h = c;
    tokens.cache_write_1h = cw1;
    amount += c;
  }
  if (ia > 0) {
    c = usd(ia, rs.input_audio, 1e6, mult);
    breakdown.input_audio = c;
    tokens.input_audio = ia;
    amount += c;
  }
  if (ii > 0) {
    c = usd(ii, rs.input_image, 1e6, mult);
    breakdown.input_image = c;
    tokens.input_image = ii;
    amount += c;
  }
  if (textOut > 0) {
    if (rs.output !== rs.output) missing ??= 'output';
    else {
      c = usd(textOut, rs.output, 1e6, mult);
      breakdown.output = c;
      tokens.output = textOut;
      amount += c;
    }
  }
  if (rt > 0) {
    c = usd(rt, rs.reasoning, 1e6, mult);
    breakdown.reasoning = c;
    tokens.reasoning = rt;
    amount += c;
  }
  if (oa > 0) {
    c = usd(oa, rs.output_audio, 1e6, mult);
    breakdown.output_audio = c;
    tokens.output_audio = oa;
    amount += c;
  }
  if (oi > 0) {
    c = usd(oi, rs.output_image, 1e6, mult);
    breakdown.output_image = c;
    tokens.output_image = oi;
    amount += c;
  }
  // Every unit falls back to input or output; a NaN amount means one of those has no rate.
  if (missing !== undefined || amount !== amount) {
    return unpriced(
      'no_price_for_unit',
      `${target.model} has no ${missing ?? (rs.input !== rs.input ? 'input' : 'output')} token price`,
      version,
      estimated,
      target,
    );
  }

  const fees = requestFees(rs, requests, hasRequests, mult);
  const unpricedRequests = fees.unpriced;
  if (fees.count > 0) {
    breakdown.request = fees.amount;
    tokens.request = fees.count;
    amount += fees.amount;
  }

  const cost: PricedCost = {
    priced: true,
    amount,
    currency: 'USD',
    breakdown,
    tokens,
    priceBookVersion: version,
    provider: target.provider,
    matchedModel: target.model,
    serviceTier: SERVICE_TIER_NAMES[tier],
    estimated,
  };
  if (unpricedRequests !== undefined) cost.unpricedRequests = unpricedRequests;
  // Valid counts at sane rates cannot get here; an absurd rate or multiplier can.
  if (!(amount >= 0 && amount < Infinity)) {
    return unpriced(
      'invalid_cost',
      `the rates of ${target.model} give a cost of ${amount} USD; a cost must be a finite non-negative amount`,
      version,
      estimated,
      target,
    );
  }
  return cost;
}

function invalidUsageDetail(problem: string, contextWindow: number | undefined): string {
  switch (problem) {
    case 'cache_exceeds_input':
      return 'cache, audio and image input tokens exceed input tokens; input must include them';
    case 'reasoning_exceeds_output':
      return 'reasoning, audio and image output tokens exceed output tokens; output must include them';
    case 'exceeds_context_window':
      return `input + output tokens exceed ${contextWindow} tokens (the context window) many times over`;
    default:
      return `${problem}: token counts must be non-negative integers of at most ${MAX_TOKENS_PER_CALL}`;
  }
}

/**
 * The amount `computeCost` gives for `usage` with its cache reads (or its cache writes) left out of
 * the usage (`reads` true: `cacheReadTokens`; false: `cacheWriteTokens` and `cacheWrite1hTokens`),
 * i.e. priced as uncached input when `inputTokens` is given, at the same target, tier and
 * instant; NaN when that usage would be unpriced. Same partition, rate set and sums in the same
 * order as `computeCost`, so the figure is the one a second `price()` would give, without building
 * a usage or a cost. `usage` must be valid (the call it describes was priced).
 */
export function amountWithoutCache(
  target: PricingTarget,
  usage: Usage,
  tier: number,
  t: number,
  contextWindow: number | undefined,
  reads: boolean,
): number {
  const u = usage ?? {};
  if (usageProblem(u, contextWindow) !== undefined) return NaN;
  const parts = partitionTokens(u, PARTS);
  let textIn = parts[0];
  let cr = parts[1];
  let cw = parts[2];
  let cw1 = parts[3];
  const ia = parts[4];
  const ii = parts[5];
  const textOut = parts[6];
  const rt = parts[7];
  const oa = parts[8];
  const oi = parts[9];
  // Without a total, input is the sum of its subsets: the moved tokens are gone rather than moved.
  const moved = u.inputTokens !== undefined;
  if (reads) {
    if (moved) textIn += cr;
    cr = 0;
  } else {
    if (moved) textIn = textIn + cw + cw1;
    cw = 0;
    cw1 = 0;
  }
  const input = textIn + cr + cw + cw1 + ia + ii;
  const output = textOut + rt + oa + oi;
  const requests = u.requests;
  const hasRequests = billsRequests(requests);
  if (input === 0 && output === 0 && !hasRequests) return NaN;
  const rs = rateSetAt(target, tier, t, input);
  if (rs === NO_PRICE_AT_DATE || rs === NO_PRICE_FOR_TIER) return NaN;
  const mult = target.discounts === null ? 1 : discountAt(target.discounts, t, tier);

  let amount = 0;
  if (textIn > 0) {
    if (rs.input !== rs.input) return NaN;
    amount += usd(textIn, rs.input, 1e6, mult);
  }
  if (cr > 0) amount += usd(cr, rs.cache_read, 1e6, mult);
  if (cw > 0) amount += usd(cw, rs.cache_write, 1e6, mult);
  if (cw1 > 0) amount += usd(cw1, rs.cache_write_1h, 1e6, mult);
  if (ia > 0) amount += usd(ia, rs.input_audio, 1e6, mult);
  if (ii > 0) amount += usd(ii, rs.input_image, 1e6, mult);
  if (textOut > 0) {
    if (rs.output !== rs.output) return NaN;
    amount += usd(textOut, rs.output, 1e6, mult);
  }
  if (rt > 0) amount += usd(rt, rs.reasoning, 1e6, mult);
  if (oa > 0) amount += usd(oa, rs.output_audio, 1e6, mult);
  if (oi > 0) amount += usd(oi, rs.output_image, 1e6, mult);
  if (amount !== amount) return NaN;

  const fees = requestFees(rs, requests, hasRequests, mult);
  if (fees.count > 0) amount += fees.amount;
  return amount >= 0 && amount < Infinity ? amount : NaN;
}
