import { metrics, type Counter, type MeterProvider } from '@opentelemetry/api';
import {
  ATTR_TOKENOMICS_EXPORTER_ATTRIBUTE,
  ATTR_TOKENOMICS_EXPORTER_OUTCOME,
  METRIC_EXPORTER_INVALID_VALUES,
  METRIC_EXPORTER_METRIC_POINTS,
  METRIC_EXPORTER_SPANS,
} from './attribute-names';
import type { ValueProblem } from './invalid-values';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version';

/**
 * What happened to a GenAI span on its way through the exporter:
 * - `enriched`: we added cost from the price book;
 * - `unpriced`: we marked it `tokenomics.unpriced` (unknown model, unusable usage, ...);
 * - `duplicate`: another span of the same call carries the cost; marked `tokenomics.duplicate_of`;
 * - `already_priced`: it carried cost (or an unpriced verdict) already; passed through untouched;
 * - `annotated`: another source priced it (OpenLIT); we kept that and added ours under `tokenomics.*`;
 * - `foreign_priced`: another source priced it and `foreignCost: 'keep'` left it untouched;
 * - `skipped`: GenAI but not a billed model call (agent/tool spans) or without usage; untouched.
 */
export type SpanOutcome = 'enriched' | 'unpriced' | 'duplicate' | 'already_priced' | 'annotated' | 'foreign_priced' | 'skipped';

/** What happened to a foreign `gen_ai.client.token.usage` data point: `priced`, `unpriced`, `skipped`. */
export type MetricPointOutcome = 'priced' | 'unpriced' | 'skipped';

/**
 * The exporter's own counters, created on first use from the given MeterProvider or the global one
 * (so a provider registered after the exporter was built is still used):
 * `tokenomics.exporter.spans` (`tokenomics.exporter.outcome`), `tokenomics.exporter.invalid_values`
 * (`tokenomics.exporter.attribute`, `tokenomics.exporter.outcome` = the problem) and
 * `tokenomics.exporter.metric_points` (`tokenomics.exporter.outcome`).
 */
export class SelfMetrics {
  private spans?: Counter;
  private invalid?: Counter;
  private points?: Counter;

  constructor(private readonly meterProvider?: MeterProvider) {}

  /** Add one batch's tallies (outcomes with zero count are not recorded). */
  countSpans(tally: Partial<Record<SpanOutcome, number>>): void {
    const counter = (this.spans ??= this.meter().createCounter(METRIC_EXPORTER_SPANS, {
      description: 'GenAI spans seen by the cost-enriching exporter, by outcome',
      unit: '{span}',
    }));
    for (const outcome in tally) {
      const n = tally[outcome as SpanOutcome];
      if (n) counter.add(n, { [ATTR_TOKENOMICS_EXPORTER_OUTCOME]: outcome });
    }
  }

  /** Count one unusable attribute value. */
  countInvalid(attribute: string, problem: ValueProblem): void {
    const counter = (this.invalid ??= this.meter().createCounter(METRIC_EXPORTER_INVALID_VALUES, {
      description: 'Token-count attribute values the exporter could not use as they were',
      unit: '{value}',
    }));
    counter.add(1, { [ATTR_TOKENOMICS_EXPORTER_ATTRIBUTE]: attribute, [ATTR_TOKENOMICS_EXPORTER_OUTCOME]: problem });
  }

  /** Add one export's tallies of metric data points. */
  countMetricPoints(tally: Partial<Record<MetricPointOutcome, number>>): void {
    const counter = (this.points ??= this.meter().createCounter(METRIC_EXPORTER_METRIC_POINTS, {
      description: 'Foreign gen_ai.client.token.usage data points seen by the cost-enriching metric exporter',
      unit: '{point}',
    }));
    for (const outcome in tally) {
      const n = tally[outcome as MetricPointOutcome];
      if (n) counter.add(n, { [ATTR_TOKENOMICS_EXPORTER_OUTCOME]: outcome });
    }
  }

  private meter() {
    return (this.meterProvider ?? metrics.getMeterProvider()).getMeter(PACKAGE_NAME, PACKAGE_VERSION);
  }
}
