import type { Attributes } from '@opentelemetry/api';
import type { Usage } from '@tokenomics/pricing/types';
import type { EstimateCounts, EstimateJob } from '@tokenomics/tokens/estimate-job';

/** What an adapter knows when a call starts. */
export interface CallStart {
  /** `gen_ai.provider.name` value, e.g. `openai`. */
  provider: string;
  /**
   * The provider was only guessed from the base URL (a default port, or none): a response that
   * names a self-hosted server decides it (the OpenAI adapter's `providerFromResponse`).
   */
  providerGuessed?: boolean;
  /** `gen_ai.operation.name` value, e.g. `chat`. */
  operation: string;
  requestModel: string;
  serverAddress?: string | undefined;
  serverPort?: number | undefined;
  /**
   * Request attributes (`gen_ai.request.*`, provider specific ones, and `gen_ai.conversation.id`
   * when the request names one). Set on the span right after it is created; only
   * `gen_ai.conversation.id` is among the attributes a sampler sees.
   */
  attributes?: Attributes | undefined;
  /** Service tier asked for in the request, if any. */
  requestedServiceTier?: string | undefined;
  /** Whether the response is a stream of chunks. */
  streaming?: boolean | undefined;
  /** Input messages, serialised only when content capture is on. */
  inputMessages?: (() => unknown) | undefined;
  /**
   * The response this call continues (OpenAI Responses API `previous_response_id`): the call joins
   * that response's conversation, if it is still known.
   */
  previousResponseId?: string | undefined;
  /**
   * The response can be continued by a later call naming its id (OpenAI Responses API, stored): its
   * totals are kept, so that a follow-up with `previousResponseId` finds its conversation.
   */
  continuable?: boolean | undefined;
  /**
   * The request's input as a token-worker job, asked for only when the call is in the
   * reconciliation sample (see `reconcileSample`), after the call ended. Must not throw.
   */
  inputEstimate?: (() => EstimateJob | undefined) | undefined;
}

/** What an adapter learnt from the response. Every field optional: streams fill it as they go. */
export interface CallResult {
  responseModel?: string | undefined;
  /**
   * The provider bills the model asked for (a Bedrock model id or inference profile), whatever
   * model name the response carries: {@link responseModel} is recorded but not priced.
   */
  billedByRequestModel?: boolean | undefined;
  responseId?: string | undefined;
  finishReasons?: string[] | undefined;
  /** Service tier that served (and bills) the call, as reported by the provider. */
  serviceTier?: string | undefined;
  usage?: Usage | undefined;
  /**
   * The cost the provider reported it billed, in USD (OpenRouter's `usage.cost`): recorded as the
   * cost with source `provider`, next to the price book's figure and the difference.
   */
  reportedCost?: number | undefined;
  /** True when `usage` was counted locally rather than reported by the provider. */
  usageEstimated?: boolean | undefined;
  /**
   * Usage still to be counted: the call's span ends once the token worker has counted it (the
   * span's end time stays the call's), and the usage it gives is flagged as estimated.
   */
  usageEstimate?: UsageEstimate | undefined;
  /** Output messages, serialised only when content capture is on. */
  outputMessages?: (() => unknown) | undefined;
}

/**
 * Usage to be counted off the app's path, by the token worker of `@tokenomics/tokens`.
 */
export interface UsageEstimate {
  /** What to count (made plain data before it is handed over). */
  job: EstimateJob;
  /** The call's usage from the counts; `undefined` when they give none. */
  toUsage(counts: EstimateCounts): Usage | undefined;
  /** Usage known without counting (partial, e.g. billed input of a stream cut short): recorded if the count is unavailable. */
  known?: Usage | undefined;
}

/** How a streamed call ended. */
export type StreamOutcome = 'completed' | 'aborted' | 'abandoned' | 'error';
