import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { TokenomicsInstrumentationConfig } from './config';
import { OpenAIInstrumentation } from './openai/instrumentation';
import { GoogleGenAIInstrumentation } from './google-genai/instrumentation';
import { BedrockRuntimeInstrumentation } from './bedrock/instrumentation';
import { AnthropicInstrumentation } from './anthropic/instrumentation';
import { MistralInstrumentation } from './mistral/instrumentation';
import { CohereInstrumentation } from './cohere/instrumentation';
import { OllamaInstrumentation } from './ollama/instrumentation';
import { GroqInstrumentation } from './groq/instrumentation';
import { TogetherInstrumentation } from './together/instrumentation';
import { AISdkInstrumentation } from './ai-sdk/instrumentation';
import { LangChainInstrumentation } from './langchain/instrumentation';
import { OpenAIAgentsInstrumentation } from './openai-agents/instrumentation';

/** Every Tokenomics instrumentation, each configured with `config`. */
export function createInstrumentations(config: TokenomicsInstrumentationConfig = {}): Instrumentation[] {
  return [
    new OpenAIInstrumentation(config),
    new GoogleGenAIInstrumentation(config),
    new BedrockRuntimeInstrumentation(config),
    new AnthropicInstrumentation(config),
    new MistralInstrumentation(config),
    new CohereInstrumentation(config),
    new OllamaInstrumentation(config),
    new GroqInstrumentation(config),
    new TogetherInstrumentation(config),
    new AISdkInstrumentation(config),
    new LangChainInstrumentation(config),
    new OpenAIAgentsInstrumentation(config),
  ];
}
