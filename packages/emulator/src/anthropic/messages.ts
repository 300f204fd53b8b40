import type { Exchange } from '../exchange';
import { ChunkWriter, StreamControl } from '../pacing';
import { badRequest, type Route } from '../provider-api';
import { lastUserText } from '../request-text';
import { playScript, type ScriptedEvent } from '../stream-script';
import { anthropicHeaders, defaultAnthropicError } from './errors';
import { anthropicMessage, anthropicPromptTokens, anthropicStreamEvents, planAnthropicMessage } from './message-plan';
import { anthropicResponseModel } from './models';

function requireModel(fields: Record<string, unknown>): string {
  if (typeof fields.model !== 'string' || fields.model.length === 0) throw badRequest('model: Field required', 'model');
  return fields.model;
}

function sseEvent(event: ScriptedEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

async function createMessage(exchange: Exchange): Promise<void> {
  const fields = exchange.fields;
  const model = requireModel(fields);
  const plan = planAnthropicMessage(fields, exchange.directives, model);
  plan.model = anthropicResponseModel(model);
  if (fields.stream !== true) {
    exchange.sendJson(200, anthropicMessage(plan), anthropicHeaders());
    return;
  }
  exchange.startStream(200, anthropicHeaders({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' }));
  const control = new StreamControl(new ChunkWriter(exchange.res, exchange.chunkTiming()), exchange.res, exchange.directives);
  const errorEvent = (): string[] => [sseEvent({ event: 'error', data: { type: 'error', error: defaultAnthropicError(529) } })];
  await playScript(control, anthropicStreamEvents(plan), sseEvent, errorEvent);
}

async function countMessageTokens(exchange: Exchange): Promise<void> {
  const fields = exchange.fields;
  const model = requireModel(fields);
  exchange.sendJson(200, { input_tokens: anthropicPromptTokens(fields, model) }, anthropicHeaders());
}

const directiveText = (body: Record<string, unknown>): string | undefined => lastUserText(body.messages);

/** `POST /v1/messages`. */
export const messagesRoute: Route = { method: 'POST', pattern: /^\/v1\/messages$/, directiveText, handle: createMessage };

/** `POST /v1/messages/count_tokens`. */
export const countTokensRoute: Route = {
  method: 'POST',
  pattern: /^\/v1\/messages\/count_tokens$/,
  directiveText,
  handle: countMessageTokens,
};
