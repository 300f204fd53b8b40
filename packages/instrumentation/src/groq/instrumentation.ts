import { PROVIDER_GROQ } from '@tokenomics/contract/providers';
import type { TokenomicsInstrumentationConfig } from '../config';
import { clientClass, OpenAICompatibleClientInstrumentation, type CompatibleClientLibrary } from '../openai/compatible-client';

/** Range of `groq-sdk` versions patched. */
export const GROQ_SUPPORTED_VERSIONS = ['>=0.4.0 <2'];

type Obj = Record<string, unknown>;

/**
 * Instruments `groq-sdk` (CommonJS and ESM): `chat.completions.create`, streamed or not. Calls are
 * `gen_ai.provider.name` `groq`; a stream's usage is read from the last chunk's `x_groq.usage`.
 */
export class GroqInstrumentation extends OpenAICompatibleClientInstrumentation {
  constructor(config: TokenomicsInstrumentationConfig = {}) {
    super('@tokenomics/instrumentation-groq', config);
  }

  protected library(): CompatibleClientLibrary {
    return {
      module: 'groq-sdk',
      versions: GROQ_SUPPORTED_VERSIONS,
      provider: PROVIDER_GROQ,
      resources: (moduleExports) => {
        const Groq = clientClass(moduleExports, 'Groq');
        return [['chat', (Groq?.Chat as Obj | undefined)?.Completions]];
      },
    };
  }
}
