/**
 * Provider names as `gen_ai.provider.name` spells them, from whatever a source wrote (the current
 * semconv value, deprecated `gen_ai.system` values, OpenLLMetry display names, Vercel AI SDK
 * `<provider>.<api>` ids): the one alias table of the telemetry contract (`@tokenomics/contract`).
 * Kept as a re-export so existing imports keep working; import from `@tokenomics/contract` in new code.
 */
import * as providers from '@tokenomics/contract/providers';

/** The contract's `normaliseProviderName`, as a plain constant of this module (read on every span). */
export const normaliseProviderName = providers.normaliseProviderName;
