/**
 * `tokenomics collector ottl`: a `transform` processor configuration for the OpenTelemetry
 * Collector (contrib distribution) that writes the same cost attributes as the hook with OTTL, from
 * the price table of {@link buildPriceTable}. What the statements cannot price exactly is left
 * without a cost and marked with `tokenomics.unpriced_reason`, so that the collector stage or the
 * exporter further on prices it (they price any GenAI span without a cost that is not marked
 * `tokenomics.unpriced` = true).
 */
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
  ATTR_GEN_AI_USAGE_COST_AMOUNT,
  ATTR_GEN_AI_USAGE_COST_CURRENCY,
  ATTR_GEN_AI_USAGE_COST_SOURCE,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_TOTAL_TOKENS,
  ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER,
  ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER,
  ATTR_LLM_USAGE_TOTAL_TOKENS,
  ATTR_OPENAI_REQUEST_SERVICE_TIER,
  ATTR_OPENAI_RESPONSE_SERVICE_TIER,
  ATTR_OPENLIT_USAGE_COST,
  ATTR_TOKENOMICS_COST_PREFIX,
  ATTR_TOKENOMICS_DUPLICATE_OF,
  ATTR_TOKENOMICS_PRICE_BOOK_COST,
  ATTR_TOKENOMICS_PRICE_BOOK_VERSION,
  ATTR_TOKENOMICS_PRICING_MODEL,
  ATTR_TOKENOMICS_REQUEST_SERVICE_TIER,
  ATTR_TOKENOMICS_RESPONSE_SERVICE_TIER,
  ATTR_TOKENOMICS_UNPRICED,
  ATTR_TOKENOMICS_UNPRICED_REASON,
  COST_CURRENCY_USD,
  COST_SOURCE_LOCAL,
  TOKENOMICS_SCOPE_PREFIX,
} from '@tokenomics/contract/attributes';
import { NOT_MODEL_CALL_OPERATIONS, OPERATION_EMBEDDINGS } from '@tokenomics/contract/operations';
import { stringify } from 'yaml';
import { MAX_COUNT, OTTL_UNITS, type EntryRates, type OttlUnit, type PriceTable } from './price-table';
import { OTTL_UNPRICED_REASONS as R } from './reasons';

/** Options of {@link generateOttl}. */
export interface OttlOptions {
  /** Name of the processor in the configuration (default `transform/tokenomics`). */
  processorName?: string | undefined;
  /**
   * Model strings that are aliases in the user's price files (an alias maps a deployment name to a
   * model; the statements do not follow aliases, so a call naming one is left to the stage).
   */
  aliases?: readonly string[] | undefined;
  /**
   * A pipeline whose processors become `memory_limiter`, this processor, `batch` (the shipped
   * configs' order), so that the file can be merged over a gateway configuration.
   */
  pipeline?: string | undefined;
  /** The command line that produced the file, for its header. */
  command?: string | undefined;
}

/** Default name of the generated processor. */
export const OTTL_PROCESSOR_NAME = 'transform/tokenomics';

/** Service-tier spellings the price book reads as the standard tier (anything else is left to the stage). */
const STANDARD_TIER = '^(?i)\\s*(?:service_tier_)?(?:standard|default|auto|scale|on_demand|on-demand|standard_only)?\\s*$';

/** Usage attributes read, current name first (the first present one is used, as the exporter does). */
const INPUT_KEYS = [ATTR_GEN_AI_USAGE_INPUT_TOKENS, ATTR_GEN_AI_USAGE_PROMPT_TOKENS];
const OUTPUT_KEYS = [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, ATTR_GEN_AI_USAGE_COMPLETION_TOKENS];
const CACHE_READ_KEYS = [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS];
const CACHE_WRITE_KEYS = [ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS, ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS];
const REASONING_KEYS = [ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS];
const TOTAL_KEYS = [ATTR_GEN_AI_USAGE_TOTAL_TOKENS, ATTR_LLM_USAGE_TOTAL_TOKENS];
const SERVICE_TIER_KEYS = [
  ATTR_OPENAI_RESPONSE_SERVICE_TIER,
  ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER,
  ATTR_TOKENOMICS_RESPONSE_SERVICE_TIER,
  ATTR_OPENAI_REQUEST_SERVICE_TIER,
  ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER,
  ATTR_TOKENOMICS_REQUEST_SERVICE_TIER,
];

