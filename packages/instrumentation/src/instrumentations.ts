import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { TokenomicsInstrumentationConfig } from './config';
import { OpenAIInstrumentation } from './openai/instrumentation';
import { AnthropicInstrumentation } from './anthropic/instrumentation';

/** Every Tokenomics instrumentation, each configured with `config`. */
export function createInstrumentations(config: TokenomicsInstrumentationConfig = {}): Instrumentation[] {
  return [new OpenAIInstrumentation(config), new AnthropicInstrumentation(config)];
}
