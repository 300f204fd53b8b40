import type { Exchange } from '../exchange';
import { HttpError, type ProviderApi, type Route } from '../provider-api';
import { batchEmbedContents, embedContent, predictEmbeddings, vertexEmbedContent } from './embeddings';
import { sendGoogleError, googleHeaders } from './errors';
import { generateContent, streamGenerateContent } from './generate-content';
import { geminiPromptTokens } from './prompt';
import { geminiDirectiveText } from './request-text';

const METHODS = '(?<method>generateContent|streamGenerateContent|countTokens|embedContent|batchEmbedContents|predict)';

async function countTokensAnswer(exchange: Exchange, vertex: boolean): Promise<void> {
  const body = exchange.fields;
  const request = (body.generateContentRequest ?? body) as Record<string, unknown>;
  const tokens = geminiPromptTokens(request, exchange.params.model);
  const answer: Record<string, unknown> = { totalTokens: tokens };
  if (vertex) answer.totalBillableCharacters = JSON.stringify(request.contents ?? '').replace(/[\s"{}[\]:,]/g, '').length;
  answer.promptTokensDetails = [{ modality: 'TEXT', tokenCount: tokens }];
  exchange.sendJson(200, answer, googleHeaders(exchange));
}

function dispatch(vertex: boolean): (exchange: Exchange) => Promise<void> {
  return async (exchange) => {
    switch (exchange.params.method) {
      case 'generateContent':
        return generateContent(exchange, vertex);
      case 'streamGenerateContent':
        return streamGenerateContent(exchange, vertex);
      case 'countTokens':
        return countTokensAnswer(exchange, vertex);
      case 'embedContent':
        return vertex ? vertexEmbedContent(exchange) : embedContent(exchange);
      case 'batchEmbedContents':
        return batchEmbedContents(exchange);
      case 'predict':
        return predictEmbeddings(exchange);
      default:
        throw new HttpError(404, { message: `Method ${exchange.params.method} is not emulated.` });
    }
  };
}

/** Gemini API: `/v1beta/models/{model}:{method}` (also `v1` and `v1alpha`). */
export const geminiRoute: Route = {
  method: 'POST',
  pattern: new RegExp(`^/(?<version>v1|v1beta|v1alpha)/models/(?<model>[^/:]+):${METHODS}$`),
  directiveText: geminiDirectiveText,
  handle: dispatch(false),
};

/**
 * Vertex AI: `/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:{method}`
 * and the express-mode `/v1/publishers/google/models/{model}:{method}` (also `v1beta1`).
 */
export const vertexRoute: Route = {
  method: 'POST',
  pattern: new RegExp(
    `^/(?<version>v1|v1beta1)/(?:projects/(?<project>[^/]+)/locations/(?<location>[^/]+)/)?publishers/google/models/(?<model>[^/:]+):${METHODS}$`,
  ),
  directiveText: geminiDirectiveText,
  handle: dispatch(true),
};

/** The emulated Gemini API. */
export const geminiApi: ProviderApi = {
  provider: 'gemini',
  routes: [geminiRoute],
  ownsPath: (path) => /^\/(v1|v1beta|v1alpha)\/models\//.test(path) || path.startsWith('/v1beta/'),
  sendError: sendGoogleError,
};

/** The emulated Vertex AI generative endpoints. */
export const vertexApi: ProviderApi = {
  provider: 'vertex_ai',
  routes: [vertexRoute],
  ownsPath: (path) => path.includes('/publishers/google/') || /^\/(v1|v1beta1)\/projects\//.test(path),
  sendError: sendGoogleError,
};
