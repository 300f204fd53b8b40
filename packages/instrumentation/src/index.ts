export * from './config';
export { OpenAIInstrumentation } from './openai/instrumentation';
export { GoogleGenAIInstrumentation, GOOGLE_GENAI_SUPPORTED_VERSIONS } from './google-genai/instrumentation';
export { BedrockRuntimeInstrumentation, BEDROCK_RUNTIME_SUPPORTED_VERSIONS } from './bedrock/instrumentation';
export { AnthropicInstrumentation, ANTHROPIC_SUPPORTED_VERSIONS } from './anthropic/instrumentation';
export { MistralInstrumentation, MISTRAL_SUPPORTED_VERSIONS } from './mistral/instrumentation';
export { CohereInstrumentation, COHERE_SUPPORTED_VERSIONS } from './cohere/instrumentation';
export { OllamaInstrumentation, OLLAMA_SUPPORTED_VERSIONS } from './ollama/instrumentation';
export { GroqInstrumentation, GROQ_SUPPORTED_VERSIONS } from './groq/instrumentation';
export { TogetherInstrumentation, TOGETHER_SUPPORTED_VERSIONS } from './together/instrumentation';
export {
  detectCompatibleHost,
  selfHostedProviderOf,
  compileProviderHosts,
  parseProviderHosts,
  ProviderHostsError,
  CompiledProviderHosts,
  PROVIDER_HOSTS_ACCEPTED,
  type CompatibleHost,
  type ProviderHostEntry,
  type StreamUsage,
  type HostDetection,
} from './genai/compatible-hosts';
export { AISdkInstrumentation, AI_SDK_SUPPORTED_VERSIONS } from './ai-sdk/instrumentation';
export { LangChainInstrumentation, LANGCHAIN_CORE_SUPPORTED_VERSIONS, LANGGRAPH_SUPPORTED_VERSIONS } from './langchain/instrumentation';
export { OpenAIAgentsInstrumentation, OPENAI_AGENTS_SUPPORTED_VERSIONS } from './openai-agents/instrumentation';
export { ATTRIBUTION_KEY_CHAIN, ATTRIBUTION_KEY_GRAPH_NODE, ATTRIBUTION_KEY_AGENT } from './langchain/attribution-keys';
export { withAttribution, getAttribution, type AttributionOptions } from './genai/attribution';
export {
  attachCallMetrics,
  CallMetrics,
  CallMetricsReader,
  CUMULATIVE,
  DELTA,
  type CallHistogramValue,
  type CallMetricData,
  type CallMetricDescriptor,
  type CallMetricPoint,
  type CallScopeMetrics,
  type TemporalitySelector,
} from './genai/call-metrics';
export {
  DEFAULT_BAGGAGE_KEYS,
  MAX_BAGGAGE_VALUE_LENGTH,
  setAttributionPropagation,
  setBaggageAttributionKeys,
} from './genai/baggage-attribution';
export {
  BudgetExceededError,
  BudgetGuard,
  DEFAULT_OUTPUT_TOKENS,
  getBudgetGuard,
  setBudgetGuard,
  type Budget,
  type BudgetAction,
  type BudgetGuardOptions,
  type BudgetMatch,
  type BudgetsConfig,
} from './genai/budget-guard';
export { BUDGET_WINDOWS, SpendWindow, WINDOW_HOURS, type BudgetWindow } from './genai/budget-windows';
export { createInstrumentations } from './instrumentations';
export { InstrumentationLoader } from './lazy-instrumentations';
export { INSTRUMENTED_MODULES } from './instrumented-modules';
export { waitForPendingEstimates, pendingEstimateCount, DEFAULT_PENDING_ESTIMATES_WAIT_MILLIS } from './genai/pending-estimates';
