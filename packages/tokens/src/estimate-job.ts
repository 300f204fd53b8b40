import { estimateRequestTokens } from './request-estimate';
import { countTokens } from './token-count';

/**
 * What to count for one estimate: plain data, so it can be handed to the worker thread of
 * {@link countInWorker} as well as counted in place with {@link countEstimateJob}.
 */
export interface EstimateJob {
  /** Model whose tokenizer to use (see `resolveModelEncoding`); default `o200k_base`. */
  model?: string | undefined;
  /** A request body whose prompt to estimate, as `estimateRequestTokens` accepts it. */
  request?: unknown | undefined;
  /** Text to count, such as the streamed output of a call. */
  text?: string | undefined;
}

/** The counts of an {@link EstimateJob}. */
export interface EstimateCounts {
  /**
   * Prompt tokens of `request`, as `estimateRequestTokens` counts them; `undefined` when the job
   * had no request or the request has no shape the estimator knows.
   */
  requestTokens?: number;
  /** Tokens of `text`, as `countTokens` counts them; 0 without text. */
  textTokens: number;
}

/**
 * Counts an {@link EstimateJob} on the calling thread (loads tiktoken if it is not loaded yet,
 * which blocks). Never throws: a request of an unknown shape gives `requestTokens: undefined`.
 */
export function countEstimateJob(job: EstimateJob): EstimateCounts {
  const model = typeof job.model === 'string' ? job.model : undefined;
  let requestTokens: number | undefined;
  if (job.request !== undefined && job.request !== null) {
    try {
      requestTokens = estimateRequestTokens(job.request, model).tokens;
    } catch {
      requestTokens = undefined;
    }
  }
  const textTokens = typeof job.text === 'string' && job.text.length > 0 ? countTokens(job.text, model).tokens : 0;
  return requestTokens === undefined ? { textTokens } : { requestTokens, textTokens };
}
