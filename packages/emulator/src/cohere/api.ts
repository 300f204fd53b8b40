import type { ProviderApi } from '../provider-api';
import { cohereChatRoute } from './chat';
import { cohereEmbedRoute, cohereRerankRoute } from './embed-rerank';
import { sendCohereError } from './errors';

/** The emulated Cohere API v2 (chat, embed, rerank). */
export const cohereApi: ProviderApi = {
  provider: 'cohere',
  routes: [cohereChatRoute, cohereEmbedRoute, cohereRerankRoute],
  ownsPath: (path) => path.startsWith('/v2/'),
  sendError: sendCohereError,
};