/** An OTTL string literal. */
export function ottlString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A regular expression (RE2) matching exactly `s`. */
function regexLiteral(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$-]/g, '\\$&');
}

/** An OTTL number literal: integers as integers, others with a decimal point (OTTL needs one). */
function num(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 53) return String(n);
  const [mantissa, exponent] = String(n).split('e');
  const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return exponent === undefined ? m : `${m}e${exponent}`;
}

/** An OTTL float literal, also for whole numbers (OTTL does not mix integers and floats in arithmetic). */
function dbl(n: number): string {
  const text = num(n);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

const attr = (name: string) => `attributes[${ottlString(name)}]`;
const c = (name: string) => `cache[${ottlString(name)}]`;
const rate = (name: string) => `cache["r"][${ottlString(name)}]`;

/** Statements reading the first present of `keys` as an integer count into `cache[key]`. */
function readCount(into: string, keys: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const earlier = keys.slice(0, i).map((k) => `${attr(k)} == nil`);
    const cond = [...earlier, `IsInt(${attr(keys[i])})`].join(' and ');
    out.push(`set(${c(into)}, ${attr(keys[i])}) where ${cond}`);
  }
  return out;
}

/** Statements reading the first present of `keys` as a non-empty string into `cache[key]`. */
function readString(into: string, keys: readonly string[]): string[] {
  return keys.map((k) => `set(${c(into)}, ${attr(k)}) where ${c(into)} == nil and IsString(${attr(k)}) and ${attr(k)} != ""`);
}

function absent(keys: readonly string[]): string {
  return keys.map((k) => `${attr(k)} == nil`).join(' and ');
}

/** Count of a unit in the partition, in the cache. */
const UNIT_TOKENS: Record<OttlUnit, string> = {
  input: 'text_in',
  cache_read: 'cr',
  cache_write: 'cw',
  output: 'text_out',
  reasoning: 'rs',
};

function ratesMap(entry: EntryRates): string {
  const parts: string[] = [`"model": ${ottlString(entry.model)}`, `"cache_matters": ${entry.cacheMatters ? 'true' : 'false'}`];
  for (const unit of OTTL_UNITS) {
    const r = entry.perToken[unit];
    if (r !== undefined) parts.push(`${ottlString(unit)}: ${dbl(r)}`);
  }
  if (entry.requestFee !== undefined) parts.push(`"request": ${dbl(entry.requestFee)}`);
  if (entry.tierAbove !== undefined) parts.push(`"tier_above": ${num(entry.tierAbove)}`);
  if (entry.maxTokens !== undefined) parts.push(`"max_tokens": ${num(entry.maxTokens)}`);
  if (entry.from !== undefined) parts.push(`"from": ${BigInt(entry.from) * 1_000_000n}`);
  if (entry.until !== undefined) parts.push(`"until": ${BigInt(entry.until) * 1_000_000n}`);
  return `{${parts.join(', ')}}`;
}

