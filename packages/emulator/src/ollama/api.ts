import type { ProviderApi } from '../provider-api';
import { ollamaEmbedRoute, ollamaLegacyEmbeddingsRoute } from './embed';
import { sendOllamaError } from './errors';
import { ollamaChatRoute, ollamaGenerateRoute } from './generation';

/** The emulated Ollama server API (chat, generate, embed). */
export const ollamaApi: ProviderApi = {
  provider: 'ollama',
  routes: [ollamaChatRoute, ollamaGenerateRoute, ollamaEmbedRoute, ollamaLegacyEmbeddingsRoute],
  ownsPath: (path) => path.startsWith('/api/'),
  sendError: sendOllamaError,
};
