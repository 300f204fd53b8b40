import { metrics, type Counter, type Meter, type MeterProvider } from '@opentelemetry/api';
import {
  TOKENOMICS_EXPORTER_INVALID_VALUES,
  TOKENOMICS_EXPORTER_METRIC_POINTS,
  TOKENOMICS_EXPORTER_SPANS,
  type MetricDefinition,
} from '@tokenomics/contract/metrics';
import { ATTR_TOKENOMICS_EXPORTER_ATTRIBUTE, ATTR_TOKENOMICS_EXPORTER_OUTCOME } from './attribute-names';
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
    const counter = (this.spans ??= declareCounter(this.meter(), TOKENOMICS_EXPORTER_SPANS));
    for (const outcome in tally) {
      const n = tally[outcome as SpanOutcome];
      if (n) counter.add(n, { [ATTR_TOKENOMICS_EXPORTER_OUTCOME]: outcome });
    }
  }

  /** Count one unusable attribute value. */
  countInvalid(attribute: string, problem: ValueProblem): void {
    const counter = (this.invalid ??= declareCounter(this.meter(), TOKENOMICS_EXPORTER_INVALID_VALUES));
    counter.add(1, { [ATTR_TOKENOMICS_EXPORTER_ATTRIBUTE]: attribute, [ATTR_TOKENOMICS_EXPORTER_OUTCOME]: problem });
  }

  /** Add one export's tallies of metric data points. */
  countMetricPoints(tally: Partial<Record<MetricPointOutcome, number>>): void {
    const counter = (this.points ??= declareCounter(this.meter(), TOKENOMICS_EXPORTER_METRIC_POINTS));
    for (const outcome in tally) {
      const n = tally[outcome as MetricPointOutcome];
      if (n) counter.add(n, { [ATTR_TOKENOMICS_EXPORTER_OUTCOME]: outcome });
    }
  }

  private meter() {
    return (this.meterProvider ?? metrics.getMeterProvider()).getMeter(PACKAGE_NAME, PACKAGE_VERSION);
  }
}

/** A counter as the telemetry contract declares it. */
function declareCounter(meter: Meter, metric: MetricDefinition): Counter {
  return meter.createCounter(metric.name, { description: metric.description, unit: metric.unit });
}