/** The span statements, in order. */
export function ottlStatements(table: PriceTable, options: OttlOptions = {}): { conditions: string[]; statements: string[] } {
  const notAgent = `(${attr(ATTR_GEN_AI_OPERATION_NAME)} == nil or not IsMatch(${attr(ATTR_GEN_AI_OPERATION_NAME)}, ${ottlString(
    `^(?:${[...NOT_MODEL_CALL_OPERATIONS].map(regexLiteral).join('|')})$`,
  )}))`;
  const conditions = [
    [
      `${attr(ATTR_GEN_AI_USAGE_COST_AMOUNT)} == nil`,
      `${attr(ATTR_TOKENOMICS_UNPRICED)} == nil`,
      `${attr(ATTR_TOKENOMICS_UNPRICED_REASON)} == nil`,
      `${attr(ATTR_TOKENOMICS_PRICE_BOOK_COST)} == nil`,
      `${attr(ATTR_OPENLIT_USAGE_COST)} == nil`,
      `${attr(ATTR_TOKENOMICS_DUPLICATE_OF)} == nil`,
      `(${INPUT_KEYS.map((k) => `${attr(k)} != nil`).join(' or ')})`,
      notAgent,
    ].join(' and '),
  ];
  const s: string[] = [];
  const open = `${c('why')} == nil`;
  const why = (reason: string, cond: string) => s.push(`set(${c('why')}, ${ottlString(reason)}) where ${open} and ${cond}`);

  // Usage in the semconv shape: input includes cache reads and writes, output includes reasoning.
  s.push(...readCount('in', INPUT_KEYS), ...readCount('out', OUTPUT_KEYS));
  s.push(`set(${c('out')}, 0) where ${absent(OUTPUT_KEYS)} and ${absent(TOTAL_KEYS)}`);
  s.push(...readCount('cr', CACHE_READ_KEYS), `set(${c('cr')}, 0) where ${absent(CACHE_READ_KEYS)}`);
  s.push(...readCount('cw', CACHE_WRITE_KEYS), `set(${c('cw')}, 0) where ${absent(CACHE_WRITE_KEYS)}`);
  s.push(...readCount('rs', REASONING_KEYS), `set(${c('rs')}, 0) where ${absent(REASONING_KEYS)}`);
  why(R.invalidUsage, `(${['in', 'out', 'cr', 'cw', 'rs'].map((k) => `${c(k)} == nil`).join(' or ')})`);
  why(R.invalidUsage, `(${['in', 'out', 'cr', 'cw', 'rs'].map((k) => `${c(k)} < 0 or ${c(k)} > ${MAX_COUNT}`).join(' or ')})`);
  // The exporter's two corrections: cache subsets larger than the input mean the source's input
  // excluded them; reasoning larger than the output means the output excluded it.
  s.push(
    `set(${c('in')}, ${c('in')} + ${c('cr')} + ${c('cw')}) where ${open} and ${c('cr')} + ${c('cw')} > 0 and ${c('cr')} + ${c('cw')} > ${c('in')}`,
  );
  s.push(`set(${c('out')}, ${c('out')} + ${c('rs')}) where ${open} and ${c('rs')} > ${c('out')}`);
  why(R.invalidUsage, `(${c('in')} > ${MAX_COUNT} or ${c('out')} > ${MAX_COUNT})`);
  s.push(`set(${c('text_in')}, ${c('in')} - ${c('cr')} - ${c('cw')}) where ${open}`);
  s.push(`set(${c('text_out')}, ${c('out')} - ${c('rs')}) where ${open}`);
  why(R.noUsage, `${c('in')} == 0 and ${c('out')} == 0`);

  // Provider: gen_ai.provider.name, else the deprecated gen_ai.system, in any known spelling.
  s.push(...readString('praw', [ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_SYSTEM]));
  for (const [name, spellings] of table.providers) {
    const re = `^(?i)\\s*(?:${spellings.map(regexLiteral).join('|')})\\s*$`;
    s.push(
      `set(${c('p')}, ${ottlString(name)}) where ${c('p')} == nil and ${c('praw')} != nil and IsMatch(${c('praw')}, ${ottlString(re)})`,
    );
  }
  why(R.unknownProvider, `${c('p')} == nil`);

  // Model: the request model, and the response model, which wins when the book knows it.
  s.push(...readString('req', [ATTR_GEN_AI_REQUEST_MODEL]), ...readString('res', [ATTR_GEN_AI_RESPONSE_MODEL]));
  s.push(`set(${c('req')}, ${c('res')}) where ${c('req')} == nil`);
  why(R.unknownModel, `${c('req')} == nil`);
  const aliases = options.aliases ?? [];
  if (aliases.length > 0) {
    why(R.unknownModel, `IsMatch(${c('req')}, ${ottlString(`^(?i)\\s*(?:${aliases.map(regexLiteral).join('|')})\\s*$`)})`);
  }
  const byProvider = new Map<string, EntryRates[]>();
  for (const e of table.entries) {
    const list = byProvider.get(e.provider) ?? [];
    list.push(e);
    byProvider.set(e.provider, list);
  }
  // The model the book prices: the response model when the span has one (the book prefers it; one
  // the statements do not list may be one the book prices differently, so it is not replaced by the
  // request model), else the request model.
  s.push(`set(${c('m')}, ${c('res')}) where ${open}`);
  s.push(`set(${c('m')}, ${c('req')}) where ${open} and ${c('m')} == nil`);
  // Per provider, two tables built only for spans of that provider: model string -> entry, and
  // entry -> rates; one map lookup finds the entry (exact, case-sensitive names).
  for (const [provider, entries] of byProvider) {
    const names: string[] = [];
    for (const e of entries) for (const l of e.literals) names.push(`${ottlString(l)}: ${ottlString(e.model)}`);
    const forProvider = `${c('p')} == ${ottlString(provider)} and ${open}`;
    if (names.length > 0) s.push(`set(${c('names')}, {${names.join(', ')}}) where ${forProvider}`);
    s.push(`set(${c('rates')}, {${entries.map((e) => `${ottlString(e.model)}: ${ratesMap(e)}`).join(', ')}}) where ${forProvider}`);
  }
  s.push(`set(${c('k')}, ${c('names')}[${c('m')}]) where ${open} and ${c('names')} != nil and ${c('names')}[${c('m')}] != nil`);
  // Dated snapshots of a listed name (the book's starts-with rules: NAME-YYYYMMDD, NAME-YYYY-MM-DD),
  // when no exact name matched: the date is cut off and the rest looked up among those names.
  // (`$$1` is the Collector configuration's escape of the replacement `$1`.)
  s.push(`set(${c('base')}, ${c('m')}) where ${open} and ${c('k')} == nil`);
  s.push(`replace_pattern(${c('base')}, "^(.+)-(?:\\\\d{8}|\\\\d{4}-\\\\d{2}-\\\\d{2})$", "$$1") where ${open} and ${c('base')} != nil`);
  for (const [provider, entries] of byProvider) {
    const dated: string[] = [];
    for (const e of entries) for (const prefix of e.datedPrefixes) dated.push(`${ottlString(prefix)}: ${ottlString(e.model)}`);
    if (dated.length > 0)
      s.push(`set(${c('dated')}, {${dated.join(', ')}}) where ${c('p')} == ${ottlString(provider)} and ${open} and ${c('k')} == nil`);
  }
  s.push(
    `set(${c('k')}, ${c('dated')}[${c('base')}]) where ${open} and ${c('k')} == nil and ${c('dated')} != nil and ${c('base')} != ${c('m')} and ${c('dated')}[${c('base')}] != nil`,
  );
  s.push(`set(${c('r')}, ${c('rates')}[${c('k')}]) where ${open} and ${c('k')} != nil and ${c('rates')}[${c('k')}] != nil`);
  why(R.unknownModel, `${c('r')} == nil`);

  // What the statements do not price exactly, left to the stage or the exporter.
  why(R.longContext, `${rate('tier_above')} != nil and ${c('in')} > ${rate('tier_above')}`);
  s.push(`set(${c('io')}, ${c('in')} + ${c('out')}) where ${open}`);
  why(
    R.invalidUsage,
    `${rate('max_tokens')} != nil and ${c('io')} > ${rate('max_tokens')} and (${attr(ATTR_GEN_AI_OPERATION_NAME)} == nil or ${attr(
      ATTR_GEN_AI_OPERATION_NAME,
    )} != ${ottlString(OPERATION_EMBEDDINGS)})`,
  );
  why(R.datedPrice, `${rate('from')} != nil and start_time_unix_nano < ${rate('from')}`);
  why(R.datedPrice, `${rate('until')} != nil and start_time_unix_nano >= ${rate('until')}`);
  s.push(...readString('tier', SERVICE_TIER_KEYS));
  why(R.serviceTier, `${c('tier')} != nil and not IsMatch(${c('tier')}, ${ottlString(STANDARD_TIER)})`);
  why(
    R.cacheShareUnknown,
    `${rate('cache_matters')} == true and ${absent([...CACHE_READ_KEYS, ...CACHE_WRITE_KEYS])} and not IsMatch(instrumentation_scope.name, ${ottlString(
      `^${regexLiteral(TOKENOMICS_SCOPE_PREFIX)}`,
    )})`,
  );
  for (const unit of OTTL_UNITS) why(R.noPriceForUnit, `${c(UNIT_TOKENS[unit])} > 0 and ${rate(unit)} == nil`);

  // The cost: each unit at its rate, the per-call fee, their sum.
  const priced = `${open} and ${c('r')} != nil`;
  for (const unit of OTTL_UNITS) {
    const tokens = c(UNIT_TOKENS[unit]);
    s.push(`set(${c(`c_${unit}`)}, 0.0) where ${priced}`);
    s.push(`set(${c(`c_${unit}`)}, Double(${tokens}) * ${rate(unit)}) where ${priced} and ${tokens} > 0`);
    s.push(`set(${attr(ATTR_TOKENOMICS_COST_PREFIX + unit)}, ${c(`c_${unit}`)}) where ${priced} and ${tokens} > 0`);
  }
  s.push(`set(${c('c_request')}, 0.0) where ${priced}`);
  s.push(`set(${c('c_request')}, ${rate('request')}) where ${priced} and ${rate('request')} != nil`);
  s.push(`set(${attr(`${ATTR_TOKENOMICS_COST_PREFIX}request`)}, ${c('c_request')}) where ${priced} and ${rate('request')} != nil`);
  s.push(`set(${attr(ATTR_GEN_AI_USAGE_COST_AMOUNT)}, ${[...OTTL_UNITS, 'request'].map((u) => c(`c_${u}`)).join(' + ')}) where ${priced}`);
  s.push(`set(${attr(ATTR_GEN_AI_USAGE_COST_CURRENCY)}, ${ottlString(COST_CURRENCY_USD)}) where ${priced}`);
  s.push(`set(${attr(ATTR_GEN_AI_USAGE_COST_SOURCE)}, ${ottlString(COST_SOURCE_LOCAL)}) where ${priced}`);
  s.push(`set(${attr(ATTR_TOKENOMICS_PRICING_MODEL)}, ${rate('model')}) where ${priced}`);
  s.push(`set(${attr(ATTR_TOKENOMICS_PRICE_BOOK_VERSION)}, ${ottlString(table.version)})`);
  s.push(`set(${attr(ATTR_TOKENOMICS_UNPRICED_REASON)}, ${c('why')}) where ${c('why')} != nil`);
  return { conditions, statements: s };
}

