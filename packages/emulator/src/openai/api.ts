import type { ProviderApi } from '../provider-api';
import { chatCompletionsRoute } from './chat-completions';
import { completionsRoute } from './completions';
import { embeddingsRoute } from './embeddings';
import { sendOpenAIError } from './errors';
import { responsesRoute } from './responses';

/** The emulated OpenAI API under `/v1`. */
export const openaiApi: ProviderApi = {
  provider: 'openai',
  routes: [chatCompletionsRoute, responsesRoute, embeddingsRoute, completionsRoute],
  ownsPath: (path) => path.startsWith('/v1/'),
  sendError: sendOpenAIError,
};
