import { diag } from '@opentelemetry/api';
import { MAX_TOKENS_PER_CALL } from '@tokenomics/pricing/usage-validation';

/** Why an attribute value could not be used as a token count. */
export type ValueProblem = 'negative' | 'not_finite' | 'not_integer' | 'too_large' | 'string' | 'not_a_number';

/** Receives every unusable (or merely odd) attribute value the exporter meets. */
export type InvalidValueSink = (attribute: string, value: unknown, problem: ValueProblem) => void;

/**
 * Reports bad attribute values through `diag`: the first occurrence of each attribute/problem pair
 * at `warn`, later ones at `debug` (so a misbehaving source cannot flood the log), and forwards each
 * to `count` for the invalid-values counter. Memory is bounded by the fixed set of token attributes
 * times the problem kinds.
 */
export class InvalidValueReporter {
  private readonly seen = new Set<string>();

  constructor(private readonly count: (attribute: string, problem: ValueProblem) => void) {}

  /** Report one value. */
  readonly report: InvalidValueSink = (attribute, value, problem) => {
    const key = `${attribute}\u0000${problem}`;
    const message =
      problem === 'string'
        ? `@tokenomics/exporter: ${attribute} holds a string (${JSON.stringify(value)}); read it as a number`
        : `@tokenomics/exporter: ignoring ${attribute} = ${describe(value)} (${problem}); a token count is a non-negative integer of at most ${MAX_TOKENS_PER_CALL}`;
    if (this.seen.has(key)) {
      diag.debug(message);
    } else {
      if (this.seen.size < 1024) this.seen.add(key);
      diag.warn(message);
    }
    this.count(attribute, problem);
  };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (Array.isArray(value)) return `[array of ${value.length}]`;
  return String(value);
}
