/**
 * Token counting for LLM requests with tiktoken, loaded lazily per encoding.
 *
 * @packageDocumentation
 */
export { encodingForModel, resolveModelEncoding, isEncodingName, DEFAULT_ENCODING } from './encodings';
export type { EncodingName, ModelEncoding } from './encodings';
export { countTokens } from './token-count';
export type { TokenCount } from './token-count';
export { countChatTokens } from './chat-tokens';
export type { ChatMessageLike, ContentPartLike, ToolCallLike } from './chat-tokens';
export { countResponsesInputTokens } from './responses-tokens';
export type { ResponsesInputItemLike } from './responses-tokens';
export { estimateRequestTokens } from './request-estimate';
export { tokenPieces } from './token-pieces';
export { loadedEncodings } from './encoder-cache';
export { countEstimateJob } from './estimate-job';
export type { EstimateJob, EstimateCounts } from './estimate-job';
export {
  countInWorker,
  countInPlace,
  warmTokenWorker,
  stopTokenWorker,
  tokenWorkerRunning,
  DEFAULT_ESTIMATE_TIMEOUT_MILLIS,
  MAX_QUEUED_ESTIMATES,
} from './worker-counter';
export type { EstimateUnavailableReason, WorkerEstimate, WorkerCountOptions } from './worker-counter';
export { toPlainData } from './plain-data';
