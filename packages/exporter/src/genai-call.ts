import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { Usage } from '@tokenomics/pricing/types';
import { countProblem, usageProblem } from '@tokenomics/pricing/usage-validation';
import { LLM_REQUEST_TYPE_OPERATIONS, NOT_MODEL_CALL_OPERATIONS } from '@tokenomics/contract/operations';
import * as A from './attribute-names';
import * as F from './foreign-dialects';
import type { InvalidValueSink } from './invalid-values';
import { normaliseProviderName } from './provider-names';

/** One model call as read from a span, whatever instrumentation wrote it. */
export interface GenAiCall {
  /** `gen_ai.provider.name` value (normalised from any spelling), when the span names one. */
  provider?: string | undefined;
  operation?: string | undefined;
  requestModel?: string | undefined;
  responseModel?: string | undefined;
  /** Usage in the semconv shape: input INCLUDES cache tokens, output INCLUDES reasoning tokens. */
  usage: Usage;
  serviceTier?: string | undefined;
  /** The source flagged its counts as estimated (`tokenomics.usage.estimated`). */
  estimated: boolean;
  /** How the source's counts were adjusted to the semconv shape, if at all. */
  adjustments: readonly UsageAdjustment[];
}

/**
 * `input_added_cache`: the source's input count excluded cache tokens (OpenLIT for Anthropic, or
 * cache subsets larger than the input) so they were added. `output_added_reasoning`: reasoning
 * exceeded output, so the output count excluded it. `input_from_total` / `output_from_total`: the
 * count was derived from a total.
 */
export type UsageAdjustment = 'input_added_cache' | 'output_added_reasoning' | 'input_from_total' | 'output_from_total';

/** What a span holds, from the exporter's point of view. */
export type SpanReading =
  | { readonly kind: 'not_genai' }
  | { readonly kind: 'skipped'; readonly reason: 'not_a_model_call' | 'no_usage' }
  | {
      readonly kind: 'unusable';
      /** `invalid_usage`: a count is present but unusable; `incomplete_usage`: output without input. */
      readonly reason: 'invalid_usage' | 'incomplete_usage';
      /** What was read about the call; its usage is empty. */
      readonly call: GenAiCall;
      /** The offending attribute. */
      readonly attribute: string;
      /**
       * For `invalid_usage`: the bounded reason, `<attribute>:<problem>` for one bad value or a
       * consistency problem of the counts together (see `usageProblem` in `@tokenomics/pricing`).
       */
      readonly invalidReason?: string;
    }
  | { readonly kind: 'call'; readonly call: GenAiCall };

const NOT_GENAI: SpanReading = { kind: 'not_genai' };
const NO_USAGE: Usage = Object.freeze({});
const NO_ADJUSTMENTS: readonly UsageAdjustment[] = Object.freeze([]);
const SKIPPED_NOT_A_MODEL_CALL: SpanReading = { kind: 'skipped', reason: 'not_a_model_call' };
const SKIPPED_NO_USAGE: SpanReading = { kind: 'skipped', reason: 'no_usage' };

/** GenAI operations that are not themselves a billed model call (agents aggregate their children). */
const NOT_MODEL_CALLS = NOT_MODEL_CALL_OPERATIONS;

/** OpenLLMetry's `llm.request.type` to a semconv operation name. */
const LLM_REQUEST_TYPES = LLM_REQUEST_TYPE_OPERATIONS;

/** Usage attributes in order of preference, per field. */
const INPUT_KEYS = [A.ATTR_GEN_AI_USAGE_INPUT_TOKENS, A.ATTR_GEN_AI_USAGE_PROMPT_TOKENS, ...F.FOREIGN_INPUT_KEYS];
const OUTPUT_KEYS = [A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, A.ATTR_GEN_AI_USAGE_COMPLETION_TOKENS, ...F.FOREIGN_OUTPUT_KEYS];
const TOTAL_KEYS = [A.ATTR_GEN_AI_USAGE_TOTAL_TOKENS, A.ATTR_LLM_USAGE_TOTAL_TOKENS, ...F.FOREIGN_TOTAL_KEYS];
const CACHE_READ_KEYS = [
  A.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS_FLAT,
  A.ATTR_OPENLIT_CACHE_READ,
  ...F.FOREIGN_CACHE_READ_KEYS,
];
/**
 * The current name first, then its pre-2026 name: a span that carries both (the hook with
 * `OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai/dup`) is read once, from the current one.
 */
