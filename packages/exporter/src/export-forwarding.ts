import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';

/**
 * Hands `batch` to the wrapped exporter's `export()` and guarantees the SDK's contract to the
 * caller: `resultCallback` is called exactly once, a throwing wrapped exporter becomes a `FAILED`
 * result, and a throwing callback is logged, never rethrown. `what` names the exporter in logs.
 */
export function forwardExport<T>(
  inner: { export(batch: T, resultCallback: (result: ExportResult) => void): void },
  batch: T,
  resultCallback: (result: ExportResult) => void,
  what: 'span' | 'metric',
): void {
  let done = false;
  const once = (result: ExportResult) => {
    if (done) return;
    done = true;
    try {
      resultCallback(result);
    } catch (err) {
      diag.error('@tokenomics/exporter: export result callback threw', err);
    }
  };
  try {
    inner.export(batch, once);
  } catch (err) {
    diag.error(`@tokenomics/exporter: wrapped ${what} exporter threw from export()`, err);
    once({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
  }
}
