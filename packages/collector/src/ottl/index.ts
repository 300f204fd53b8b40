/**
 * OTTL generation: the collector stage's pricing as a `transform` processor configuration for the
 * stock OpenTelemetry Collector (contrib distribution).
 */
export { buildPriceTable, OTTL_UNITS, type EntryRates, type OttlUnit, type PriceTable, type PriceTableOptions } from './price-table';
export { generateOttl, ottlStatements, OTTL_PROCESSOR_NAME, type OttlOptions } from './generate';
export { OTTL_UNPRICED_REASONS } from './reasons';
export { runOttlCommand, OTTL_USAGE } from './command';
