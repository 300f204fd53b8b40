import { type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { SpanCostEnricher, type CostEnrichmentOptions } from './span-enricher';
import { forwardExport } from './export-forwarding';

/**
 * A {@link SpanExporter} that adds USD cost to GenAI client spans from any instrumentation
 * (Tokenomics, OpenTelemetry contrib, OpenLLMetry / Traceloop, OpenLIT, vendor SDKs) and hands the
 * batch to the exporter it wraps.
 *
 * For each span that names a GenAI operation or provider and carries usage but no
 * `gen_ai.usage.cost.amount`, it prices the usage with the price book and exports a read-only view
 * with `gen_ai.usage.cost.amount`, `gen_ai.usage.cost.currency` (`USD`), `gen_ai.usage.cost.source`
 * (`local`), `tokenomics.price_book.version`, `tokenomics.pricing.model` and a
 * `tokenomics.cost.<unit>` breakdown — or `tokenomics.unpriced` and `tokenomics.unpriced_reason`,
 * never a $0 cost for a model it does not know. The SDK's span objects are never modified; spans that
 * need nothing are passed on as the very same objects.
 *
 * When a span and its direct parent or child describe the same call (same model, same input and
 * output totals), only one carries cost; the other gets `tokenomics.duplicate_of`.
 *
 * `export()` never throws and calls its callback exactly once; `shutdown()` and `forceFlush()` are
 * forwarded to the wrapped exporter.
 *
 * @example
 * ```ts
 * const exporter = new CostEnrichingSpanExporter(new OTLPTraceExporter());
 * const sdk = new NodeSDK({ spanProcessors: [new BatchSpanProcessor(exporter)] });
 * ```
 */
export class CostEnrichingSpanExporter implements SpanExporter {
  private readonly enricher: SpanCostEnricher;

  /**
   * @param inner the exporter that ships the spans (OTLP, console, in-memory, ...)
   * @param options price book, de-duplication memory, handling of spans priced elsewhere
   */
  constructor(
    private readonly inner: SpanExporter,
    options: CostEnrichmentOptions = {},
  ) {
    this.enricher = new SpanCostEnricher(options);
  }

  /** Enrich the batch and export it through the wrapped exporter. */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    forwardExport(this.inner, this.enricher.enrich(spans), resultCallback, 'span');
  }

  /** Shut the wrapped exporter down. */
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  /** Flush the wrapped exporter, if it can flush. */
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
