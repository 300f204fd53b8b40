// Attribution keys of framework context, recorded on spans as `tokenomics.attribution.<key>` and on
// metric points only when the app allow-lists the key (`attributionKeys`). Defined by the contract.
export { ATTRIBUTION_KEY_AGENT, ATTRIBUTION_KEY_CHAIN, ATTRIBUTION_KEY_GRAPH_NODE } from '@tokenomics/contract/attributes';

/** Longest framework name recorded; longer names are cut (names come from app code, not requests). */
export const MAX_FRAMEWORK_NAME_LENGTH = 128;

/** `value` as a name to record: a non-empty string, cut to {@link MAX_FRAMEWORK_NAME_LENGTH}. */
export function frameworkName(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return value.length > MAX_FRAMEWORK_NAME_LENGTH ? value.slice(0, MAX_FRAMEWORK_NAME_LENGTH) : value;
}
