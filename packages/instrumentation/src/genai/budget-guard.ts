import { diag, metrics, type Attributes, type Counter, type Meter } from '@opentelemetry/api';
import { getPriceBook } from '@tokenomics/pricing/default-book';
import {
  ATTR_TOKENOMICS_BUDGET_ACTION,
  ATTR_TOKENOMICS_BUDGET_ESTIMATE,
  ATTR_TOKENOMICS_BUDGET_LIMIT,
  ATTR_TOKENOMICS_BUDGET_NAME,
  ATTR_TOKENOMICS_BUDGET_SPENT,
  ATTR_TOKENOMICS_BUDGET_WINDOW,
  EVENT_TOKENOMICS_BUDGET_EXCEEDED,
  METRIC_TOKENOMICS_BUDGET_REJECTIONS,
  METRIC_TOKENOMICS_BUDGET_WARNINGS,
  TOKENOMICS_BUDGET_REJECTIONS,
  TOKENOMICS_BUDGET_WARNINGS,
} from '@tokenomics/contract/governance';
import type { PriceBookLike } from '@tokenomics/contract/price-book';
import { resolveModelEncoding } from '@tokenomics/tokens/encodings';
import type { EstimateJob } from '@tokenomics/tokens/estimate-job';
import { countInWorker } from '@tokenomics/tokens/worker-counter';
import { SpendWindow, type BudgetWindow } from './budget-windows';
import type { GenAICall } from './recorder';
import { VERSION } from '../version';

// Telemetry names of the guard, from the telemetry contract.
export {
  EVENT_TOKENOMICS_BUDGET_EXCEEDED,
  METRIC_TOKENOMICS_BUDGET_WARNINGS,
  METRIC_TOKENOMICS_BUDGET_REJECTIONS,
  ATTR_TOKENOMICS_BUDGET_NAME,
  ATTR_TOKENOMICS_BUDGET_WINDOW,
  ATTR_TOKENOMICS_BUDGET_ACTION,
  ATTR_TOKENOMICS_BUDGET_LIMIT,
  ATTR_TOKENOMICS_BUDGET_SPENT,
  ATTR_TOKENOMICS_BUDGET_ESTIMATE,
};

const METER_NAME = '@tokenomics/instrumentation';

/** What a budget does when a call would pass it: record a warning, or reject the call unsent. */
export type BudgetAction = 'warn' | 'reject';

/**
 * Which calls a budget counts. Every field given must match; a budget with none counts every call
 * of the process (in the alert rules: every service, each on its own).
 */
export interface BudgetMatch {
  /** `service.name` of the process. */
  service?: string | undefined;
  /** Attribution key `tenant`. */
  tenant?: string | undefined;
  /** Attribution key `feature`. */
  feature?: string | undefined;
  /** Requested model (`gen_ai.request.model`). */
  model?: string | undefined;
}

/** One budget: a limit in USD per window for the calls it matches. */
export interface Budget {
  /** Unique name, used on span events, metrics and generated alert rules. */
  name: string;
  /** USD allowed per window; finite and non-negative. */
  limitUsd: number;
  window: BudgetWindow;
  action: BudgetAction;
  match: BudgetMatch;
}

/** Budgets as read from a budgets file. */
export interface BudgetsConfig {
  budgets: Budget[];
  /** Output tokens assumed for a call that sets no output limit (`max_tokens`, ...). Default {@link DEFAULT_OUTPUT_TOKENS}. */
  defaultOutputTokens?: number | undefined;
}

/** Output tokens assumed for a call without `max_tokens` (or its equivalents) when the file sets none. */
export const DEFAULT_OUTPUT_TOKENS = 1024;

/**
 * Thrown to the app (as the rejection of the call's promise, never synchronously) when a budget
 * with `action: reject` would be passed by a call: the request was not sent.
 *
 * @example
 * try {
 *   await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
 * } catch (err) {
 *   if (err instanceof BudgetExceededError) return fallback(err.budget, err.window);
 *   throw err;
 * }
 */
export class BudgetExceededError extends Error {
  /** Name of the budget. */
  readonly budget: string;
  readonly window: BudgetWindow;
  /** Limit of the budget, USD per window. */
  readonly limitUsd: number;
  /** Spend in the window when the call was checked (billed calls plus calls in flight), USD. */
  readonly spentUsd: number;
  /** Estimated cost of the rejected call, USD. */
  readonly estimateUsd: number;

  constructor(budget: string, window: BudgetWindow, limitUsd: number, spentUsd: number, estimateUsd: number) {
    super(
      `tokenomics: budget "${budget}" (${limitUsd} USD per ${window}) would be exceeded: ${round(spentUsd)} USD spent + ${round(estimateUsd)} USD estimated for this call; the request was not sent`,
    );
    this.name = 'BudgetExceededError';
    this.budget = budget;
    this.window = window;
    this.limitUsd = limitUsd;
    this.spentUsd = spentUsd;
    this.estimateUsd = estimateUsd;
  }
}