const CACHE_WRITE_KEYS = [
  A.ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS_FLAT,
  A.ATTR_OPENLIT_CACHE_WRITE,
  ...F.FOREIGN_CACHE_WRITE_KEYS,
];
/**
 * Every attribute name, in any dialect the exporter reads, that carries a cache read or cache write
 * count. A span with none of them does not show its cache share.
 */
export const CACHE_COUNT_KEYS: readonly string[] = [...CACHE_READ_KEYS, ...CACHE_WRITE_KEYS];

/**
 * Whether `attributes` show a cache count in any dialect the exporter reads: an own attribute of
 * {@link CACHE_COUNT_KEYS} holding a finite non-negative number, or a digit string as the readers
 * accept (zero included: a zero says the share is known). Where a span shows none and the model's cached input is priced differently, its
 * input cost is an estimate (priced uncached, an upper bound); the exporter and the collector stage
 * both flag it so with this one test.
 */
export function showsCacheCount(attributes: Attributes): boolean {
  for (const key of CACHE_COUNT_KEYS) {
    if (!Object.hasOwn(attributes, key)) continue;
    const value = attributes[key];
    if (typeof value === 'number' ? Number.isFinite(value) && value >= 0 : typeof value === 'string' && /^\s*\d+\s*$/.test(value)) {
      return true;
    }
  }
  return false;
}
const REASONING_KEYS = [
  A.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_REASONING_TOKENS_FLAT,
  A.ATTR_OPENLIT_REASONING,
  ...F.FOREIGN_REASONING_KEYS,
];
const SERVICE_TIER_KEYS = [
  A.ATTR_OPENAI_RESPONSE_SERVICE_TIER,
  A.ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER,
  A.ATTR_TOKENOMICS_RESPONSE_SERVICE_TIER,
  A.ATTR_OPENAI_REQUEST_SERVICE_TIER,
  A.ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER,
  A.ATTR_TOKENOMICS_REQUEST_SERVICE_TIER,
];

/** A count attribute that is present but unusable. */
const INVALID = -1;

/**
 * Whether the span looks like GenAI telemetry at all: it names an operation, a provider (current or
 * deprecated attribute), an OpenLLMetry request type, an OpenInference span kind or an AI SDK
 * operation. Cheap enough to run on every span.
 */
export function isGenAiSpan(attrs: Attributes): boolean {
  return (
    attrs[A.ATTR_GEN_AI_OPERATION_NAME] !== undefined ||
    attrs[A.ATTR_GEN_AI_PROVIDER_NAME] !== undefined ||
    attrs[A.ATTR_GEN_AI_SYSTEM] !== undefined ||
    attrs[A.ATTR_LLM_REQUEST_TYPE] !== undefined ||
    F.isForeignGenAiSpan(attrs)
  );
}

/** Whether a span that another source priced came from OpenLIT (its `gen_ai.usage.cost` or scope). */
export function isOpenLit(attrs: Attributes, scopeName: string): boolean {
  return typeof attrs[A.ATTR_OPENLIT_USAGE_COST] === 'number' || scopeName.startsWith('openlit');
}

/**
 * Read one model call from a span's attributes, in the semconv shape whatever the source's dialect.
 * Bad values go to `report`; a present-but-unusable input or output count makes the call
 * `invalid_usage` (never a guessed cost).
 */
