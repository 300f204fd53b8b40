import type { ProviderApi } from '../provider-api';
import { mistralChatRoute, mistralFimRoute } from './completions';
import { mistralEmbeddingsRoute } from './embeddings';
import { sendMistralError } from './errors';

/** Path prefix of the emulated Mistral AI API: its `/v1/...` paths overlap OpenAI's. */
export const MISTRAL_PREFIX = '/mistral';

/** The emulated Mistral AI API, served under {@link MISTRAL_PREFIX}. */
export const mistralApi: ProviderApi = {
  provider: 'mistral_ai',
  routes: [mistralChatRoute, mistralFimRoute, mistralEmbeddingsRoute],
  ownsPath: (path) => path.startsWith(`${MISTRAL_PREFIX}/`),
  sendError: sendMistralError,
};
