import { PROVIDER_TOGETHER_AI } from '@tokenomics/contract/providers';
import type { TokenomicsInstrumentationConfig } from '../config';
import { clientClass, OpenAICompatibleClientInstrumentation, type CompatibleClientLibrary } from '../openai/compatible-client';

/** Range of `together-ai` versions patched. */
export const TOGETHER_SUPPORTED_VERSIONS = ['>=0.6.0 <1'];

type Obj = Record<string, unknown>;

/**
 * Instruments `together-ai` (CommonJS and ESM): `chat.completions.create` (and so
 * `chat.completions.stream()`), streamed or not. Calls are
 * `gen_ai.provider.name` `together_ai`; a stream's usage is read from its last chunk.
 */
export class TogetherInstrumentation extends OpenAICompatibleClientInstrumentation {
  constructor(config: TokenomicsInstrumentationConfig = {}) {
    super('@tokenomics/instrumentation-together', config);
  }

  protected library(): CompatibleClientLibrary {
    return {
      module: 'together-ai',
      versions: TOGETHER_SUPPORTED_VERSIONS,
      provider: PROVIDER_TOGETHER_AI,
      resources: (moduleExports) => {
        const Together = clientClass(moduleExports, 'Together');
        return [['chat', (Together?.Chat as Obj | undefined)?.Completions]];
      },
    };
  }
}
