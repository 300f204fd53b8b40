import type { Exchange } from '../exchange';
import type { ProviderApi, Route } from '../provider-api';
import { chatCompletionsRoute } from '../openai/chat-completions';
import { completionsRoute } from '../openai/completions';
import { embeddingsRoute } from '../openai/embeddings';
import { requireModel } from '../openai/request-fields';
import { responsesRoute } from '../openai/responses';
import { azureChatCompletion } from './chat-completions';
import { AzureAnswerExchange, DeploymentExchange } from './deployment-exchange';
import { deploymentModel, type AzureOperation } from './deployments';
import { sendAzureError } from './errors';
import { checkAzureRequest, checkStreamOptions, outputFilterResults, promptFilterResults } from './wire';

/** Number of prompts of a legacy completions request (Azure filters each). */
function promptCount(prompt: unknown): number {
  if (Array.isArray(prompt) && prompt.length > 0 && !prompt.every((entry) => typeof entry === 'number')) return prompt.length;
  return 1;
}

/** Answers one operation for a deployment running `model`. */
const ANSWERS: Readonly<Record<AzureOperation, (exchange: Exchange, deployment: string, model: string) => Promise<void>>> = {
  chat: (exchange, deployment, model) => azureChatCompletion(new DeploymentExchange(exchange, deployment, model), model),
  responses: (exchange, deployment, model) =>
    responsesRoute.handle(new AzureAnswerExchange(exchange, deployment, model, (payload) => payload)),
  embeddings: (exchange, deployment, model) =>
    embeddingsRoute.handle(new AzureAnswerExchange(exchange, deployment, model, (payload) => ({ ...payload, model }))),
  completions: (exchange, deployment, model) =>
    completionsRoute.handle(
      new AzureAnswerExchange(exchange, deployment, model, (payload) => ({
        ...payload,
        choices: (payload.choices as Array<Record<string, unknown>>).map((choice) => ({
          content_filter_results: outputFilterResults(),
          ...choice,
        })),
        prompt_filter_results: promptFilterResults(promptCount(exchange.fields.prompt)),
      })),
    ),
};

const DIRECTIVE_TEXT: Readonly<Record<AzureOperation, Route['directiveText']>> = {
  chat: chatCompletionsRoute.directiveText,
  responses: responsesRoute.directiveText,
  embeddings: embeddingsRoute.directiveText,
  completions: completionsRoute.directiveText,
};

/**
 * A route of one operation. `deployment` routes name the deployment in the path (and need
 * `api-version`); the others take it from the body's `model`, as Azure's Responses API at
 * `/openai/responses` (with `api-version`) and the `/openai/v1` API (without) do.
 */
function azureRoute(operation: AzureOperation, pattern: RegExp, options: { deploymentInPath: boolean; apiVersion: boolean }): Route {
  return {
    method: 'POST',
    pattern,
    directiveText: DIRECTIVE_TEXT[operation],
    async handle(exchange) {
      checkAzureRequest(exchange, options.apiVersion);
      if (operation === 'chat' || operation === 'completions') checkStreamOptions(exchange);
      const deployment = options.deploymentInPath ? decodeURIComponent(exchange.params.deployment) : requireModel(exchange.fields);
      const model = deploymentModel(deployment, operation, exchange.directives.deploymentModel);
      await ANSWERS[operation](exchange, deployment, model);
    },
  };
}

const DEPLOYMENT = '^/openai/deployments/(?<deployment>[^/]+)';

/** Azure OpenAI: `/openai/deployments/{deployment}/...?api-version=`, `/openai/responses` and `/openai/v1/...`. */
export const azureOpenAIApi: ProviderApi = {
  provider: 'azure_openai',
  routes: [
    azureRoute('chat', new RegExp(`${DEPLOYMENT}/chat/completions$`), { deploymentInPath: true, apiVersion: true }),
    azureRoute('completions', new RegExp(`${DEPLOYMENT}/completions$`), { deploymentInPath: true, apiVersion: true }),
    azureRoute('embeddings', new RegExp(`${DEPLOYMENT}/embeddings$`), { deploymentInPath: true, apiVersion: true }),
    azureRoute('responses', /^\/openai\/responses$/, { deploymentInPath: false, apiVersion: true }),
    azureRoute('chat', /^\/openai\/v1\/chat\/completions$/, { deploymentInPath: false, apiVersion: false }),
    azureRoute('responses', /^\/openai\/v1\/responses$/, { deploymentInPath: false, apiVersion: false }),
    azureRoute('embeddings', /^\/openai\/v1\/embeddings$/, { deploymentInPath: false, apiVersion: false }),
  ],
  ownsPath: (path) => path.startsWith('/openai/'),
  sendError: sendAzureError,
};
