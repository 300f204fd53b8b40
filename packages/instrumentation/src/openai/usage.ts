import type { Usage } from '@tokenomics/pricing/types';
import { CountReader } from '@tokenomics/pricing/usage-validation';

// Made on every response: bound once, not read through the getter of the package's re-export.
const Reader = CountReader;

type Obj = Record<string, unknown>;

/**
 * Usage of any OpenAI response shape (chat and legacy completions, embeddings, Responses API)
 * in semconv terms: input includes cached tokens, output includes reasoning tokens.
 * Returns undefined when the value holds no counts. A count that is not a valid token count (a
 * string, null, a fraction, a negative or absurd number) or a details field that is not an object
 * makes the usage invalid (`usage.invalid` names the field and the problem), never dropped.
 */
export function openAIUsage(raw: unknown): Usage | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) return { invalid: 'usage:wrong_type' };
  const u = raw as Obj;
  const r = new Reader();
  const input = u.prompt_tokens !== undefined ? r.count(u.prompt_tokens, 'prompt_tokens') : r.count(u.input_tokens, 'input_tokens');
  const output =
    u.completion_tokens !== undefined ? r.count(u.completion_tokens, 'completion_tokens') : r.count(u.output_tokens, 'output_tokens');
  if (input === undefined && output === undefined && r.problem === undefined) return undefined;
  const usage: Usage = {};
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  const inFields = u.prompt_tokens_details !== undefined ? PROMPT_DETAILS : INPUT_DETAILS;
  const outFields = u.completion_tokens_details !== undefined ? COMPLETION_DETAILS : OUTPUT_DETAILS;
  const inDetails = details(r, u[inFields.key], inFields.key);
  const outDetails = details(r, u[outFields.key], outFields.key);
  if (inDetails) {
    const cached = r.optional(inDetails.cached_tokens, inFields.cached);
    if (cached !== undefined) usage.cacheReadTokens = cached;
    const audio = r.optional(inDetails.audio_tokens, inFields.audio);
    if (audio) usage.inputAudioTokens = audio;
  }
  if (outDetails) {
    const reasoning = r.optional(outDetails.reasoning_tokens, outFields.reasoning);
    if (reasoning !== undefined) usage.reasoningTokens = reasoning;
    const audio = r.optional(outDetails.audio_tokens, outFields.audio);
    if (audio) usage.outputAudioTokens = audio;
  }
  return r.finish(usage);
}

/** A details object's key and the names its counts are reported by, built once rather than per response. */
function detailFields(key: string) {
  return { key, cached: `${key}.cached_tokens`, audio: `${key}.audio_tokens`, reasoning: `${key}.reasoning_tokens` };
}
const PROMPT_DETAILS = detailFields('prompt_tokens_details');
const INPUT_DETAILS = detailFields('input_tokens_details');
const COMPLETION_DETAILS = detailFields('completion_tokens_details');
const OUTPUT_DETAILS = detailFields('output_tokens_details');

/** A details object; `null` or absent reads as none, anything else that is not an object is a problem. */
function details(r: CountReader, value: unknown, field: string): Obj | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    r.fail(field, 'wrong_type');
    return undefined;
  }
  return value as Obj;
}
