/**
 * `@tokenomics/collector`: a Collector pipeline stage that prices GenAI telemetry from any language.
 * OTLP in (HTTP protobuf/JSON, gRPC), GenAI spans and token-usage histograms priced with the
 * exporter's enrichment, OTLP/HTTP protobuf out through a bounded queue with retries.
 *
 * @packageDocumentation
 */
export {
  TokenomicsCollector,
  defaultWorkerCount,
  cgroupCpuLimit,
  MAX_DEFAULT_WORKERS,
  DEFAULT_MAX_REQUEST_BYTES,
  DEFAULT_QUEUE_MEMORY_LIMIT_BYTES,
  type AcceptResult,
  type CollectorOptions,
  type CostMetricsSource,
  type ListenAddress,
} from './collector';
export type { DestinationOptions, RetryOptions } from './forwarder';
export type { PriceBookSource } from './price-book-holder';
export { CollectorStats, type DropReason, type Signal } from './stats';
export { prometheusText } from './telemetry-server';
export { decodeStatus } from './rpc-status';
export { CollectorConfigError, loadCollectorConfig, parseCollectorConfig } from './config';
export { runCollectorCommand, collectorOptionsFromArgs, COLLECTOR_USAGE, type CommandOutput } from './command';
export {
  buildPriceTable,
  generateOttl,
  ottlStatements,
  runOttlCommand,
  OTTL_PROCESSOR_NAME,
  OTTL_UNITS,
  OTTL_UNPRICED_REASONS,
  OTTL_USAGE,
  type EntryRates,
  type OttlOptions,
  type OttlUnit,
  type PriceTable,
  type PriceTableOptions,
} from './ottl';
