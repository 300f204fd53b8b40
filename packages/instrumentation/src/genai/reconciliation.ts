import { diag } from '@opentelemetry/api';
import { resolveModelEncoding } from '@tokenomics/tokens/encodings';
import type { EstimateJob } from '@tokenomics/tokens/estimate-job';
import { countInWorker } from '@tokenomics/tokens/worker-counter';
import { trackEstimate } from './pending-estimates';

/**
 * Reconciliation of estimates against bills. A sample of calls (the share set by
 * `reconcileSample`, else `TOKENOMICS_RECONCILE_SAMPLE`, default 0) has its input counted locally
 * with tiktoken, by the token worker, after the call ended and off the app's path; the ratio of
 * that estimate to the provider's billed input tokens is recorded per provider, model and encoding
 * (`tokenomics.reconciliation.input_tokens`), so the error of local estimates is measured where it
 * matters. The request is read when the call ends: a request body the app changed after sending it
 * is counted as changed.
 */

/** Environment variable of the reconciliation sample: a share of calls between 0 and 1. */
export const ENV_RECONCILE_SAMPLE = 'TOKENOMICS_RECONCILE_SAMPLE';

/**
 * The share of calls to reconcile: `configured` when it is a number in [0, 1], else the
 * environment variable's value when valid, else 0 (off).
 */
export function reconcileSample(configured: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  if (typeof configured === 'number' && configured >= 0 && configured <= 1) return configured;
  const raw = env[ENV_RECONCILE_SAMPLE];
  if (raw === undefined || raw.trim() === '') return 0;
  const n = Number(raw);
  if (Number.isFinite(n) && n >= 0 && n <= 1) return n;
  diag.warn(`tokenomics: ${ENV_RECONCILE_SAMPLE}='${raw}' is not a share of calls between 0 and 1 (e.g. 0.05); reconciliation is off`);
  return 0;
}

/** The relative position of an estimate against a bill: `estimated / billed` (1 = exact). `undefined` when billed is 0. */
export function estimateRatio(estimated: number, billed: number): number | undefined {
  if (!(billed > 0) || !(estimated >= 0) || !Number.isFinite(estimated) || !Number.isFinite(billed)) return undefined;
  return estimated / billed;
}

/**
 * Counts the input of `job` in the token worker and hands `record` the ratio of the estimate to
 * `billedInput` and the encoding used. Followed by `waitForPendingEstimates`, like any estimate.
 * Never throws; a count that fails or times out records nothing.
 */
export function reconcileInput(job: EstimateJob, billedInput: number, record: (ratio: number, encoding: string) => void): void {
  try {
    const encoding = resolveModelEncoding(job.model).encoding;
    trackEstimate(
      countInWorker(job),
      (result) => {
        if (!result.ok) return;
        const estimated = result.counts.requestTokens;
        if (estimated === undefined) return;
        const ratio = estimateRatio(estimated, billedInput);
        if (ratio !== undefined) record(ratio, encoding);
      },
      job,
    );
  } catch {
    /* nothing reconciled for this call */
  }
}
