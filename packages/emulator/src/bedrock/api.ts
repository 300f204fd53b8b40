import type { Exchange } from '../exchange';
import { badRequest, HttpError, type ProviderApi, type Route } from '../provider-api';
import { lastUserText } from '../request-text';
import { converse, converseStream } from './converse';
import { sendBedrockError } from './errors';
import { invokeModel, invokeModelWithResponseStream } from './invoke';

function modelIdOf(exchange: Exchange): string {
  try {
    return decodeURIComponent(exchange.params.modelId);
  } catch {
    throw badRequest(`model identifier ${JSON.stringify(exchange.params.modelId)} is not validly URL-encoded`, 'modelId');
  }
}

async function dispatch(exchange: Exchange): Promise<void> {
  const modelId = modelIdOf(exchange);
  switch (exchange.params.action) {
    case 'converse':
      return converse(exchange, modelId);
    case 'converse-stream':
      return converseStream(exchange, modelId);
    case 'invoke':
      return invokeModel(exchange, modelId);
    case 'invoke-with-response-stream':
      return invokeModelWithResponseStream(exchange, modelId);
    default:
      throw new HttpError(404, { message: `Unknown operation ${exchange.params.action}` });
  }
}

/** Where directives may be written: the last user message, a `prompt` (Llama, Cohere Command, Mistral) or a Cohere Command R `message`. */
function directiveText(body: Record<string, unknown>): string | undefined {
  if (body.messages !== undefined) return lastUserText(body.messages);
  if (typeof body.message === 'string') return body.message;
  return typeof body.prompt === 'string' ? body.prompt : undefined;
}

/** `POST /model/{modelId}/{converse|converse-stream|invoke|invoke-with-response-stream}`. */
export const bedrockRoute: Route = {
  method: 'POST',
  pattern: /^\/model\/(?<modelId>[^/]+)\/(?<action>converse|converse-stream|invoke|invoke-with-response-stream)$/,
  directiveText,
  handle: dispatch,
};

/** The emulated Amazon Bedrock Runtime. Any SigV4 signature is accepted. */
export const bedrockApi: ProviderApi = {
  provider: 'bedrock',
  routes: [bedrockRoute],
  ownsPath: (path) => path.startsWith('/model/'),
  sendError: sendBedrockError,
};
