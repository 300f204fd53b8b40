import { responseModel } from '../openai/models';

/** The Azure OpenAI operations the emulator serves, which pick a deployment's default model. */
export type AzureOperation = 'chat' | 'responses' | 'embeddings' | 'completions';

/**
 * The model behind a deployment whose name does not say: a dated gpt-4o snapshot for chat and
 * responses, and Azure's usual models for embeddings and legacy completions.
 */
export const DEFAULT_DEPLOYMENT_MODELS: Readonly<Record<AzureOperation, string>> = {
  chat: 'gpt-4o-2024-08-06',
  responses: 'gpt-4o-2024-08-06',
  embeddings: 'text-embedding-3-small',
  completions: 'gpt-35-turbo-instruct',
};

/** Deployment names that are themselves model names (a common habit: deployment `gpt-4o-mini`). */
const MODEL_LIKE = /^(gpt-|o\d|chatgpt-|text-embedding-|davinci|babbage)/;

/**
 * The model name Azure reports in `model`: chat models as their dated version (`gpt-4o-mini` →
 * `gpt-4o-mini-2024-07-18`), embedding models as named.
 */
function reported(model: string): string {
  return model.startsWith('text-embedding-') ? model : responseModel(model);
}

/**
 * The model a deployment runs: the `deployment_model` directive, else the deployment name when
 * it is a model name, else the operation's default.
 */
export function deploymentModel(deployment: string, operation: AzureOperation, directive: string | undefined): string {
  if (directive !== undefined) return reported(directive);
  if (MODEL_LIKE.test(deployment)) return reported(deployment);
  return DEFAULT_DEPLOYMENT_MODELS[operation];
}