export function readGenAiCall(attrs: Attributes, scopeName: string, report: InvalidValueSink): SpanReading {
  if (!isGenAiSpan(attrs)) return NOT_GENAI;

  const foreign = F.foreignOperation(attrs);
  // An OpenInference chain/agent/tool span or the AI SDK's span around its provider calls.
  if (foreign === null) return SKIPPED_NOT_A_MODEL_CALL;
  const operation = readOperation(attrs) ?? foreign;
  if (operation !== undefined && NOT_MODEL_CALLS.has(operation)) return SKIPPED_NOT_A_MODEL_CALL;

  let input = readCount(attrs, INPUT_KEYS, report);
  let output = readCount(attrs, OUTPUT_KEYS, report);
  const total = readCount(attrs, TOTAL_KEYS, report);
  if (input === undefined && output === undefined && total === undefined) return SKIPPED_NO_USAGE;

  const rawProvider =
    str(attrs[A.ATTR_GEN_AI_PROVIDER_NAME]) ?? str(attrs[A.ATTR_GEN_AI_SYSTEM]) ?? F.firstStringOf(attrs, F.FOREIGN_PROVIDER_KEYS);
  const provider = rawProvider === undefined ? undefined : normaliseProviderName(rawProvider);
  const call: GenAiCall = {
    provider,
    operation,
    requestModel: str(attrs[A.ATTR_GEN_AI_REQUEST_MODEL]) ?? F.firstStringOf(attrs, F.FOREIGN_REQUEST_MODEL_KEYS),
    responseModel: str(attrs[A.ATTR_GEN_AI_RESPONSE_MODEL]) ?? F.firstStringOf(attrs, F.FOREIGN_RESPONSE_MODEL_KEYS),
    serviceTier: firstString(attrs, SERVICE_TIER_KEYS),
    estimated: attrs[A.ATTR_TOKENOMICS_USAGE_ESTIMATED] === true,
    usage: NO_USAGE,
    adjustments: NO_ADJUSTMENTS,
  };

  const cacheRead = readCount(attrs, CACHE_READ_KEYS, report);
  const cacheWrite = readCount(attrs, CACHE_WRITE_KEYS, report);
  const reasoning = readCount(attrs, REASONING_KEYS, report);
  if (input === INVALID) return invalidAt(call, attrs, INPUT_KEYS);
  if (output === INVALID) return invalidAt(call, attrs, OUTPUT_KEYS);
  if (total === INVALID) return invalidAt(call, attrs, TOTAL_KEYS);
  if (cacheRead === INVALID) return invalidAt(call, attrs, CACHE_READ_KEYS);
  if (cacheWrite === INVALID) return invalidAt(call, attrs, CACHE_WRITE_KEYS);
  if (reasoning === INVALID) return invalidAt(call, attrs, REASONING_KEYS);

  let adjustments: UsageAdjustment[] | undefined;
  if (input === undefined) {
    // OpenLLMetry embeddings and some older spans carry only a total.
    if (total === undefined) return unusable('incomplete_usage', call, presentKey(attrs, OUTPUT_KEYS));
    input = total - (output ?? 0);
    if (input < 0) return unusable('invalid_usage', call, presentKey(attrs, TOTAL_KEYS), 'output_exceeds_total');
    (adjustments ??= []).push('input_from_total');
  } else if (output === undefined && total !== undefined && total >= input && operation !== 'embeddings') {
    output = total - input;
    (adjustments ??= []).push('output_from_total');
  }

  const cache = (cacheRead ?? 0) + (cacheWrite ?? 0);
  if (cache > 0 && ((provider === 'anthropic' && isOpenLit(attrs, scopeName)) || cache > input)) {
    // OpenLIT copies Anthropic's `input_tokens`, which excludes cache tokens; other sources that
    // report cache subsets larger than the input evidently did the same.
    input += cache;
    (adjustments ??= []).push('input_added_cache');
  }
  if (reasoning !== undefined && output !== undefined && reasoning > output) {
    // e.g. Gemini's candidates count, which excludes thoughts.
    output += reasoning;
    (adjustments ??= []).push('output_added_reasoning');
  }

  const usage: Usage = { inputTokens: input, outputTokens: output ?? 0 };
  if (cacheRead) usage.cacheReadTokens = cacheRead;
  if (cacheWrite) usage.cacheWriteTokens = cacheWrite;
  if (reasoning) usage.reasoningTokens = reasoning;
  // The same checks as the instrumentation's: counts (after the dialect adjustments) and subsets.
  const problem = usageProblem(usage);
  if (problem !== undefined) return unusable('invalid_usage', call, presentKey(attrs, INPUT_KEYS), problem);
  call.usage = usage;
  if (adjustments !== undefined) call.adjustments = adjustments;
  return { kind: 'call', call };
}

