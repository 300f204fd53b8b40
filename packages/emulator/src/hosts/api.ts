import type { Exchange } from '../exchange';
import { answerChat } from '../openai/chat-completions';
import { sendOpenAIError } from '../openai/errors';
import { lastUserText } from '../request-text';
import type { ProviderApi } from '../provider-api';
import { HOST_FLAVOURS, HOST_NAMES, type HostName } from './flavours';

const HOST_PATTERN = HOST_NAMES.join('|');

/**
 * OpenAI-compatible hosts under `/hosts/<name>`, each at the path its real API uses below the base
 * URL: `/hosts/deepseek/chat/completions`, `/hosts/xai/v1/chat/completions`,
 * `/hosts/openrouter/api/v1/chat/completions`, `/hosts/perplexity/chat/completions`,
 * `/hosts/groq/openai/v1/chat/completions`, `/hosts/together/v1/chat/completions` (any path
 * ending in `/chat/completions` is accepted). Errors are OpenAI's.
 */
export const hostsApi: ProviderApi = {
  provider: 'openai_compatible',
  routes: [
    {
      method: 'POST',
      pattern: new RegExp(`^/hosts/(?<host>${HOST_PATTERN})(?:/[A-Za-z0-9_.-]+)*/chat/completions$`),
      directiveText: (body) => lastUserText(body.messages),
      handle: (exchange: Exchange) => answerChat(exchange, HOST_FLAVOURS[exchange.params.host as HostName]),
    },
  ],
  ownsPath: (path) => path.startsWith('/hosts/'),
  sendError: sendOpenAIError,
};
