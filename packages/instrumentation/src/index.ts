export * from './config';
export { OpenAIInstrumentation } from './openai/instrumentation';
export { GoogleGenAIInstrumentation, GOOGLE_GENAI_SUPPORTED_VERSIONS } from './google-genai/instrumentation';
export { BedrockRuntimeInstrumentation, BEDROCK_RUNTIME_SUPPORTED_VERSIONS } from './bedrock/instrumentation';
export { AnthropicInstrumentation, ANTHROPIC_SUPPORTED_VERSIONS } from './anthropic/instrumentation';
export { withAttribution, getAttribution } from './genai/attribution';
export { createInstrumentations } from './instrumentations';
export { INSTRUMENTED_MODULES } from './instrumented-modules';
export { waitForPendingEstimates, pendingEstimateCount, DEFAULT_PENDING_ESTIMATES_WAIT_MILLIS } from './genai/pending-estimates';