function round(usd: number): number {
  return Math.round(usd * 1e9) / 1e9;
}

/** What the guard knows of a call before it is sent. */
export interface GuardedCall {
  provider: string;
  operation: string;
  model: string;
  attribution: Readonly<Record<string, string>>;
}

/** A budget a call would pass. */
export interface BudgetExcess {
  budget: Budget;
  spentUsd: number;
  estimateUsd: number;
}

/** Options of a {@link BudgetGuard}. */
export interface BudgetGuardOptions {
  /** `service.name` of the process, matched by `match.service`. */
  serviceName?: string | undefined;
  /** Clock (epoch milliseconds); injectable for tests. */
  now?: (() => number) | undefined;
  /** Price book for estimates; default the process-wide one. */
  priceBook?: PriceBookLike | undefined;
  /** Meter for the guard's counters; default the global meter provider's `@tokenomics/instrumentation` meter. */
  meter?: Meter | undefined;
}

/**
 * Fraction of a limit within which spend plus estimate still counts as at the limit: sums of
 * per-call costs carry floating-point error, and a call that brings spend exactly to the limit is
 * allowed.
 */
const LIMIT_TOLERANCE = 1e-9;

/** A budget with its spend window and the estimates of its calls in flight. */
export interface BudgetState {
  budget: Budget;
  window: SpendWindow;
  /** Estimates of calls let through and not yet ended, USD. */
  inFlight: number;
}

/** A call's estimate held as in flight against one budget, until the call ends. */
export interface BudgetHold {
  readonly state: BudgetState;
  readonly amount: number;
}

/**
 * The in-process budget guard: spend per budget over sliding windows (from billed costs as calls
 * end), and the check made before a call is sent. Per process: budgets across a fleet are the job
 * of the generated alert rules. Memory is O(budgets).
 */
export class BudgetGuard {
  private readonly states: BudgetState[];
  private readonly now: () => number;
  private warnings: Counter | undefined;
  private rejections: Counter | undefined;
  readonly defaultOutputTokens: number;

  constructor(
    config: BudgetsConfig,
    private readonly options: BudgetGuardOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.states = config.budgets.map((budget) => ({ budget, window: new SpendWindow(budget.window, this.now), inFlight: 0 }));
    this.defaultOutputTokens = config.defaultOutputTokens ?? DEFAULT_OUTPUT_TOKENS;
  }

  /** The budgets that count `call`. */
  matching(call: GuardedCall): BudgetState[] {
    const out: BudgetState[] = [];
    for (const state of this.states) if (this.matches(state.budget.match, call)) out.push(state);
    return out;
  }

  private matches(match: BudgetMatch, call: GuardedCall): boolean {
    if (match.service !== undefined && match.service !== this.options.serviceName) return false;
    if (match.model !== undefined && match.model !== call.model) return false;
    if (match.tenant !== undefined && (!Object.hasOwn(call.attribution, 'tenant') || call.attribution.tenant !== match.tenant))
      return false;
    if (match.feature !== undefined && (!Object.hasOwn(call.attribution, 'feature') || call.attribution.feature !== match.feature)) {
      return false;
    }
    return true;
  }

  /** Spend in each budget's window (billed, plus calls in flight), by budget name. */
  spent(): Map<string, number> {
    const out = new Map<string, number>();
    for (const s of this.states) out.set(s.budget.name, s.window.spent() + s.inFlight);
    return out;
  }

  /**
   * Checks a call of estimated cost `estimateUsd` against the budgets in `states`: the budgets it
   * would pass (window spend + in-flight + estimate above the limit). A call that brings spend
   * exactly to a limit passes nothing. Unless a `reject` budget is passed, the estimate is held
   * as in flight for `owner` until {@link settle}.
   */
  check(states: readonly BudgetState[], estimateUsd: number, owner?: GenAICall): { exceeded: BudgetExcess[]; rejectedBy?: BudgetExcess } {
    const estimate = estimateUsd >= 0 && estimateUsd < Infinity ? estimateUsd : 0;
    const exceeded: BudgetExcess[] = [];
    let rejectedBy: BudgetExcess | undefined;
    for (const state of states) {
      const spentUsd = state.window.spent() + state.inFlight;
      const limit = state.budget.limitUsd;
      if (spentUsd + estimate > limit + limit * LIMIT_TOLERANCE) {
        const excess = { budget: state.budget, spentUsd, estimateUsd: estimate };
        exceeded.push(excess);
        if (state.budget.action === 'reject') rejectedBy ??= excess;
      }
    }
    if (rejectedBy === undefined && owner !== undefined && estimate > 0) {
      const held: BudgetHold[] = states.map((state) => ({ state, amount: estimate }));
      for (const h of held) h.state.inFlight += h.amount;
      // On the call itself: a weak map entry per call would cost microseconds.
      owner.budgetHold = held;
    }
    return rejectedBy === undefined ? { exceeded } : { exceeded, rejectedBy };
  }

