import type { ProviderApi } from '../provider-api';
import { sendAnthropicError } from './errors';
import { countTokensRoute, messagesRoute } from './messages';

/** The emulated Anthropic Messages API. */
export const anthropicApi: ProviderApi = {
  provider: 'anthropic',
  routes: [messagesRoute, countTokensRoute],
  ownsPath: (path) => path.startsWith('/v1/messages') || path.startsWith('/v1/complete'),
  sendError: sendAnthropicError,
};
