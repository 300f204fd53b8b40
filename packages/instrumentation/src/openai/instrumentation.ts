import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import type { TokenomicsInstrumentationConfig } from '../config';

const VERSION = '0.1.0';

/** Instruments the `openai` client library (4.x to 7.x), CommonJS and ESM builds. */
export class OpenAIInstrumentation extends InstrumentationBase<TokenomicsInstrumentationConfig> {
  constructor(config: TokenomicsInstrumentationConfig = {}) {
    super('@tokenomics/instrumentation-openai', VERSION, config);
  }

  protected init() {
    return [new InstrumentationNodeModuleDefinition('openai', ['>=4.0.0 <8'], (m: unknown) => m, (m: unknown) => m)];
  }
}
