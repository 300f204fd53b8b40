import type { Usage } from '@tokenomics/pricing/types';
import { CountReader } from '@tokenomics/pricing/usage-validation';
import { anthropicUsage } from '../anthropic/usage';
import { converseUsage } from '../bedrock/usage';
import { geminiUsage } from '../google-genai/usage';
import { openAIUsage } from '../openai/usage';
import type { UsageFamily } from './provider';

type Obj = Record<string, unknown>;

/**
 * Usage of an AI SDK language model result (`doGenerate`) or `finish` stream part in semconv
 * terms (input includes cache read and write, output includes reasoning).
 *
 * The provider's own usage object, when the result carries it (`usage.raw` of language model
 * spec v3; `providerMetadata.anthropic.usage` and `providerMetadata.google.usageMetadata` of v2),
 * is read with the same normaliser as a direct client call of that provider, so a call costs the
 * same through the AI SDK as through the vendor SDK (5-minute and 1-hour cache writes, audio,
 * server tool requests). Otherwise the spec's own counts are read:
 *
 * - v3 (`ai` 6 and 7): `inputTokens.total` includes `cacheRead` and `cacheWrite`,
 *   `outputTokens.total` includes `reasoning`: semconv already.
 * - v2 (`ai` 5): flat counts whose meaning depends on the provider. `inputTokens` leaves the cache
 *   out for Anthropic (write: `providerMetadata.anthropic.cacheCreationInputTokens`) and Bedrock
 *   (write: `providerMetadata.bedrock.usage.cacheWriteInputTokens`), so they are added;
 *   `outputTokens` leaves the thinking tokens out for Gemini, so they are added.
 *
 * Returns undefined when nothing was reported; a count that is not a valid token count makes the
 * usage invalid (never dropped, never priced).
 */
export function languageModelUsage(usage: unknown, providerMetadata: unknown, family: UsageFamily): Usage | undefined {
  const fromRaw = rawUsage(usage, providerMetadata, family);
  if (fromRaw !== undefined) return fromRaw;
  if (usage === undefined || usage === null) return undefined;
  if (typeof usage !== 'object' || Array.isArray(usage)) return { invalid: 'usage:wrong_type' };
  const u = usage as Obj;
  const nested = isObject(u.inputTokens) || isObject(u.outputTokens);
  return nested ? specV3Usage(u) : specV2Usage(u, providerMetadata, family);
}

/** Usage of an embedding model result (`doEmbed`): `usage.tokens` input tokens. */
export function embeddingModelUsage(usage: unknown): Usage | undefined {
  if (usage === undefined || usage === null) return undefined;
  if (typeof usage !== 'object' || Array.isArray(usage)) return { invalid: 'usage:wrong_type' };
  const r = new CountReader();
  const tokens = r.optional((usage as Obj).tokens, 'usage.tokens');
  return r.finish(tokens === undefined ? undefined : { inputTokens: tokens });
}

/**
 * The provider's own usage object read by its normaliser; undefined when there is none, its
 * family has no normaliser, or it does not read as valid counts (the spec's counts are used then).
 */
function rawUsage(usage: unknown, providerMetadata: unknown, family: UsageFamily): Usage | undefined {
  let raw: unknown;
  if (isObject(usage) && Object.hasOwn(usage, 'raw')) raw = usage.raw;
  if (raw === undefined || raw === null) {
    if (family === 'anthropic') raw = metadataField(providerMetadata, 'anthropic', 'usage');
    else if (family === 'gemini')
      raw = metadataField(providerMetadata, 'google', 'usageMetadata') ?? metadataField(providerMetadata, 'vertex', 'usageMetadata');
  }
  if (!isObject(raw)) return undefined;
  let read: Usage | undefined;
  switch (family) {
    case 'openai':
      read = openAIUsage(raw);
      break;
    case 'anthropic':
      read = anthropicUsage(raw);
      break;
    case 'gemini':
      read = geminiUsage(raw);
      break;
    case 'bedrock':
      read = converseUsage(raw);
      break;
    default:
      return undefined;
  }
  if (read === undefined || read.invalid !== undefined) return undefined;
  return read.inputTokens !== undefined && read.outputTokens !== undefined ? read : undefined;
}

