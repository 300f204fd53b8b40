/**
 * `OTEL_SEMCONV_STABILITY_OPT_IN` for the GenAI conventions. By default only the current names are
 * emitted; `gen_ai/dup` (or `gen_ai_dup`) in the comma-separated list also emits the deprecated
 * ones next to them (`gen_ai.system` with its old values, `gen_ai.usage.prompt_tokens`,
 * `gen_ai.usage.completion_tokens`, `gen_ai.usage.cache_creation.input_tokens`) for backends that
 * still query them. Readers always accept both.
 */

/** The environment variable the conventions define for the opt-in. */
export const SEMCONV_STABILITY_OPT_IN_ENV = 'OTEL_SEMCONV_STABILITY_OPT_IN';
/** Opt-in values that emit the deprecated GenAI names as well as the current ones. */
export const GEN_AI_DUP_OPT_INS: readonly string[] = ['gen_ai/dup', 'gen_ai_dup'];

/** Whether the deprecated GenAI names are emitted too (`gen_ai/dup` in `OTEL_SEMCONV_STABILITY_OPT_IN`). */
export function emitDeprecatedGenAINames(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  const value = env[SEMCONV_STABILITY_OPT_IN_ENV];
  if (!value) return false;
  return value.split(',').some((v) => GEN_AI_DUP_OPT_INS.includes(v.trim().toLowerCase()));
}
