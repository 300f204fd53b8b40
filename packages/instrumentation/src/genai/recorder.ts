import {
  context,
  diag,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Meter,
  type MeterProvider,
  type ObservableCallback,
  type ObservableGauge,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { getPriceBook } from '@tokenomics/pricing/default-book';
import { PriceBook } from '@tokenomics/pricing/price-book';
import type { Cost, PriceOptions, Usage } from '@tokenomics/pricing/types';
import { usageProblem } from '@tokenomics/pricing/usage-validation';
import { getAttribution, type Attribution } from './attribution';
import { BoundedValues } from './bounded-values';
import { noteMetricAttributionKeys } from './framework-attribution';
import { getBudgetGuard, releaseBudgetHold, type BudgetHold } from './budget-guard';
import {
  DEFAULT_MAX_SERIES_PER_METRIC,
  OVERFLOW_ATTRIBUTES,
  SeriesCache,
  SeriesLimit,
  type MetricSeries,
  type SeriesMetric,
} from './metric-series';
import { attachedCallMetrics, InstrumentSinks, METER_NAME, type CounterSink, type HistogramSink, type MetricSinks } from './call-metrics';
import type { CallResult, CallStart, StreamOutcome } from './call';
import { countInWorker, warmTokenWorker, type EstimateUnavailableReason } from '@tokenomics/tokens/worker-counter';
import { trackEstimate } from './pending-estimates';
import { serialiseContent, shouldCaptureContent } from './content-capture';
import { errorType } from './error-type';
import {
  COST_SOURCE_PROVIDER as SOURCE_PROVIDER,
  isProviderReported,
  providerReportedCost,
  setReportedCostAttributes,
} from './reported-cost';
import { deprecatedSystemName, emitDeprecatedGenAINames } from './semconv-stability';
import * as sc from './semconv';
import {
  ATTR_TOKENOMICS_CONVERSATION_COST,
  ATTR_TOKENOMICS_CONVERSATION_INPUT_TOKENS,
  ATTR_TOKENOMICS_CONVERSATION_TURN,
  ATTR_TOKENOMICS_CONVERSATION_TURN_RANGE,
  ATTR_TOKENOMICS_QUOTA_LIMIT_TYPE,
  ATTR_TOKENOMICS_TOKEN_ENCODING,
  TOKENOMICS_QUOTA_LIMIT,
  TOKENOMICS_QUOTA_REMAINING,
  ATTRIBUTION_KEY_CONVERSATION,
} from '@tokenomics/contract/governance';
import { TOKENOMICS_INSTRUMENTATION_ERRORS, type MetricDefinition } from '@tokenomics/contract/metrics';
import type { PriceBookLike } from '@tokenomics/contract/price-book';
import { PROVIDER_AZURE_AI_OPENAI, PROVIDER_OPENAI } from '@tokenomics/contract/providers';
import { partitionTokens, TOKEN_UNITS } from './token-partition';
import { cacheSavings } from './cache-savings';
import { ConversationTable, conversationIdOf, turnRange, type ConversationTurn } from './conversation-table';
import { exhaustedLimitType, httpErrorOf, QuotaTable, readQuotaHeaders } from './quota-headroom';
import { reconcileInput, reconcileSample, estimateRatio } from './reconciliation';
import type { TokenomicsInstrumentationConfig } from '../config';
import { VERSION } from '../version';

const DEFAULT_ATTRIBUTION_KEYS = ['tenant', 'feature'];

// Names read on every call, bound once: module constants, not properties of another module's
// exports read on every call. The API objects (`context`, `trace`) are its singletons, the same
// objects for the life of the process.
const UNITS = TOKEN_UNITS;
const UNIT_COUNT = TOKEN_UNITS.length;
const partition = partitionTokens;
const CONVERSATION_KEY = ATTRIBUTION_KEY_CONVERSATION;
const COST_SOURCE_PROVIDER = SOURCE_PROVIDER;
const OPENAI = PROVIDER_OPENAI;
const AZURE_OPENAI = PROVIDER_AZURE_AI_OPENAI;
const defaultPriceBook = getPriceBook;
const problemOf = usageProblem;
const contextApi = context;
const traceApi = trace;
const CLIENT = SpanKind.CLIENT;
const DEFAULT_MAX_VALUES = 100;

/** Name and version of the one meter every Tokenomics instrumentation records its metrics on. */
export { METER_NAME };

interface SharedInstruments {
  /** Where the histograms and counters go: Tokenomics' own aggregation, or the provider's instruments. */
  sinks: MetricSinks;
  /** `tokenomics.quota.remaining` and `tokenomics.quota.limit`: each recorder reports its quota table. */
  quotaRemaining: ObservableGauge;
  quotaLimit: ObservableGauge;
}

/**
 * Instruments by meter provider. Every instrumentation records on the same instruments of one
 * meter, so each metric family is declared once (one `# HELP`/`# TYPE` on a Prometheus endpoint)
 * and its values are the sums over all clients. On a meter provider the hook built with its own
 * readers, the histograms and counters are summed in Tokenomics' own aggregation (see
 * `call-metrics.ts`) and reach the readers through their metric producers; on any other provider
 * they go through the provider's instruments. The quota gauges are the provider's either way.
 */
const SHARED_INSTRUMENTS = new WeakMap<MeterProvider | Meter, SharedInstruments>();

/** The instruments on `source`: a provider's `@tokenomics/instrumentation` meter, or the meter given. */
function sharedInstruments(source: MeterProvider | Meter): SharedInstruments {
  let shared = SHARED_INSTRUMENTS.get(source);
  if (!shared) {
    const meter = isMeterProvider(source) ? source.getMeter(METER_NAME, VERSION) : source;
    const own = isMeterProvider(source) ? attachedCallMetrics(source) : undefined;
    const gauge = (metric: MetricDefinition) =>
      meter.createObservableGauge(metric.name, { description: metric.description, unit: metric.unit });
    shared = {
      sinks: own ?? new InstrumentSinks(meter),
      quotaRemaining: gauge(TOKENOMICS_QUOTA_REMAINING),
      quotaLimit: gauge(TOKENOMICS_QUOTA_LIMIT),
    };
    SHARED_INSTRUMENTS.set(source, shared);
  }
  return shared;
}

function isMeterProvider(source: MeterProvider | Meter): source is MeterProvider {
  return typeof (source as Partial<MeterProvider>).getMeter === 'function';
}

/**
 * Turns normalised call records into one GenAI client span, the semconv metrics and the cost
 * counters. Shared by every provider adapter; adapters only translate their library's shapes.
 */
export class GenAIRecorder {
  /** Where the histograms and counters go; `undefined` until a meter provider is given. */
  private sinks: MetricSinks | undefined;
  private readonly models: BoundedValues;
  /** `error.type` on metrics: low-cardinality by construction, capped against surprises. */
  private readonly errorTypes = new BoundedValues(64);
  private readonly attributionValues = new Map<string, BoundedValues>();
  private readonly attributionKeys: ReadonlySet<string>;
  private readonly maxValues: number;
  readonly captureContent: boolean;
  private readonly deprecatedNames = emitDeprecatedGenAINames();
  private series: SeriesCache | undefined;
  /**
   * The series of the latest call, with what it was found by: a call like the one before (the same
   * provider, operation, models and attribution, as nearly every call of a service is) takes it
   * without admitting its models again or walking the series cache.
   */
  private lastSeries: LastSeries | undefined;
  private readonly seriesLimit: SeriesLimit;
  private quotaGauges: [ObservableGauge, ObservableGauge] | undefined;
  /** Rate-limit state from response headers, reported by the quota gauges. */
  private readonly quota = new QuotaTable();
  /** Running totals of named conversations. */
  private readonly conversations = new ConversationTable();
  /** Share of calls whose input is counted locally to reconcile estimates with bills. */
  private readonly reconcileShare: number;
  /** Sinks of the governance metrics' attribute sets, each admitted once against its metric's series cap. */
  private readonly governanceSinks = new Map<string, HistogramSink | CounterSink>();
  /** `tokenomics.instrumentation.errors` by stage. */
  private readonly errorSinks = new Map<string, CounterSink>();
  private readonly observeRemaining: ObservableCallback = (result) => this.quota.observe(result, 'remaining', Date.now());
  private readonly observeLimit: ObservableCallback = (result) => this.quota.observe(result, 'limit', Date.now());
  /** Scratch space of {@link partitionTokens}, reused by every call (metrics are recorded synchronously). */
  private readonly parts = new Float64Array(TOKEN_UNITS.length);

  constructor(
    private readonly getTracer: () => Tracer,
    private readonly config: TokenomicsInstrumentationConfig,
  ) {
    this.maxValues = config.maxAttributeValues ?? DEFAULT_MAX_VALUES;
    this.seriesLimit = new SeriesLimit(config.maxSeriesPerMetric ?? DEFAULT_MAX_SERIES_PER_METRIC);
    this.reconcileShare = reconcileSample(config.reconcileSample);
    // Reconciled calls are counted in the token worker: start it, at its low priority, and let it
    // load tiktoken now rather than on the first sampled call, whose count would wait for that.
    if (this.reconcileShare > 0) warmTokenWorker();
    this.models = new BoundedValues(this.maxValues);
    this.attributionKeys = new Set(config.attributionKeys ?? DEFAULT_ATTRIBUTION_KEYS);
    noteMetricAttributionKeys(this.attributionKeys);
    this.captureContent = shouldCaptureContent(config.captureMessageContent);
  }

  /**
   * Uses the instruments shared by every Tokenomics instrumentation on `source` (created on first
   * use): a meter provider's `@tokenomics/instrumentation` meter, or a meter given directly.
   * Called when the meter provider changes.
   */
  updateInstruments(source: MeterProvider | Meter): void {
    // Series are rebuilt for the new instruments, with a full series budget.
    this.detachInstruments();
    const shared = sharedInstruments(source);
    this.sinks = shared.sinks;
    this.series = new SeriesCache(shared.sinks, this.seriesLimit);
    this.quotaGauges = [shared.quotaRemaining, shared.quotaLimit];
    shared.quotaRemaining.addCallback(this.observeRemaining);
    shared.quotaLimit.addCallback(this.observeLimit);
  }

  /**
   * Stops recording metrics and taking part in collections: the recorder can then be dropped (the
   * instrumentation's configuration was replaced). Every value recorded is already in the
   * aggregation or the instruments: nothing is held back.
   */
  detachInstruments(): void {
    this.sinks = undefined;
    this.series = undefined;
    this.governanceSinks.clear();
    this.errorSinks.clear();
    if (this.quotaGauges) {
      this.quotaGauges[0].removeCallback(this.observeRemaining);
      this.quotaGauges[1].removeCallback(this.observeLimit);
      this.quotaGauges = undefined;
    }
  }

  /**
   * Whether some calls have their input counted to reconcile estimates with bills
   * (`reconcileSample` above 0): without it, an adapter need not give {@link CallStart.inputEstimate}.
   */
  get reconciles(): boolean {
    return this.reconcileShare > 0;
  }

  /**
   * Starts the span of a call in the active context. Never throws.
   *
   * The span is created with what a sampler decides by: the GenAI conventions' sampling-relevant
   * attributes (operation, provider, request model, server address and port), the
   * `tokenomics.attribution.*` keys and the conversation id. The request parameters, the requested
   * service tier and captured input are set on the span right after, and only on a span that
   * records: the trace SDK copies and checks start attributes twice before the span checks them a
   * third time, a set attribute is checked once. The span ends with the same attributes either way.
   */
  start(start: CallStart): GenAICall {
    const attributes: Attributes = {
      [sc.ATTR_GEN_AI_OPERATION_NAME]: start.operation,
      [sc.ATTR_GEN_AI_PROVIDER_NAME]: start.provider,
      [sc.ATTR_GEN_AI_REQUEST_MODEL]: start.requestModel,
    };
    if (this.deprecatedNames) attributes[sc.ATTR_GEN_AI_SYSTEM] = deprecatedSystemName(start.provider);
    if (start.serverAddress) attributes[sc.ATTR_SERVER_ADDRESS] = start.serverAddress;
    if (start.serverPort) attributes[sc.ATTR_SERVER_PORT] = start.serverPort;
    const active = contextApi.active();
    const attribution = getAttribution(active);
    for (const key in attribution) attributes[sc.ATTR_TOKENOMICS_ATTRIBUTION_PREFIX + key] = attribution[key];
    const requested = start.attributes;
    const conversationId = this.conversationOf(start, requested, attributes, attribution);
    const span = this.getTracer().startSpan(spanName(start.operation, start.requestModel), { kind: CLIENT, attributes }, active);
    if (span.isRecording()) {
      if (requested !== undefined) {
        for (const key in requested) {
          const value = requested[key];
          // The recorder's own start attributes win, as they did when the two were one object.
          if (value !== undefined && Object.hasOwn(requested, key) && !Object.hasOwn(attributes, key)) span.setAttribute(key, value);
        }
      }
      if (start.requestedServiceTier) span.setAttribute(serviceTierKey(start.provider, 'request'), start.requestedServiceTier);
      if (this.captureContent && start.inputMessages) {
        const text = serialiseContent(safeCall(start.inputMessages));
        if (text !== undefined) span.setAttribute(sc.ATTR_GEN_AI_INPUT_MESSAGES, text);
      }
    }
    const call = new GenAICall(this, span, start, attribution);
    call.conversationId = conversationId;
    call.reconcile = this.reconcileShare > 0 && start.inputEstimate !== undefined && Math.random() < this.reconcileShare;
    return call;
  }

  /**
   * The conversation a call belongs to: `gen_ai.conversation.id` set by the adapter in `requested`
   * (an SDK option), else the attribution key `conversation`, else the conversation of the response
   * it continues. The span's start `attributes` get `gen_ai.conversation.id`.
   */
  private conversationOf(
    start: CallStart,
    requested: Attributes | undefined,
    attributes: Attributes,
    attribution: Attribution,
  ): string | undefined {
    let id: string | undefined;
    if (requested !== undefined && Object.hasOwn(requested, sc.ATTR_GEN_AI_CONVERSATION_ID)) {
      const given = requested[sc.ATTR_GEN_AI_CONVERSATION_ID];
      attributes[sc.ATTR_GEN_AI_CONVERSATION_ID] = given;
      id = conversationIdOf(given);
    }
    if (id === undefined && Object.hasOwn(attribution, CONVERSATION_KEY)) {
      id = conversationIdOf(attribution[CONVERSATION_KEY]);
      if (id !== undefined) attributes[sc.ATTR_GEN_AI_CONVERSATION_ID] = id;
    }
    if (id === undefined && start.previousResponseId !== undefined) {
      id = this.conversations.conversationOfResponse(start.previousResponseId);
      if (id !== undefined) attributes[sc.ATTR_GEN_AI_CONVERSATION_ID] = id;
    }
    return id;
  }

  /**
   * @internal The headers of a call's response (a fetch `Headers` or a plain object): the
   * provider's rate-limit state is kept for the quota gauges. Never throws.
   */
  observeResponseHeaders(call: GenAICall, headers: unknown): void {
    try {
      this.quota.offer(call.start.provider, this.models.admit(call.start.requestModel), headers);
    } catch (err) {
      this.reportInternalError('quota headers', err);
    }
  }

  /** Records a problem the instrumentation absorbed; never throws. */
  reportInternalError(stage: string, err: unknown): void {
    try {
      diag.warn(`tokenomics: ${stage} failed; telemetry for this call may be incomplete`, err);
      this.errorSink(stage)?.add(1);
    } catch {
      /* a diagnostic logger or meter that throws: nothing may reach the app */
    }
  }

  /**
   * @internal Called once per call by {@link GenAICall}. A call with usage still to count ends its
   * span when the token worker answers (or gives up), with `endTime` as the span's end.
   */
  finish(call: GenAICall, error: unknown, outcome: StreamOutcome | undefined, endTime: number): void {
    const estimate = call.result.usageEstimate;
    if (estimate === undefined) {
      this.complete(call, error, outcome, endTime, undefined);
      return;
    }
    call.result.usageEstimate = undefined;
    trackEstimate(
      countInWorker(estimate.job),
      (counted) => {
        try {
          const result = call.result;
          const usage = counted.ok ? (estimate.toUsage(counted.counts) ?? estimate.known) : estimate.known;
          result.usage = usage;
          result.usageEstimated = usage !== undefined;
          this.complete(call, error, outcome, endTime, counted.ok ? undefined : counted.reason);
        } catch (err) {
          this.reportInternalError('finish', err);
          try {
            call.span.end(endTime);
          } catch {
            /* the span is unusable; nothing more to do */
          }
          releaseBudgetHold(call);
        }
      },
      estimate.job,
    );
  }

  private complete(
    call: GenAICall,
    error: unknown,
    outcome: StreamOutcome | undefined,
    endTime: number,
    estimateUnavailable: EstimateUnavailableReason | undefined,
  ): void {
    const { start, result, span } = call;
    const reported = result.usage;
    const estimated = result.usageEstimated === true;
    // Untrusted counts are checked before anything reads them; invalid ones reach no metric or price.
    let invalid: string | undefined;
    let bookCost: Cost;
    if (reported !== undefined && checksUsage(this.config.priceBook ?? defaultPriceBook())) {
      // The book checks the counts before it prices them (the same check, and the context window):
      // a priced call's usage is valid, and only the usage of a call it did not price is checked here.
      bookCost = this.price(start, result, reported, estimated, call.startedAt, undefined);
      invalid = bookCost.priced ? undefined : problemOf(reported);
      if (invalid !== undefined) bookCost = this.price(start, result, undefined, estimated, call.startedAt, invalid);
    } else {
      invalid = reported ? problemOf(reported) : undefined;
      bookCost = this.price(start, result, invalid === undefined ? reported : undefined, estimated, call.startedAt, invalid);
    }
    const cost =
      result.reportedCost !== undefined && !estimated && invalid === undefined
        ? providerReportedCost(bookCost, result.reportedCost)
        : bookCost;
    if (invalid === undefined && !bookCost.priced && bookCost.reason === 'invalid_usage')
      invalid = bookCost.invalidReason ?? 'invalid_usage';
    const usage = invalid === undefined ? reported : undefined;
    // A call that failed before the provider reported usage was not billed: nothing to price.
    const failedUnbilled = error !== undefined && !reported;

    // Straight onto the span (an intermediate object of this size goes to dictionary mode, and
    // copying it over was a measurable part of ending a call); nothing for a span sampled out.
    if (span.isRecording()) {
      this.setEndAttributes(span, call.start.provider, result, usage, estimated, cost, failedUnbilled, outcome);
      if (invalid !== undefined) {
        span.setAttribute(sc.ATTR_TOKENOMICS_USAGE_INVALID, true);
        span.setAttribute(sc.ATTR_TOKENOMICS_USAGE_INVALID_REASON, invalid);
      }
      if (estimateUnavailable !== undefined) span.setAttribute(sc.ATTR_TOKENOMICS_USAGE_ESTIMATE_UNAVAILABLE, estimateUnavailable);
    }
    // A call that failed before anything was billed is not a turn of its conversation.
    // Only a call in a named conversation, or one a later call may continue, has a turn to count.
    let conversation: ConversationTurn | undefined;
    if (!failedUnbilled && (call.conversationId !== undefined || start.continuable === true)) {
      try {
        conversation = this.conversationTurn(call, usage, cost);
      } catch {
        conversation = undefined;
      }
    }
    if (conversation !== undefined && span.isRecording()) {
      span.setAttribute(ATTR_TOKENOMICS_CONVERSATION_TURN, conversation.turn);
      span.setAttribute(ATTR_TOKENOMICS_CONVERSATION_INPUT_TOKENS, conversation.inputTokens);
      if (conversation.cost !== undefined) span.setAttribute(ATTR_TOKENOMICS_CONVERSATION_COST, conversation.cost);
    }
    const type = error === undefined ? undefined : errorType(error);
    if (type) {
      span.setAttribute(sc.ATTR_ERROR_TYPE, type);
      const message = errorMessage(error);
      span.setStatus(message === undefined ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message });
    }
    span.end(endTime);
    // The budget windows count what the call cost as it ends.
    getBudgetGuard()?.settle(call, !failedUnbilled && cost.priced ? cost.amount : undefined);

    this.recordMetrics(call, usage, estimated, failedUnbilled ? undefined : cost, type && this.errorTypes.admit(type), endTime, invalid);
    try {
      if (error !== undefined) this.recordRateLimited(call, error);
      if (!estimated && usage !== undefined) this.recordGovernance(call, usage, bookCost, cost, conversation?.turn);
    } catch (err) {
      // the span has ended: only these extra points are lost
      this.reportInternalError('governance metrics', err);
    }
  }

  /** The conversation's totals after this call; `undefined` for a call in no named conversation. */
  private conversationTurn(call: GenAICall, usage: Usage | undefined, cost: Cost | undefined): ConversationTurn | undefined {
    const { start, result } = call;
    const now = Date.now();
    const input = usage?.inputTokens ?? 0;
    const amount = cost?.priced ? cost.amount : undefined;
    const responseId = conversationIdOf(result.responseId);
    let id = call.conversationId;
    let turn: ConversationTurn | undefined;
    if (id !== undefined) turn = this.conversations.add(id, input, amount, now);
    else if (start.continuable && responseId !== undefined) {
      // Not yet a conversation: kept so that a follow-up naming this response continues it.
      id = responseId;
      this.conversations.add(id, input, amount, now);
    }
    if (id !== undefined && responseId !== undefined) this.conversations.linkResponse(responseId, id);
    return turn;
  }

  /** A 429 answer: counted by the limit type its headers name, and their state kept for the gauges. */
  private recordRateLimited(call: GenAICall, error: unknown): void {
    const http = httpErrorOf(error);
    if (http === undefined || http.status !== 429) return;
    const provider = call.start.provider;
    const model = this.models.admit(call.start.requestModel);
    // The latest answer's headers, in the order answers came (read at the next collection).
    this.quota.offer(provider, model, http.headers);
    if (!this.series) return;
    const reading = readQuotaHeaders(http.headers);
    const limitType = exhaustedLimitType(reading);
    const sink = this.governanceCounter('quota_rate_limited', `${provider}\u0000${model}\u0000${limitType}`, () => ({
      [sc.ATTR_GEN_AI_PROVIDER_NAME]: provider,
      [sc.ATTR_GEN_AI_REQUEST_MODEL]: model,
      [ATTR_TOKENOMICS_QUOTA_LIMIT_TYPE]: limitType,
    }));
    sink?.add(1);
  }

  /**
   * Cache savings, the conversation's turn histogram and the reconciliation of estimates with
   * bills, for a call with billed usage priced by the book (`bookCost`; `cost` is what was recorded,
   * the provider's figure when it reported one).
   */
  private recordGovernance(call: GenAICall, usage: Usage, bookCost: Cost, cost: Cost, turn: number | undefined): void {
    if (!this.series) return;
    const { start, result } = call;
    const provider = start.provider;
    const model = this.models.admit(start.requestModel);
    const cached = (usage.cacheReadTokens ?? 0) > 0 || (usage.cacheWriteTokens ?? 0) > 0 || (usage.cacheWrite1hTokens ?? 0) > 0;
    const saved =
      cached && bookCost.priced
        ? cacheSavings(
            this.config.priceBook ?? defaultPriceBook(),
            usage,
            this.priceOptions(start, result, call.startedAt, false),
            bookCost,
          )
        : undefined;
    if (saved !== undefined) {
      const series = this.seriesOf(call);
      if (saved.savings > 0) series.cacheSavings.add(saved.savings);
      if (saved.writePremium > 0) series.cacheWritePremium.add(saved.writePremium);
    }
    if (turn !== undefined && usage.inputTokens !== undefined) {
      const range = turnRange(turn);
      const sink = this.governanceHistogram('conversation_turn_input_tokens', `${provider}\u0000${model}\u0000${range}`, () => ({
        [sc.ATTR_GEN_AI_PROVIDER_NAME]: provider,
        [sc.ATTR_GEN_AI_REQUEST_MODEL]: model,
        [ATTR_TOKENOMICS_CONVERSATION_TURN_RANGE]: range,
      }));
      sink?.record(usage.inputTokens);
    }
    if (result.reportedCost !== undefined && bookCost.priced && cost !== bookCost) {
      const ratio = estimateRatio(result.reportedCost, bookCost.amount);
      if (ratio !== undefined) {
        const sink = this.governanceHistogram('reconciliation_cost', `${provider}\u0000${model}`, () => ({
          [sc.ATTR_GEN_AI_PROVIDER_NAME]: provider,
          [sc.ATTR_GEN_AI_REQUEST_MODEL]: model,
        }));
        sink?.record(ratio);
      }
    }
    const billedInput = usage.inputTokens;
    const preflight = call.preflightInput;
    if (preflight !== undefined && billedInput !== undefined && billedInput > 0) {
      // An estimate made anyway (the budget guard's): reconciled at no further cost.
      const ratio = estimateRatio(preflight.tokens, billedInput);
      if (ratio !== undefined) {
        const sink = this.governanceHistogram(
          'reconciliation_input_tokens',
          `${provider}\u0000${model}\u0000${preflight.encoding}`,
          () => ({
            [sc.ATTR_GEN_AI_PROVIDER_NAME]: provider,
            [sc.ATTR_GEN_AI_REQUEST_MODEL]: model,
            [ATTR_TOKENOMICS_TOKEN_ENCODING]: preflight.encoding,
          }),
        );
        sink?.record(ratio);
      }
      return;
    }
    if (call.reconcile && billedInput !== undefined && billedInput > 0) {
      const job = safeCall(() => start.inputEstimate?.());
      if (job === undefined) return;
      reconcileInput(job, billedInput, (ratio, encoding) => {
        const sink = this.governanceHistogram('reconciliation_input_tokens', `${provider}\u0000${model}\u0000${encoding}`, () => ({
          [sc.ATTR_GEN_AI_PROVIDER_NAME]: provider,
          [sc.ATTR_GEN_AI_REQUEST_MODEL]: model,
          [ATTR_TOKENOMICS_TOKEN_ENCODING]: encoding,
        }));
        sink?.record(ratio);
      });
    }
  }

  /**
   * The sink of the attribute set `key` of a governance histogram, admitted once against the
   * metric's series cap; `undefined` without a meter provider.
   */
  private governanceHistogram(metric: SeriesMetric, key: string, build: () => Attributes): HistogramSink | undefined {
    return this.governanceSink(metric, key, build, false) as HistogramSink | undefined;
  }

  /** As {@link governanceHistogram}, for a governance counter. */
  private governanceCounter(metric: SeriesMetric, key: string, build: () => Attributes): CounterSink | undefined {
    return this.governanceSink(metric, key, build, true) as CounterSink | undefined;
  }

  private governanceSink(
    metric: SeriesMetric,
    key: string,
    build: () => Attributes,
    counter: boolean,
  ): HistogramSink | CounterSink | undefined {
    const series = this.series;
    if (series === undefined) return undefined;
    const cacheKey = `${metric}\u0000${key}`;
    let sink = this.governanceSinks.get(cacheKey);
    if (sink === undefined) {
      sink = counter ? series.sinks.counter(metric, build) : series.sinks.histogram(metric, build);
      if (this.governanceSinks.size < 4096) this.governanceSinks.set(cacheKey, sink);
    }
    return sink;
  }

  /** `tokenomics.instrumentation.errors` of `stage`; `undefined` without a meter provider. */
  private errorSink(stage: string): CounterSink | undefined {
    const sinks = this.sinks;
    if (sinks === undefined) return undefined;
    let sink = this.errorSinks.get(stage);
    if (sink === undefined) {
      sink = sinks.counter(TOKENOMICS_INSTRUMENTATION_ERRORS, { [sc.ATTR_TOKENOMICS_ERROR_STAGE]: stage });
      // stages are a handful of fixed names; the cap only guards against surprises
      if (this.errorSinks.size < 64) this.errorSinks.set(stage, sink);
    }
    return sink;
  }

  private setEndAttributes(
    span: Span,
    provider: string,
    result: CallResult,
    usage: Usage | undefined,
    estimated: boolean,
    cost: Cost,
    failedUnbilled: boolean,
    outcome: StreamOutcome | undefined,
  ): void {
    const own = plainEndValues(result, cost) ? directAttributes(span, result.finishReasons) : undefined;
    if (own !== undefined) {
      addAttributeCount(span, this.writeHeadAttributes(own, provider, result, usage, estimated, cost, failedUnbilled));
    } else {
      // Through `setAttribute` (which `setAttributes` calls for each, in order): it checks, cuts or
      // drops each value under the span's limits.
      const head: Attributes = {};
      this.writeHeadAttributes(head, provider, result, usage, estimated, cost, failedUnbilled);
      span.setAttributes(head);
    }
    if (cost.priced) {
      // Rare, through the span (its count is current).
      setReportedCostAttributes(span, cost);
      // The breakdown's amounts: stored directly after a head stored directly (the room for
      // BREAKDOWN_MOST of them was checked with it), any further one, or one that is not a number,
      // through the span with the count made current first.
      const breakdown = cost.breakdown;
      let room = BREAKDOWN_MOST;
      let added = 0;
      for (const unit in breakdown) {
        const key = costAttributeKey(unit);
        const amount = breakdown[unit as keyof typeof breakdown];
        if (own !== undefined && room > 0 && typeof amount === 'number') {
          room--;
          if (!(key in own)) added++;
          own[key] = amount;
        } else {
          if (added > 0) addAttributeCount(span, added);
          added = 0;
          span.setAttribute(key, amount as number);
        }
      }
      if (added > 0) addAttributeCount(span, added);
    }
    // The rest, through the span (rare).
    if (outcome) span.setAttribute(sc.ATTR_TOKENOMICS_STREAM_OUTCOME, outcome);
    if (this.captureContent && result.outputMessages) {
      const text = serialiseContent(safeCall(result.outputMessages));
      if (text !== undefined) span.setAttribute(sc.ATTR_GEN_AI_OUTPUT_MESSAGES, text);
    }
  }

  /**
   * The first part of {@link setEndAttributes} (response, usage, estimate, price book and cost, or
   * why the call is unpriced), stored straight into `a`: the attribute object of a trace SDK span
   * ({@link directAttributes}), or a plain object then handed to the span's `setAttributes`. Each
   * key has its own store here, so each store always sees the same key and nearly always the same
   * object shape: V8 keeps it a direct field write, where the SDK's one store for every key of
   * every span is a generic look-up. Returns the number of keys added.
   */
  private writeHeadAttributes(
    a: Attributes,
    provider: string,
    result: CallResult,
    usage: Usage | undefined,
    estimated: boolean,
    cost: Cost,
    failedUnbilled: boolean,
  ): number {
    let added = 0;
    const responseModel = result.responseModel;
    if (responseModel) {
      if (!(sc.ATTR_GEN_AI_RESPONSE_MODEL in a)) added++;
      a[sc.ATTR_GEN_AI_RESPONSE_MODEL] = responseModel;
    }
    const responseId = result.responseId;
    if (responseId) {
      if (!(sc.ATTR_GEN_AI_RESPONSE_ID in a)) added++;
      a[sc.ATTR_GEN_AI_RESPONSE_ID] = responseId;
    }
    const reasons = result.finishReasons;
    if (reasons !== undefined && reasons.length > 0) {
      if (!(sc.ATTR_GEN_AI_RESPONSE_FINISH_REASONS in a)) added++;
      // A copy, as the SDK stores one.
      a[sc.ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = reasons.slice();
    }
    const serviceTier = result.serviceTier;
    if (serviceTier) {
      const key = serviceTierKey(provider, 'response');
      if (!(key in a)) added++;
      a[key] = serviceTier;
    }
    if (usage) {
      if (usage.inputTokens !== undefined) {
        if (!(sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS in a)) added++;
        a[sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS] = usage.inputTokens;
      }
      if (usage.outputTokens !== undefined) {
        if (!(sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS in a)) added++;
        a[sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = usage.outputTokens;
      }
      if (usage.cacheReadTokens !== undefined) {
        if (!(sc.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS in a)) added++;
        a[sc.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = usage.cacheReadTokens;
      }
      if (usage.cacheWriteTokens !== undefined || usage.cacheWrite1hTokens !== undefined) {
        const cacheWrite = (usage.cacheWriteTokens ?? 0) + (usage.cacheWrite1hTokens ?? 0);
        if (!(sc.ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS in a)) added++;
        a[sc.ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS] = cacheWrite;
        if (this.deprecatedNames) {
          if (!(sc.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS in a)) added++;
          a[sc.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] = cacheWrite;
        }
      }
      if (usage.reasoningTokens !== undefined) {
        if (!(sc.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS in a)) added++;
        a[sc.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = usage.reasoningTokens;
      }
      if (this.deprecatedNames) {
        if (usage.inputTokens !== undefined) {
          if (!(sc.ATTR_GEN_AI_USAGE_PROMPT_TOKENS in a)) added++;
          a[sc.ATTR_GEN_AI_USAGE_PROMPT_TOKENS] = usage.inputTokens;
        }
        if (usage.outputTokens !== undefined) {
          if (!(sc.ATTR_GEN_AI_USAGE_COMPLETION_TOKENS in a)) added++;
          a[sc.ATTR_GEN_AI_USAGE_COMPLETION_TOKENS] = usage.outputTokens;
        }
      }
    }
    if (!(sc.ATTR_TOKENOMICS_USAGE_ESTIMATED in a)) added++;
    a[sc.ATTR_TOKENOMICS_USAGE_ESTIMATED] = estimated;
    if (!(sc.ATTR_TOKENOMICS_PRICE_BOOK_VERSION in a)) added++;
    a[sc.ATTR_TOKENOMICS_PRICE_BOOK_VERSION] = cost.priceBookVersion;
    if (cost.priced) {
      if (!(sc.ATTR_GEN_AI_USAGE_COST_AMOUNT in a)) added++;
      a[sc.ATTR_GEN_AI_USAGE_COST_AMOUNT] = cost.amount;
      if (!(sc.ATTR_GEN_AI_USAGE_COST_CURRENCY in a)) added++;
      a[sc.ATTR_GEN_AI_USAGE_COST_CURRENCY] = cost.currency;
      if (!(sc.ATTR_GEN_AI_USAGE_COST_SOURCE in a)) added++;
      a[sc.ATTR_GEN_AI_USAGE_COST_SOURCE] = isProviderReported(cost) ? COST_SOURCE_PROVIDER : sc.COST_SOURCE_LOCAL;
      if (cost.matchedModel) {
        if (!(sc.ATTR_TOKENOMICS_PRICING_MODEL in a)) added++;
        a[sc.ATTR_TOKENOMICS_PRICING_MODEL] = cost.matchedModel;
      }
    } else if (!failedUnbilled) {
      if (!(sc.ATTR_TOKENOMICS_UNPRICED in a)) added++;
      a[sc.ATTR_TOKENOMICS_UNPRICED] = true;
      if (!(sc.ATTR_TOKENOMICS_UNPRICED_REASON in a)) added++;
      a[sc.ATTR_TOKENOMICS_UNPRICED_REASON] = cost.reason;
    }
    return added;
  }

  private price(
    start: CallStart,
    result: CallResult,
    usage: Usage | undefined,
    estimated: boolean,
    startedAt: number,
    invalid: string | undefined,
  ): Cost {
    const book = this.config.priceBook ?? defaultPriceBook();
    if (invalid !== undefined) {
      const detail = `the reported usage is invalid (${invalid})`;
      return { priced: false, reason: 'invalid_usage', detail, invalidReason: invalid, priceBookVersion: book.version, estimated };
    }
    if (!usage) {
      return { priced: false, reason: 'no_usage', detail: 'the call reported no usage', priceBookVersion: book.version, estimated };
    }
    const cost = book.price(usage, this.priceOptions(start, result, startedAt, estimated));
    if (cost.priced && !(cost.amount >= 0 && cost.amount < Infinity)) {
      return {
        priced: false,
        reason: 'invalid_cost',
        detail: `the price book gave ${cost.amount} USD`,
        priceBookVersion: book.version,
        estimated,
      };
    }
    return cost;
  }

  /**
   * What the price book is asked for a call. The book prefers the reported response model (the
   * real model behind an Azure deployment) unless the request model is a configured alias, and
   * falls back to the request model.
   */
  private priceOptions(start: CallStart, result: CallResult, startedAt: number, estimated: boolean): PriceOptions {
    return {
      provider: start.provider,
      operation: start.operation,
      model: start.requestModel,
      responseModel: result.billedByRequestModel ? undefined : result.responseModel,
      at: startedAt,
      serviceTier: result.serviceTier ?? start.requestedServiceTier,
      estimated,
    };
  }

  private recordMetrics(
    call: GenAICall,
    usage: Usage | undefined,
    estimated: boolean,
    cost: Cost | undefined,
    errType: string | undefined,
    endTime: number,
    invalid: string | undefined,
  ): void {
    if (!this.series) return;
    const series = this.seriesOf(call);
    series.duration(errType).record((endTime - call.startedAt) / 1000);
    if (call.firstChunkAt !== undefined) series.firstChunk.record((call.firstChunkAt - call.startedAt) / 1000);
    if (usage) {
      if (usage.inputTokens !== undefined) series.inputUsage.record(usage.inputTokens);
      if (usage.outputTokens !== undefined) series.outputUsage.record(usage.outputTokens);
      const parts = partition(usage, this.parts);
      for (let i = 0; i < UNIT_COUNT; i++) {
        const n = parts[i];
        if (n > 0) series.tokens(UNITS[i], estimated).add(n);
      }
    }
    if (estimated) series.estimated.add(1);
    if (invalid !== undefined) series.invalidUsage(invalid).add(1);
    if (!cost) return;
    if (cost.priced) {
      const breakdown = cost.breakdown;
      for (const unit in breakdown) {
        const amount = breakdown[unit as keyof typeof breakdown] as number;
        if (amount > 0) series.cost(unit, estimated).add(amount);
      }
    } else {
      series.unpriced(cost.reason).add(1);
    }
  }

  /** The metric series of a call: provider, operation, models and allow-listed attribution, each capped. */
  private seriesOf(call: GenAICall): MetricSeries {
    const { start, result } = call;
    const last = this.lastSeries;
    if (
      last !== undefined &&
      last.cache === this.series &&
      last.attribution === call.attribution &&
      last.requestModel === start.requestModel &&
      last.responseModel === result.responseModel &&
      last.provider === start.provider &&
      last.operation === start.operation
    ) {
      return last.series;
    }
    const series = this.findSeries(call);
    // The overflow series is found again each time, so that each call sent there is counted.
    if (series.base === OVERFLOW_ATTRIBUTES) return series;
    // One record, rewritten in place: a service alternating between models allocates nothing here.
    const cache = this.series as SeriesCache;
    if (last === undefined) {
      this.lastSeries = {
        cache,
        attribution: call.attribution,
        provider: start.provider,
        operation: start.operation,
        requestModel: start.requestModel,
        responseModel: result.responseModel,
        series,
      };
    } else {
      last.cache = cache;
      last.attribution = call.attribution;
      last.provider = start.provider;
      last.operation = start.operation;
      last.requestModel = start.requestModel;
      last.responseModel = result.responseModel;
      last.series = series;
    }
    return series;
  }

  private findSeries(call: GenAICall): MetricSeries {
    const { start, result } = call;
    const requestModel = this.models.admit(start.requestModel);
    const responseModel = result.responseModel ? this.models.admit(result.responseModel) : undefined;
    let attribution: Array<[string, string]> | undefined;
    let attributionKey = '';
    for (const k in call.attribution) {
      if (!this.attributionKeys.has(k)) continue;
      const v = this.attributionBound(k).admit(call.attribution[k]);
      (attribution ??= []).push([k, v]);
      attributionKey += `\u0000${k}\u0001${v}`;
    }
    const cache = this.series as SeriesCache;
    const known = cache.get(start.provider, start.operation, requestModel, responseModel ?? '', attributionKey);
    if (known) return known;
    const base: Attributes = {
      [sc.ATTR_GEN_AI_PROVIDER_NAME]: start.provider,
      [sc.ATTR_GEN_AI_OPERATION_NAME]: start.operation,
      [sc.ATTR_GEN_AI_REQUEST_MODEL]: requestModel,
    };
    if (responseModel !== undefined) base[sc.ATTR_GEN_AI_RESPONSE_MODEL] = responseModel;
    if (attribution) for (const [k, v] of attribution) base[sc.ATTR_TOKENOMICS_ATTRIBUTION_PREFIX + k] = v;
    return cache.add(start.provider, start.operation, requestModel, responseModel ?? '', attributionKey, base);
  }

  private attributionBound(key: string): BoundedValues {
    let bound = this.attributionValues.get(key);
    if (!bound) {
      bound = new BoundedValues(this.maxValues);
      this.attributionValues.set(key, bound);
    }
    return bound;
  }
}

/**
 * One LLM call in flight. Adapters fill {@link result} as they learn it and end the call exactly
 * once with {@link succeed}, {@link fail} or {@link endStream}; later calls are ignored.
 */
export class GenAICall {
  readonly result: CallResult = {};
  /** Epoch milliseconds (fractional) at start. */
  readonly startedAt: number;
  firstChunkAt: number | undefined;
  /** @internal The named conversation the call belongs to, if any. */
  conversationId: string | undefined;
  /** @internal The call is in the reconciliation sample. */
  reconcile = false;
  /**
   * Input tokens a pre-flight estimate counted before the call was sent (the budget guard's), with
   * the encoding it counted them in: reconciled with the billed input when the call ends.
   */
  preflightInput: { tokens: number; encoding: string } | undefined;
  /** @internal What the budget guard holds in flight for the call (its estimate per budget), released as it ends. */
  budgetHold: ReadonlyArray<BudgetHold> | undefined = undefined;
  /**
   * Epoch milliseconds of the latest streamed chunk, 0 before the first. Always a number, so that V8
   * keeps the field a double written in place: a chunk stores its time without allocating.
   */
  private lastChunkAt = 0;
  /** The stream was dropped unfinished and is being ended by the collector. */
  private collected = false;
  private ended = false;

  constructor(
    private readonly recorder: GenAIRecorder,
    readonly span: Span,
    readonly start: CallStart,
    readonly attribution: Attribution,
  ) {
    this.startedAt = nowMs();
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Marks the arrival of a streamed chunk: the first gives the time to first chunk, the latest the end of a stream dropped unfinished. */
  chunkArrived(): void {
    const now = nowMs();
    this.lastChunkAt = now;
    if (this.firstChunkAt === undefined) this.firstChunkAt = now;
  }

  /**
   * @internal The app dropped the stream unfinished and it was garbage collected: the call ends at
   * the time its last chunk was seen (its start if none), not at collection time.
   */
  markCollected(): void {
    this.collected = true;
  }

  /** Ends a call that completed. */
  succeed(): void {
    this.finish(undefined, undefined);
  }

  /** Ends a call that failed with `error` (the error the app receives). */
  fail(error: unknown): void {
    this.finish(error ?? new Error('unknown error'), undefined);
  }

  /** Ends a streamed call. */
  endStream(outcome: StreamOutcome, error?: unknown): void {
    this.finish(outcome === 'error' ? (error ?? new Error('stream error')) : undefined, outcome);
  }

  /** The headers of the call's response: the provider's rate-limit state is read from them. Never throws. */
  responseHeaders(headers: unknown): void {
    this.recorder.observeResponseHeaders(this, headers);
  }

  /** The span's context, for child spans of this call. */
  spanContext() {
    return traceApi.setSpan(contextApi.active(), this.span);
  }

  /**
   * Calls `fn` with `thisArg` and `args` in the span's context, so that what the client library does
   * inside the call is parented to the call's span. A span that records nothing and has no valid
   * span context (no tracer provider registered: metrics only) has nothing to hand to children:
   * `fn` then runs in the active context, without entering a new one, which would turn on the
   * context manager's tracking of every promise in the process.
   */
  run<A extends unknown[], R>(fn: (this: unknown, ...args: A) => R, thisArg: unknown, ...args: A): R {
    if (!this.hasSpanContext) return fn.apply(thisArg, args);
    return contextApi.with(traceApi.setSpan(contextApi.active(), this.span), fn, thisArg, ...args);
  }

  /**
   * Whether the call's span has something to hand to children: it records, or has a valid span
   * context (sampled out). `false` without a tracer provider (metrics only): the call's work then
   * runs in the active context, with nothing entered (see {@link run}).
   */
  get hasSpanContext(): boolean {
    const span = this.span;
    if (span.isRecording()) return true;
    // The span of a tracer without a provider: known invalid without checking its ids.
    const spanContext = span.spanContext();
    return spanContext !== INVALID_SPAN_CONTEXT && isSpanContextValid(spanContext);
  }

  private finish(error: unknown, outcome: StreamOutcome | undefined): void {
    if (this.ended) return;
    this.ended = true;
    try {
      this.recorder.finish(this, error, outcome, this.collected ? (this.lastChunkAt > 0 ? this.lastChunkAt : this.startedAt) : nowMs());
    } catch (err) {
      this.recorder.reportInternalError('finish', err);
      try {
        this.span.end();
      } catch {
        /* the span is unusable; nothing more to do */
      }
      releaseBudgetHold(this);
    }
  }
}

/**
 * What {@link GenAIRecorder} found the latest call's series by. The same raw values find the same
 * series: a model admitted once stays admitted, and one past the cap stays past it.
 */
interface LastSeries {
  cache: SeriesCache;
  attribution: Attribution;
  provider: string;
  operation: string;
  requestModel: string;
  responseModel: string | undefined;
  series: MetricSeries;
}

/** Span names by operation, then by request model: a service names a handful of models. */
const SPAN_NAMES = new Map<string, Map<string, string>>();
/** Most request models whose span name is kept, per operation (a model past it gets a fresh name each call). */
const MAX_SPAN_NAMES = 256;

/** `{operation} {model}`, the span name of the GenAI conventions, built once per operation and model. */
function spanName(operation: string, model: string): string {
  let byModel = SPAN_NAMES.get(operation);
  if (byModel === undefined) {
    byModel = new Map();
    if (SPAN_NAMES.size < 16) SPAN_NAMES.set(operation, byModel);
  }
  let name = byModel.get(model);
  if (name === undefined) {
    name = `${operation} ${model}`;
    if (byModel.size < MAX_SPAN_NAMES) byModel.set(model, name);
  }
  return name;
}

const COST_ATTRIBUTE_KEYS = new Map<string, string>();

/** `tokenomics.cost.<unit>`, built once per billing unit. */
function costAttributeKey(unit: string): string {
  let key = COST_ATTRIBUTE_KEYS.get(unit);
  if (key === undefined) {
    key = sc.ATTR_TOKENOMICS_COST_PREFIX + unit;
    if (COST_ATTRIBUTE_KEYS.size < 64) COST_ATTRIBUTE_KEYS.set(unit, key);
  }
  return key;
}

/**
 * Whether `book` is Tokenomics' own price book, which prices a usage only after the counts pass
 * `usageProblem` (with the model's context window on top); a book given in the configuration may
 * be any `PriceBookLike`.
 */
function checksUsage(book: PriceBookLike): boolean {
  return Object.getPrototypeOf(book) === PRICE_BOOK_PROTOTYPE;
}
const PRICE_BOOK_PROTOTYPE: object = PriceBook.prototype;

function errorMessage(error: unknown): string | undefined {
  return error instanceof Error ? error.message : typeof error === 'string' ? error : undefined;
}

function safeCall<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** The clock's origin, read once (a getter), and the clock itself. */
const TIME_ORIGIN = performance.timeOrigin;
const clock = performance;

function nowMs(): number {
  return TIME_ORIGIN + clock.now();
}

/**
 * Span attribute of a service tier: the semconv `openai.*` names for OpenAI and Azure OpenAI,
 * `tokenomics.*` ones for providers without a convention of their own.
 */
function serviceTierKey(provider: string, side: 'request' | 'response'): string {
  if (provider === OPENAI || provider === AZURE_OPENAI) {
    return side === 'request' ? sc.ATTR_OPENAI_REQUEST_SERVICE_TIER : sc.ATTR_OPENAI_RESPONSE_SERVICE_TIER;
  }
  return side === 'request' ? sc.ATTR_TOKENOMICS_REQUEST_SERVICE_TIER : sc.ATTR_TOKENOMICS_RESPONSE_SERVICE_TIER;
}

/** Most cost breakdown amounts stored directly (a breakdown has one per billing unit priced: 11 units). */
const BREAKDOWN_MOST = 16;
/**
 * Room checked for the attributes of a call's end stored directly: the head
 * ({@link GenAIRecorder.writeHeadAttributes}, 18 with every optional one), the 2 of a reported cost
 * (through the span) and {@link BREAKDOWN_MOST}.
 */
const HEAD_ATTRIBUTES_MOST = 36;

/** The fields of a span of the OpenTelemetry trace SDK (2.x) that its `setAttribute` reads and writes. */
interface SdkSpanFields {
  attributes?: unknown;
  _attributesCount?: unknown;
  _attributeValueLengthLimit?: unknown;
  _spanLimits?: { attributeCountLimit?: unknown } | null;
  _ended?: unknown;
}

/**
 * The attribute object of `span` when the head of a call's end attributes can be stored in it
 * directly, with the same result as through `setAttribute`: a live span of the trace SDK (2.x)
 * with no value length limit (the SDK's default; with one, `setAttribute` cuts strings) and room
 * under its attribute count limit (128 by default) for {@link HEAD_ATTRIBUTES_MOST} more, so that no
 * attribute would be dropped; and finish reasons, if any, all strings (what the SDK accepts in an
 * array). The recorder's other values are strings, finite numbers and booleans by construction, the
 * types `setAttribute` accepts. `undefined` otherwise: the attributes then go through the span.
 */
function directAttributes(span: Span, finishReasons: readonly unknown[] | undefined): Attributes | undefined {
  const s = span as unknown as SdkSpanFields;
  if (s._ended !== false || s._attributeValueLengthLimit !== Infinity) return undefined;
  const count = s._attributesCount;
  const attributes = s.attributes;
  const limits = s._spanLimits;
  if (typeof count !== 'number' || typeof attributes !== 'object' || attributes === null || typeof limits !== 'object' || limits === null)
    return undefined;
  const limit = limits.attributeCountLimit;
  if (limit !== undefined && !(typeof limit === 'number' && count + HEAD_ATTRIBUTES_MOST <= limit)) return undefined;
  if (finishReasons !== undefined) for (const reason of finishReasons) if (typeof reason !== 'string') return undefined;
  return attributes as Attributes;
}

/**
 * Whether the values {@link GenAIRecorder.writeHeadAttributes} stores are of the types its stores
 * assume: strings (or absent) for the response's model, id and service tier and the cost's price book
 * version, currency, pricing model and unpriced reason, a number for a cost amount. The recorder's
 * adapters and price book give these; a price book from the configuration may give anything, and a
 * cost of other types goes through `setAttribute`, which checks each value.
 */
function plainEndValues(result: CallResult, cost: Cost): boolean {
  if (!optionalString(result.responseModel) || !optionalString(result.responseId) || !optionalString(result.serviceTier)) return false;
  if (typeof cost.priceBookVersion !== 'string') return false;
  if (!cost.priced) return typeof cost.reason === 'string';
  return typeof cost.amount === 'number' && typeof cost.currency === 'string' && optionalString(cost.matchedModel);
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

/** Counts `added` keys stored by {@link directAttributes}' caller in the span's attribute count, as `setAttribute` would have. */
function addAttributeCount(span: Span, added: number): void {
  (span as unknown as { _attributesCount: number })._attributesCount += added;
}