  /**
   * A call ended: its in-flight estimate is released and `costUsd` (its billed cost; `undefined`
   * when it was not priced) is added to the window of every budget that counts it.
   */
  settle(call: GenAICall, costUsd: number | undefined): void {
    const held = call.budgetHold;
    if (held !== undefined) {
      call.budgetHold = undefined;
      for (const h of held) h.state.inFlight = Math.max(0, h.state.inFlight - h.amount);
    }
    if (costUsd === undefined || !(costUsd > 0 && costUsd < Infinity)) return;
    const states = this.matching(guardedCallOf(call));
    for (const state of states) state.window.add(costUsd);
  }

  /** Records budgets passed by a call: a span event each, and the warning or rejection counter. */
  report(call: GenAICall, exceeded: readonly BudgetExcess[], rejected: boolean): void {
    for (const e of exceeded) {
      const b = e.budget;
      const attributes: Attributes = {
        [ATTR_TOKENOMICS_BUDGET_NAME]: b.name,
        [ATTR_TOKENOMICS_BUDGET_WINDOW]: b.window,
        [ATTR_TOKENOMICS_BUDGET_ACTION]: b.action,
        [ATTR_TOKENOMICS_BUDGET_LIMIT]: b.limitUsd,
        [ATTR_TOKENOMICS_BUDGET_SPENT]: e.spentUsd,
        [ATTR_TOKENOMICS_BUDGET_ESTIMATE]: e.estimateUsd,
      };
      try {
        call.span.addEvent(EVENT_TOKENOMICS_BUDGET_EXCEEDED, attributes);
        const counter = rejected && b.action === 'reject' ? this.rejectionCounter() : this.warningCounter();
        counter.add(1, { [ATTR_TOKENOMICS_BUDGET_NAME]: b.name, [ATTR_TOKENOMICS_BUDGET_WINDOW]: b.window });
      } catch (err) {
        diag.warn('tokenomics: recording a budget event failed', err);
      }
    }
  }

  /**
   * Estimated cost of a call in USD: input tokens of `job` counted by the token worker (off the
   * event loop), `outputTokens` as given, priced by the price book as an estimate. 0 when the
   * model has no price (the spend of the window still counts).
   */
  async estimate(call: GuardedCall, job: EstimateJob, outputTokens: number, onInputCounted?: (tokens: number) => void): Promise<number> {
    const counted = await countInWorker(job);
    const inputTokens = counted.ok ? (counted.counts.requestTokens ?? 0) : 0;
    if (counted.ok && counted.counts.requestTokens !== undefined) onInputCounted?.(counted.counts.requestTokens);
    const book = this.options.priceBook ?? getPriceBook();
    const cost = book.price(
      { inputTokens, outputTokens },
      { provider: call.provider, operation: call.operation, model: call.model, at: this.now(), estimated: true },
    );
    return cost.priced && cost.amount >= 0 && cost.amount < Infinity ? cost.amount : 0;
  }

  private meter(): Meter {
    return this.options.meter ?? metrics.getMeter(METER_NAME, VERSION);
  }

  private warningCounter(): Counter {
    return (this.warnings ??= this.meter().createCounter(TOKENOMICS_BUDGET_WARNINGS.name, {
      unit: TOKENOMICS_BUDGET_WARNINGS.unit,
      description: TOKENOMICS_BUDGET_WARNINGS.description,
    }));
  }

  private rejectionCounter(): Counter {
    return (this.rejections ??= this.meter().createCounter(TOKENOMICS_BUDGET_REJECTIONS.name, {
      unit: TOKENOMICS_BUDGET_REJECTIONS.unit,
      description: TOKENOMICS_BUDGET_REJECTIONS.description,
    }));
  }
}

function guardedCallOf(call: GenAICall): GuardedCall {
  return { provider: call.start.provider, operation: call.start.operation, model: call.start.requestModel, attribution: call.attribution };
}

let activeGuard: BudgetGuard | undefined;

/** Installs the process-wide guard (`undefined` turns it off). Called by `@tokenomics/node` at start. */
export function setBudgetGuard(guard: BudgetGuard | undefined): void {
  activeGuard = guard;
}

/**
 * Releases what the guard holds in flight for `call` without counting a cost: for a call whose
 * recording failed before it ended normally. Never throws.
 */
export function releaseBudgetHold(call: GenAICall): void {
  try {
    activeGuard?.settle(call, undefined);
  } catch {
    /* nothing held, or a guard that cannot be reached: nothing more to do */
  }
}

