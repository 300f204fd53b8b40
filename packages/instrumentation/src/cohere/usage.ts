import { BILLED_ITEM_SEARCH_UNIT } from '@tokenomics/contract/operations';
import type { Usage } from '@tokenomics/pricing/types';
import { CountReader } from '@tokenomics/pricing/usage-validation';

type Obj = Record<string, unknown>;

/** An own property of a value from the wire (never an inherited one), by its SDK or wire name. */
export function field(o: unknown, camel: string, snake: string = camel): unknown {
  if (!o || typeof o !== 'object') return undefined;
  const obj = o as Obj;
  if (Object.hasOwn(obj, camel)) return obj[camel];
  return Object.hasOwn(obj, snake) ? obj[snake] : undefined;
}

/**
 * Usage of a Cohere v2 answer from what the API bills: `billed_units` (`billedUnits` in the SDK's
 * parsed objects) — `input_tokens`, `output_tokens` and `search_units` (rerank, one per query of up
 * to 100 documents, priced per unit). `tokens` (what the model saw, its prompt template included) is
 * not what is billed and is not read; neither is `cached_tokens`, which Cohere bills as input.
 * Returns undefined when nothing billed is reported; a malformed count makes the usage invalid.
 *
 * @param holder - the object holding `billed_units`: a chat's `usage`, or an embed or rerank `meta`.
 */
export function cohereBilledUsage(holder: unknown): Usage | undefined {
  if (holder === undefined || holder === null) return undefined;
  if (typeof holder !== 'object' || Array.isArray(holder)) return { invalid: 'usage:wrong_type' };
  const billed = field(holder, 'billedUnits', 'billed_units');
  if (billed === undefined || billed === null) return undefined;
  if (typeof billed !== 'object' || Array.isArray(billed)) return { invalid: 'billed_units:wrong_type' };
  const r = new CountReader();
  const input = r.optional(field(billed, 'inputTokens', 'input_tokens'), 'billed_units.input_tokens');
  const output = r.optional(field(billed, 'outputTokens', 'output_tokens'), 'billed_units.output_tokens');
  const searches = r.optional(field(billed, 'searchUnits', 'search_units'), 'billed_units.search_units');
  const usage: Usage = {};
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  if (searches !== undefined && searches > 0) usage.requests = { [BILLED_ITEM_SEARCH_UNIT]: searches };
  if (input === undefined && output === undefined && usage.requests === undefined && r.problem === undefined) return undefined;
  return r.finish(usage);
}
