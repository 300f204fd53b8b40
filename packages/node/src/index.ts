/**
 * `@tokenomics/node`: the one hook that turns on cost and usage telemetry for LLM client libraries.
 *
 * - `node --require @tokenomics/node/register app.js` (CommonJS)
 * - `node --import @tokenomics/node/register app.mjs` (ESM)
 * - or `start()` in code.
 *
 * @packageDocumentation
 */
export { start, currentHandle, type StartOptions, type StartMode, type TokenomicsHandle } from './start';
export {
  readConfig,
  type NodeConfig,
  type OtlpSignalConfig,
  type OtlpProtocol,
  type TraceExporterName,
  type MetricExporterName,
} from './config';
export { ConfigError } from './config-error';
export type { Env } from './env-reader';
export { registerEsmLoaderHook } from './esm-loader';
export { withAttribution, getAttribution, type AttributionOptions } from '@tokenomics/instrumentation';
export { BudgetExceededError, WINDOW_HOURS, type Budget, type BudgetsConfig, type BudgetWindow } from '@tokenomics/instrumentation';
export { loadBudgetsFile, readBudgets, BudgetsFileError } from './budgets';
export type { TokenomicsInstrumentationConfig } from '@tokenomics/instrumentation';