/** Language model spec v3: `{ inputTokens: { total, noCache, cacheRead, cacheWrite }, outputTokens: { total, text, reasoning } }`. */
function specV3Usage(u: Obj): Usage | undefined {
  const r = new CountReader();
  const input = part(r, u.inputTokens, 'usage.inputTokens');
  const output = part(r, u.outputTokens, 'usage.outputTokens');
  const noCache = input ? r.optional(input.noCache, 'usage.inputTokens.noCache') : undefined;
  const cacheRead = input ? r.optional(input.cacheRead, 'usage.inputTokens.cacheRead') : undefined;
  const cacheWrite = input ? r.optional(input.cacheWrite, 'usage.inputTokens.cacheWrite') : undefined;
  const text = output ? r.optional(output.text, 'usage.outputTokens.text') : undefined;
  const reasoning = output ? r.optional(output.reasoning, 'usage.outputTokens.reasoning') : undefined;
  let inputTotal = input ? r.optional(input.total, 'usage.inputTokens.total') : undefined;
  let outputTotal = output ? r.optional(output.total, 'usage.outputTokens.total') : undefined;
  if (inputTotal === undefined && noCache !== undefined) inputTotal = noCache + (cacheRead ?? 0) + (cacheWrite ?? 0);
  if (outputTotal === undefined && text !== undefined) outputTotal = text + (reasoning ?? 0);
  if (inputTotal === undefined && outputTotal === undefined) return r.finish(undefined);
  const usage: Usage = {};
  if (inputTotal !== undefined) usage.inputTokens = inputTotal;
  if (outputTotal !== undefined) usage.outputTokens = outputTotal;
  if (cacheRead !== undefined) usage.cacheReadTokens = cacheRead;
  if (cacheWrite !== undefined) usage.cacheWriteTokens = cacheWrite;
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  return r.finish(usage);
}

/** Language model spec v2: `{ inputTokens, outputTokens, totalTokens, reasoningTokens?, cachedInputTokens? }`. */
function specV2Usage(u: Obj, providerMetadata: unknown, family: UsageFamily): Usage | undefined {
  const r = new CountReader();
  let input = r.optional(u.inputTokens, 'usage.inputTokens');
  let output = r.optional(u.outputTokens, 'usage.outputTokens');
  const cacheRead = r.optional(u.cachedInputTokens, 'usage.cachedInputTokens');
  const reasoning = r.optional(u.reasoningTokens, 'usage.reasoningTokens');
  let cacheWrite: number | undefined;
  if (family === 'anthropic') {
    cacheWrite = r.optional(metadataField(providerMetadata, 'anthropic', 'cacheCreationInputTokens'), 'anthropic.cacheCreationInputTokens');
  } else if (family === 'bedrock') {
    const bedrockUsage = metadataField(providerMetadata, 'bedrock', 'usage');
    cacheWrite = isObject(bedrockUsage) ? r.optional(bedrockUsage.cacheWriteInputTokens, 'bedrock.usage.cacheWriteInputTokens') : undefined;
  }
  if (input === undefined && output === undefined) return r.finish(undefined);
  // Anthropic's and Bedrock's input count leaves out the tokens read from and written to the cache.
  if (input !== undefined && (family === 'anthropic' || family === 'bedrock')) input += (cacheRead ?? 0) + (cacheWrite ?? 0);
  // Gemini's candidates count leaves out the thinking tokens.
  if (output !== undefined && family === 'gemini') output += reasoning ?? 0;
  const usage: Usage = {};
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  if (cacheRead !== undefined) usage.cacheReadTokens = cacheRead;
  if (cacheWrite !== undefined) usage.cacheWriteTokens = cacheWrite;
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  return r.finish(usage);
}

/** A v3 token group; null or absent reads as none, anything else that is not an object is a problem. */
function part(r: CountReader, value: unknown, field: string): Obj | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    r.fail(field, 'wrong_type');
    return undefined;
  }
  return value;
}

/** `providerMetadata[provider][field]`, own keys only. */
export function metadataField(providerMetadata: unknown, provider: string, field: string): unknown {
  if (!isObject(providerMetadata) || !Object.hasOwn(providerMetadata, provider)) return undefined;
  const entry = providerMetadata[provider];
  if (!isObject(entry) || !Object.hasOwn(entry, field)) return undefined;
  return entry[field];
}

function isObject(value: unknown): value is Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