/** The process-wide guard, if budgets are configured. */
export function getBudgetGuard(): BudgetGuard | undefined {
  return activeGuard;
}

/**
 * The guard's gate for a call about to be sent: `undefined` when no guard is on or no budget
 * counts the call (the call goes out at once, as without a guard). Otherwise a promise that
 * resolves when the call may be sent (after recording any warning) or rejects with a
 * {@link BudgetExceededError} (recorded on the call's span) when it may not.
 */
export function budgetGate(call: GenAICall, job: EstimateJob, outputTokens: number | undefined): Promise<void> | undefined {
  const guard = activeGuard;
  if (guard === undefined) return undefined;
  const info = guardedCallOf(call);
  const states = guard.matching(info);
  if (states.length === 0) return undefined;
  const output = outputTokens ?? guard.defaultOutputTokens;
  // The app is waiting on this call: the token worker does not hold the process open (it is
  // unreferenced), so this does until the estimate is in (the worker gives up after seconds).
  const hold = setTimeout(noop, 2_147_483_647);
  // The input counted is reconciled with the billed input when the call ends.
  const counted = (tokens: number): void => {
    call.preflightInput = { tokens, encoding: resolveModelEncoding(job.model).encoding };
  };
  return guard.estimate(info, job, output, counted).then(
    (estimate) => {
      clearTimeout(hold);
      decide(guard, call, states, estimate);
    },
    () => {
      clearTimeout(hold);
      decide(guard, call, states, 0);
    },
  );
}

function noop(): void {}

function decide(guard: BudgetGuard, call: GenAICall, states: BudgetState[], estimate: number): void {
  const { exceeded, rejectedBy } = guard.check(states, estimate, call);
  guard.report(call, exceeded, rejectedBy !== undefined);
  if (rejectedBy !== undefined) {
    const b = rejectedBy.budget;
    throw new BudgetExceededError(b.name, b.window, b.limitUsd, rejectedBy.spentUsd, rejectedBy.estimateUsd);
  }
}

/** The value a patched method returned, boxed so that a thenable is not adopted before the app asks for it. */
interface Sent {
  value: unknown;
}

/**
 * What a guarded Stainless client method (openai, @anthropic-ai/sdk) returns in place of its
 * `APIPromise` while the guard decides: a promise with the `APIPromise` methods the app and the
 * SDK's own helpers use (`then`, `catch`, `finally`, `withResponse()`, `asResponse()`,
 * `_thenUnwrap()`), each forwarded to the real `APIPromise` once the request is sent. Like an
 * `APIPromise`, it parses nothing until asked, and a rejection is the app's to handle.
 */
export class GuardedAPIPromise<T = unknown> extends Promise<T> {
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  readonly #sent: Promise<Sent>;

  constructor(sent: Promise<Sent>) {
    super((resolve) => resolve(null as T));
    this.#sent = sent;
  }

  // It stands in for the SDK's APIPromise, which is a promise with its own then().
  // oxlint-disable-next-line unicorn/no-thenable
  override then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#sent.then((s) => s.value as T).then(onfulfilled, onrejected);
  }

  /** The real `APIPromise`'s `withResponse()`, once the request is sent. */
  withResponse(): Promise<unknown> {
    return this.#sent.then((s) => forward(s.value, 'withResponse'));
  }

  /** The real `APIPromise`'s `asResponse()`, once the request is sent. */
  asResponse(): Promise<unknown> {
    return this.#sent.then((s) => forward(s.value, 'asResponse'));
  }

  /** The real `APIPromise`'s `_thenUnwrap()` (used by `parse()` helpers), once the request is sent. */
  _thenUnwrap(transform: unknown): GuardedAPIPromise {
    return new GuardedAPIPromise(
      this.#sent.then((s) => {
        const fn = (s.value as { _thenUnwrap?: unknown } | null)?._thenUnwrap;
        return { value: typeof fn === 'function' ? (fn as (t: unknown) => unknown).call(s.value, transform) : s.value };
      }),
    );
  }
}

function forward(value: unknown, method: 'withResponse' | 'asResponse'): unknown {
  const fn = (value as Record<string, unknown> | null)?.[method];
  return typeof fn === 'function' ? (fn as () => unknown).call(value) : value;
}

/**
 * Sends a call through the guard: `send()` (the original method, with the instrumentation's own
 * observation) runs once `gate` resolves; when it rejects, nothing is sent, the call's span ends
 * with the error and the app's promise rejects with it. Never throws synchronously.
 */
export function sendWhenAllowed(call: GenAICall, gate: Promise<void>, send: () => unknown): GuardedAPIPromise {
  const sent = gate.then(
    () => ({ value: send() }),
    (err: unknown) => {
      call.fail(err);
      throw err;
    },
  );
  return new GuardedAPIPromise(sent);
}
