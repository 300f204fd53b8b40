/**
 * `gen_ai.operation.name` values and the names of items billed per unit rather than per token.
 */

// --- gen_ai.operation.name: values the GenAI semantic conventions list ------------------------
/** `gen_ai.operation.name` value `chat`. */
export const OPERATION_CHAT = 'chat';
/** `gen_ai.operation.name` value `text_completion`. */
export const OPERATION_TEXT_COMPLETION = 'text_completion';
/** `gen_ai.operation.name` value `generate_content`. */
export const OPERATION_GENERATE_CONTENT = 'generate_content';
/** `gen_ai.operation.name` value `embeddings`. */
export const OPERATION_EMBEDDINGS = 'embeddings';
/** `gen_ai.operation.name` value `retrieval`. */
export const OPERATION_RETRIEVAL = 'retrieval';
/** `gen_ai.operation.name` value `create_agent`. */
export const OPERATION_CREATE_AGENT = 'create_agent';
/** `gen_ai.operation.name` value `invoke_agent`. */
export const OPERATION_INVOKE_AGENT = 'invoke_agent';
/** `gen_ai.operation.name` value `invoke_workflow`. */
export const OPERATION_INVOKE_WORKFLOW = 'invoke_workflow';
/** `gen_ai.operation.name` value `execute_tool`. */
export const OPERATION_EXECUTE_TOOL = 'execute_tool';

// --- gen_ai.operation.name: project values for operations the conventions do not list ---------
/** A rerank call (e.g. Cohere rerank): billed per search unit, no tokens. */
export const OPERATION_RERANK = 'rerank';

/** Every `gen_ai.operation.name` value the project writes. */
export const OPERATION_NAMES: readonly string[] = [
  OPERATION_CHAT,
  OPERATION_TEXT_COMPLETION,
  OPERATION_GENERATE_CONTENT,
  OPERATION_EMBEDDINGS,
  OPERATION_RETRIEVAL,
  OPERATION_CREATE_AGENT,
  OPERATION_INVOKE_AGENT,
  OPERATION_INVOKE_WORKFLOW,
  OPERATION_EXECUTE_TOOL,
  OPERATION_RERANK,
];

/** Operations that are not themselves a billed model call (agents and workflows aggregate their children). */
export const NOT_MODEL_CALL_OPERATIONS: ReadonlySet<string> = new Set([
  OPERATION_INVOKE_AGENT,
  OPERATION_CREATE_AGENT,
  OPERATION_EXECUTE_TOOL,
  OPERATION_INVOKE_WORKFLOW,
]);

/** OpenLLMetry / Traceloop `llm.request.type` values to the `gen_ai.operation.name` value. */
export const LLM_REQUEST_TYPE_OPERATIONS: ReadonlyMap<string, string> = new Map([
  ['chat', OPERATION_CHAT],
  ['completion', OPERATION_TEXT_COMPLETION],
  ['embedding', OPERATION_EMBEDDINGS],
  ['rerank', OPERATION_RERANK],
]);

// --- Items billed per unit (names of `Usage.requests`) ----------------------------------------
/** Item billed per unit: `web_search` (a `Usage.requests` key). */
export const BILLED_ITEM_WEB_SEARCH = 'web_search';
/** Item billed per unit: `file_search` (a `Usage.requests` key). */
export const BILLED_ITEM_FILE_SEARCH = 'file_search';
/** Item billed per unit: `code_execution` (a `Usage.requests` key). */
export const BILLED_ITEM_CODE_EXECUTION = 'code_execution';
/** Item billed per unit: `text_message` (a `Usage.requests` key). */
export const BILLED_ITEM_TEXT_MESSAGE = 'text_message';
/** Item billed per unit: `document_page` (a `Usage.requests` key). */
export const BILLED_ITEM_DOCUMENT_PAGE = 'document_page';
/** Item billed per unit: `annotated_document_page` (a `Usage.requests` key). */
export const BILLED_ITEM_ANNOTATED_DOCUMENT_PAGE = 'annotated_document_page';
/** Cohere rerank search units (`meta.billed_units.search_units`). */
export const BILLED_ITEM_SEARCH_UNIT = 'search_unit';

/** A Perplexity request made with `web_search_options.search_context_size` `medium`: the fee above the default (`low`) one. */
export const BILLED_ITEM_SEARCH_CONTEXT_MEDIUM = 'search_context_medium';
/** A Perplexity request made with `web_search_options.search_context_size` `high`: the fee above the default (`low`) one. */
export const BILLED_ITEM_SEARCH_CONTEXT_HIGH = 'search_context_high';

/** Every name of an item billed per unit (`Usage.requests` keys) the price book knows. */
export const BILLED_ITEMS: readonly string[] = [
  BILLED_ITEM_WEB_SEARCH,
  BILLED_ITEM_FILE_SEARCH,
  BILLED_ITEM_CODE_EXECUTION,
  BILLED_ITEM_TEXT_MESSAGE,
  BILLED_ITEM_DOCUMENT_PAGE,
  BILLED_ITEM_ANNOTATED_DOCUMENT_PAGE,
  BILLED_ITEM_SEARCH_UNIT,
  BILLED_ITEM_SEARCH_CONTEXT_MEDIUM,
  BILLED_ITEM_SEARCH_CONTEXT_HIGH,
];