function unusable(reason: 'invalid_usage' | 'incomplete_usage', call: GenAiCall, attribute: string, invalidReason?: string): SpanReading {
  return invalidReason === undefined
    ? { kind: 'unusable', reason, call, attribute }
    : { kind: 'unusable', reason, call, attribute, invalidReason };
}

/** `invalid_usage` at the present one of `keys`, with the problem its value has. */
function invalidAt(call: GenAiCall, attrs: Attributes, keys: readonly string[]): SpanReading {
  const key = presentKey(attrs, keys);
  const value = attrs[key];
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return unusable('invalid_usage', call, key, `${key}:${countProblem(n) ?? 'wrong_type'}`);
}

function readOperation(attrs: Attributes): string | undefined {
  const op = str(attrs[A.ATTR_GEN_AI_OPERATION_NAME]);
  if (op !== undefined) return op;
  const type = str(attrs[A.ATTR_LLM_REQUEST_TYPE]);
  return type === undefined ? undefined : (LLM_REQUEST_TYPES.get(type) ?? type);
}

/** First present key's count: a non-negative integer, `undefined` when absent, `INVALID` when unusable. */
function readCount(attrs: Attributes, keys: readonly string[], report: InvalidValueSink): number | undefined {
  for (const key of keys) {
    const value = attrs[key];
    if (value === undefined || value === null) continue;
    return toCount(key, value, report);
  }
  return undefined;
}

function toCount(key: string, value: AttributeValue, report: InvalidValueSink): number {
  let n: number;
  if (typeof value === 'number') {
    n = value;
  } else if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) {
    report(key, value, 'string');
    n = Number(value);
  } else {
    report(key, value, 'not_a_number');
    return INVALID;
  }
  const problem = countProblem(n);
  if (problem !== undefined) {
    report(key, value, problem === 'wrong_type' ? 'not_a_number' : problem);
    return INVALID;
  }
  return n;
}

function presentKey(attrs: Attributes, keys: readonly string[]): string {
  for (const key of keys) if (attrs[key] !== undefined && attrs[key] !== null) return key;
  return keys[0];
}

