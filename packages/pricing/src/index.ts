export * from './types';
export { PriceBook, type PriceBookLoadOptions } from './price-book';
export { getPriceBook, setPriceBook, price, loadPriceBookFromEnv } from './default-book';
export { PriceFileError, describeValue } from './price-file-error';
export { readSourceDoc, fieldName, type SourceDoc, type FieldPath } from './source-doc';
export { validatePriceFile, type PriceFileCheck } from './validate-file';
export { normalizeServiceTier } from './service-tiers';
export {
  CONTEXT_WINDOW_MARGIN,
  CountReader,
  MAX_TOKENS_PER_CALL,
  countProblem,
  usageProblem,
  type CountProblem,
  type UsageConsistencyProblem,
} from './usage-validation';
export { diffPriceBook, STANDARD_WORKLOADS, type DiffOptions, type PriceDiff, type PriceDisagreement, type Workload } from './price-diff';
export { parseReferenceTable, readReferenceTable, type ReferenceEntry, type ReferenceTable } from './reference-table';
