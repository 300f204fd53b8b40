import type { Usage } from '@tokenomics/pricing/types';
import { CountReader } from '@tokenomics/pricing/usage-validation';

type Obj = Record<string, unknown>;

/**
 * Usage of an Ollama answer: `prompt_eval_count` (prompt tokens evaluated) as input and
 * `eval_count` (tokens generated, thinking included) as output. Both come only on the final object
 * (`done: true`) of a stream. Ollama leaves `prompt_eval_count` out when the whole prompt came from
 * its cache: the usage then has output only. Returns undefined when the value holds no counts; a
 * malformed count makes the usage invalid, naming the field.
 */
export function ollamaUsage(raw: unknown, embeddings = false): Usage | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const o = raw as Obj;
  const r = new CountReader();
  const input = r.optional(own(o, 'prompt_eval_count'), 'prompt_eval_count');
  const output = embeddings ? undefined : r.optional(own(o, 'eval_count'), 'eval_count');
  if (input === undefined && output === undefined && r.problem === undefined) return undefined;
  const usage: Usage = {};
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  return r.finish(usage);
}

/** An own property of a value from the wire (never an inherited one). */
export function own(o: unknown, key: string): unknown {
  return o && typeof o === 'object' && Object.hasOwn(o, key) ? (o as Obj)[key] : undefined;
}