function str(value: AttributeValue | undefined): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function firstString(attrs: Attributes, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = str(attrs[key]);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** What {@link readOwnCallTotals} reads: the totals and models of one model call. */
export interface CallTotals {
  inputTokens: number;
  outputTokens: number;
  requestModel: string | undefined;
  responseModel: string | undefined;
}

/**
 * A fast reading of a span the hook's instrumentation wrote (scope `@tokenomics/...`), for spans
 * already priced: fills `out` with the input and output totals and the request and response
 * models, and returns `true`, only when {@link readGenAiCall} would read the span as a call with
 * exactly these totals and models and would report no bad value: a model-call operation, valid
 * input and output counts, every other count present in any dialect valid, no cache count above
 * the input and no reasoning count above the output (so no dialect adjustment applies). Otherwise
 * returns `false` and the caller reads the span with {@link readGenAiCall}. Each attribute is read
 * at its own site, not in a loop over names, and nothing is allocated.
 */
export function readOwnCallTotals(attrs: Attributes, scopeName: string, out: CallTotals): boolean {
  if (!scopeName.startsWith(A.TOKENOMICS_SCOPE_PREFIX)) return false;
  const operation = attrs[A.ATTR_GEN_AI_OPERATION_NAME];
  if (typeof operation !== 'string' || operation.length === 0 || NOT_MODEL_CALLS.has(operation)) return false;
  if (attrs[F.ATTR_OPENINFERENCE_SPAN_KIND] !== undefined || attrs[F.ATTR_AI_OPERATION_ID] !== undefined) return false;
  const input = attrs[A.ATTR_GEN_AI_USAGE_INPUT_TOKENS];
  const output = attrs[A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS];
  if (!isCount(input) || !isCount(output)) return false;

  // Every other count group: its first present value must be a valid count (or none at all).
  let v: AttributeValue | undefined;
  if (
    none((v = attrs[A.ATTR_GEN_AI_USAGE_TOTAL_TOKENS])) &&
    none((v = attrs[A.ATTR_LLM_USAGE_TOTAL_TOKENS])) &&
    none((v = attrs[F.ATTR_LLM_TOKEN_COUNT_TOTAL]))
  ) {
    v = attrs[F.ATTR_AI_USAGE_TOTAL_TOKENS];
  }
  if (!none(v) && !isCount(v)) return false;
  if (
    none((v = attrs[A.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS])) &&
    none((v = attrs[A.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS_FLAT])) &&
    none((v = attrs[A.ATTR_OPENLIT_CACHE_READ])) &&
    none((v = attrs[F.ATTR_LLM_TOKEN_COUNT_CACHE_READ]))
  ) {
    v = attrs[F.ATTR_AI_USAGE_CACHED_INPUT_TOKENS];
  }
  let cache = 0;
  if (!none(v)) {
    if (!isCount(v)) return false;
    cache = v;
  }
  if (
    none((v = attrs[A.ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS])) &&
    none((v = attrs[A.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS])) &&
    none((v = attrs[A.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS_FLAT])) &&
    none((v = attrs[A.ATTR_OPENLIT_CACHE_WRITE]))
  ) {
    v = attrs[F.ATTR_LLM_TOKEN_COUNT_CACHE_WRITE];
  }
  if (!none(v)) {
    if (!isCount(v)) return false;
    cache += v;
  }
  // Cache above the input, or any cache on a span OpenLIT priced, is a dialect adjustment.
  if (cache > input || (cache > 0 && isOpenLit(attrs, scopeName))) return false;
  if (
    none((v = attrs[A.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS])) &&
    none((v = attrs[A.ATTR_GEN_AI_USAGE_REASONING_TOKENS_FLAT])) &&
    none((v = attrs[A.ATTR_OPENLIT_REASONING])) &&
    none((v = attrs[F.ATTR_LLM_TOKEN_COUNT_REASONING]))
  ) {
    v = attrs[F.ATTR_AI_USAGE_REASONING_TOKENS];
  }
  if (!none(v) && (!isCount(v) || v > output)) return false;

  out.inputTokens = input;
  out.outputTokens = output;
  let model = attrs[A.ATTR_GEN_AI_REQUEST_MODEL];
  out.requestModel = typeof model === 'string' && model.length > 0 ? model : F.firstStringOf(attrs, F.FOREIGN_REQUEST_MODEL_KEYS);
  model = attrs[A.ATTR_GEN_AI_RESPONSE_MODEL];
  out.responseModel = typeof model === 'string' && model.length > 0 ? model : F.firstStringOf(attrs, F.FOREIGN_RESPONSE_MODEL_KEYS);
  return true;
}

/** Absent as the readers see it: a `null` value is skipped like a missing one. */
function none(value: AttributeValue | null | undefined): boolean {
  return value === undefined || value === null;
}

/**
 * {@link countProblem}, read from the pricing package's exports once: a call through the module's
 * export is a getter call each time, on the path of every already-priced span.
 */
const problemOfCount = countProblem;

/** A count the readers take as is: a number {@link countProblem} finds nothing wrong with. */
function isCount(value: AttributeValue | undefined): value is number {
  return typeof value === 'number' && problemOfCount(value) === undefined;
}
