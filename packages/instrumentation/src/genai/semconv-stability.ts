/**
 * `OTEL_SEMCONV_STABILITY_OPT_IN` handling for the GenAI conventions and the deprecated
 * `gen_ai.system` values, from the one telemetry contract (`@tokenomics/contract`). Kept as a
 * re-export so existing imports keep working; import from `@tokenomics/contract` in new code.
 */
export { deprecatedSystemName } from '@tokenomics/contract/providers';
export { emitDeprecatedGenAINames } from '@tokenomics/contract/stability';
