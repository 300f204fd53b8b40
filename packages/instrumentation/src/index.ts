export * from './config';
export { OpenAIInstrumentation } from './openai/instrumentation';
export { withAttribution, getAttribution } from './genai/attribution';
export { createInstrumentations } from './instrumentations';