/**
 * The YAML document: a `processors:` block with one `transform` processor, with a header saying what
 * it prices and how to put it in a pipeline.
 */
export function generateOttl(table: PriceTable, options: OttlOptions = {}): string {
  const name = options.processorName ?? OTTL_PROCESSOR_NAME;
  const { conditions, statements } = ottlStatements(table, options);
  const models = new Set(table.entries.map((e) => e.model));
  const header = [
    `# Generated by \`${options.command ?? 'tokenomics collector ottl'}\`: do not edit; generate it again when the price book changes.`,
    `# Price book ${table.version}: ${models.size} models under ${new Set(table.entries.map((e) => e.provider)).size} provider names.`,
    '#',
    `# A transform processor (OpenTelemetry Collector, contrib distribution) that prices GenAI spans with`,
    `# token counts and no cost, with the same attributes as the Tokenomics hook (${ATTR_GEN_AI_USAGE_COST_AMOUNT},`,
    `# ${ATTR_GEN_AI_USAGE_COST_CURRENCY}, ${ATTR_GEN_AI_USAGE_COST_SOURCE}, ${ATTR_TOKENOMICS_PRICE_BOOK_VERSION}, ${ATTR_TOKENOMICS_PRICING_MODEL},`,
    `# ${ATTR_TOKENOMICS_COST_PREFIX}<unit>). Spans already priced pass untouched. A call it cannot price exactly`,
    `# (a context-length tier, a cache share the span does not show, a price dated other than the current one,`,
    `# a service tier other than standard, a provider or model string it does not list) keeps no cost and gets`,
    `# ${ATTR_TOKENOMICS_UNPRICED_REASON}; the Tokenomics collector stage or exporter further on prices it.`,
    '#',
    `# Use: add ${name} to a traces pipeline after memory_limiter, before batch and before any sampling.`,
  ];
  if (options.pipeline !== undefined) {
    header.push(
      `# Merged over a gateway config (otelcol --config=gateway.yaml --config=<this file>), this file puts it in`,
      `# the ${options.pipeline} pipeline: memory_limiter, ${name}, batch.`,
    );
  }
  if (table.skipped.length > 0) {
    header.push('#', '# Left to the stage (prices that follow the time of day):');
    for (const sk of table.skipped) header.push(`#   ${sk.provider} ${sk.model}`);
  }
  const doc: Record<string, unknown> = {
    processors: {
      [name]: {
        error_mode: 'ignore',
        trace_statements: [{ context: 'span', conditions, statements }],
      },
    },
  };
  if (options.pipeline !== undefined) {
    doc.service = { pipelines: { [options.pipeline]: { processors: ['memory_limiter', name, 'batch'] } } };
  }
  return `${header.join('\n')}\n${stringify(doc, { lineWidth: 0 })}`;
}
