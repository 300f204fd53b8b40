import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanCostEnricher, type CostEnrichmentOptions } from './span-enricher';

/**
 * A {@link SpanProcessor} that hands each ended span to `inner` with cost added, for pipelines where
 * wrapping the exporter is not possible (e.g. a vendor's processor that owns its exporter). Same
 * enrichment as {@link CostEnrichingSpanExporter}, one span at a time.
 *
 * De-duplication sees one span at a time here: a span whose duplicate ends later (a vendor span
 * inside an already-priced span of ours) is priced before the later span is seen. Prefer the
 * exporter wrapper, which sees whole batches.
 *
 * @param inner the processor to forward to (e.g. a `BatchSpanProcessor` with your exporter)
 * @param options as for {@link CostEnrichingSpanExporter}
 */
export function createCostEnrichingSpanProcessor(inner: SpanProcessor, options: CostEnrichmentOptions = {}): SpanProcessor {
  const enricher = new SpanCostEnricher(options);
  const processor: SpanProcessor = {
    onStart(span: Span, parentContext: Context): void {
      inner.onStart(span, parentContext);
    },
    onEnd(span: ReadableSpan): void {
      inner.onEnd(enricher.enrich([span])[0]);
    },
    forceFlush(): Promise<void> {
      return inner.forceFlush();
    },
    shutdown(): Promise<void> {
      return inner.shutdown();
    },
  };
  if (inner.onEnding !== undefined) {
    processor.onEnding = (span: Span) => inner.onEnding?.(span);
  }
  return processor;
}
