/** Request parameters that are negative by definition (penalties, seeds): these only need to be finite. */
const SIGNED_ATTRIBUTES = new Set(['gen_ai.request.frequency_penalty', 'gen_ai.request.presence_penalty', 'gen_ai.request.seed']);

/** Whether a numeric span attribute is acceptable: finite, and non-negative unless signed by definition. */
export function acceptableAttribute(key: string, value: number): boolean {
  return Number.isFinite(value) && (value >= 0 || SIGNED_ATTRIBUTES.has(key));
}
