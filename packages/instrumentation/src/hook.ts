/**
 * What `@tokenomics/node` uses, without the instrumentation classes: they are loaded one client
 * library at a time through {@link InstrumentationLoader}, so the hook does not carry the code of
 * libraries the app never loads. Everything here is also exported by the package's main entry.
 *
 * @packageDocumentation
 */
export * from './config';
export {
  compileProviderHosts,
  parseProviderHosts,
  ProviderHostsError,
  PROVIDER_HOSTS_ACCEPTED,
  type ProviderHostEntry,
} from './genai/compatible-hosts';
export { attachCallMetrics, CallMetrics, type CallMetricsReader } from './genai/call-metrics';
export { DEFAULT_BAGGAGE_KEYS, setAttributionPropagation, setBaggageAttributionKeys } from './genai/baggage-attribution';
export { BudgetGuard, setBudgetGuard, type Budget, type BudgetAction, type BudgetMatch, type BudgetsConfig } from './genai/budget-guard';
export { BUDGET_WINDOWS, type BudgetWindow } from './genai/budget-windows';
export { INSTRUMENTED_MODULES } from './instrumented-modules';
export { InstrumentationLoader } from './lazy-instrumentations';
export { waitForPendingEstimates } from './genai/pending-estimates';
export { tracerProviderRegistered } from './genai/framework-attribution';
