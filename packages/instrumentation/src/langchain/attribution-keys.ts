// Attribution keys of framework context, recorded on spans as `tokenomics.attribution.<key>` and on
// metric points only when the app allow-lists the key (`attributionKeys`). Requested for
// @tokenomics/contract; they move there once it defines them.

/** The outermost LangChain runnable or LangGraph graph the app invoked (its `runName`, else its name). */
export const ATTRIBUTION_KEY_CHAIN = 'chain';
/** The LangGraph node whose model call this is. */
export const ATTRIBUTION_KEY_GRAPH_NODE = 'graph_node';
/** The OpenAI Agents SDK agent that made the model call (after a handoff, the agent handed to). */
export const ATTRIBUTION_KEY_AGENT = 'agent';

/** Longest framework name recorded; longer names are cut (names come from app code, not requests). */
export const MAX_FRAMEWORK_NAME_LENGTH = 128;

/** `value` as a name to record: a non-empty string, cut to {@link MAX_FRAMEWORK_NAME_LENGTH}. */
export function frameworkName(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return value.length > MAX_FRAMEWORK_NAME_LENGTH ? value.slice(0, MAX_FRAMEWORK_NAME_LENGTH) : value;
}
