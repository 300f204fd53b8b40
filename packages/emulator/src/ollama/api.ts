import type { ProviderApi } from '../provider-api';
import { ollamaEmbedRoute } from './embed';
import { sendOllamaError } from './errors';
import { ollamaChatRoute, ollamaGenerateRoute } from './generation';

/** The emulated Ollama server API (chat, generate, embed). */
export const ollamaApi: ProviderApi = {
  provider: 'ollama',
  routes: [ollamaChatRoute, ollamaGenerateRoute, ollamaEmbedRoute],
  ownsPath: (path) => path.startsWith('/api/'),
  sendError: sendOllamaError,
};
