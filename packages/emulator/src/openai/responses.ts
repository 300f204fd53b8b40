import { countResponsesInputTokens, type ResponsesInputItemLike } from '@tokenomics/tokens/responses-tokens';
import { countTokens } from '@tokenomics/tokens/token-count';
import type { Exchange } from '../exchange';
import { randomAlphanumeric, randomHex, unixSeconds } from '../ids';
import { ChunkWriter, StreamControl } from '../pacing';
import { badRequest, type Route } from '../provider-api';
import { composeReply, type Reply } from '../reply';
import { contentText, lastUserText } from '../request-text';
import { capped, countRequest } from '../token-accounting';
import { forcedTool, planToolCall, type ToolCallPlan, type ToolDefinition } from '../tool-call';
import { defaultOpenAIError } from './errors';
import { responseModel } from './models';
import { includeObfuscation, optionalInteger, requireModel } from './request-fields';
import { obfuscation, openaiHeaders, openaiStreamHeaders, serviceTier, sseEvent } from './wire';

/** Usage object of a Responses API response. */
export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

interface ResponsePlan {
  id: string;
  messageId: string;
  reasoningId: string | undefined;
  createdAt: number;
  model: string;
  reply: Reply;
  /** The function the model calls instead of answering in text, when `tool_choice` forces one. */
  functionCall?: (ToolCallPlan & { id: string; callId: string }) | undefined;
  usage: ResponsesUsage;
}

/** The function `tool_choice` forces (`required`, or `{ type: 'function', name }`), among the request's function tools. */
function responsesForcedTool(fields: Record<string, unknown>): ToolDefinition | undefined {
  const tools: ToolDefinition[] = [];
  if (Array.isArray(fields.tools)) {
    for (const t of fields.tools as Array<Record<string, unknown> | null>) {
      if (t?.type === 'function' && typeof t.name === 'string') tools.push({ name: t.name, parameters: t.parameters });
    }
  }
  const choice = fields.tool_choice as Record<string, unknown> | string | undefined;
  const named =
    typeof choice === 'object' && choice !== null && choice.type === 'function' && typeof choice.name === 'string'
      ? choice.name
      : undefined;
  return forcedTool(tools, { any: choice === 'required', named });
}

/** Text of the last user message in a Responses `input` (a string is itself that message). */
function lastUserInput(input: unknown): string | undefined {
  if (typeof input === 'string') return input;
  return lastUserText(input);
}

function plan(exchange: Exchange): ResponsePlan {
  const fields = exchange.fields;
  const model = requireModel(fields);
  const input = fields.input ?? '';
  if (typeof input !== 'string' && !Array.isArray(input)) {
    throw badRequest("Invalid type for 'input': expected a string or an array of input items.", 'input', 'invalid_type');
  }
  const instructions = fields.instructions;
  if (instructions !== undefined && instructions !== null && typeof instructions !== 'string') {
    throw badRequest("Invalid type for 'instructions': expected a string.", 'instructions', 'invalid_type');
  }
  let inputTokens = countRequest(() =>
    countResponsesInputTokens(input as string | ResponsesInputItemLike[], instructions as string | null | undefined, model),
  ).tokens;
  if (Array.isArray(fields.tools) && fields.tools.length > 0) inputTokens += countTokens(JSON.stringify(fields.tools), model).tokens;
  const maxTokens = optionalInteger(fields, 'max_output_tokens', 1);
  const seed = lastUserInput(input) ?? contentText(input);
  const reply = composeReply({ seed, model, outputTokens: exchange.directives.outputTokens, maxTokens });
  const reasoning = exchange.directives.reasoning ?? 0;
  const tool = responsesForcedTool(fields);
  const functionCall = tool && { ...planToolCall(tool, reply, model), id: `fc_${randomHex(48)}`, callId: `call_${randomAlphanumeric(24)}` };
  const outputTokens = (functionCall ? functionCall.tokens : reply.tokens) + reasoning;
  return {
    functionCall,
    id: `resp_${randomHex(48)}`,
    messageId: `msg_${randomHex(48)}`,
    reasoningId: reasoning > 0 ? `rs_${randomHex(48)}` : undefined,
    createdAt: unixSeconds(),
    model: responseModel(model),
    reply,
    usage: {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: capped(exchange.directives.cached, inputTokens) },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: reasoning },
      total_tokens: inputTokens + outputTokens,
    },
  };
}

function textPart(text: string): Record<string, unknown> {
  return { type: 'output_text', annotations: [], logprobs: [], text };
}

function reasoningItem(p: ResponsePlan): Record<string, unknown> {
  return { id: p.reasoningId, type: 'reasoning', summary: [] };
}

function functionCallItem(p: ResponsePlan, status: 'in_progress' | 'completed'): Record<string, unknown> {
  const call = p.functionCall!;
  return {
    id: call.id,
    type: 'function_call',
    status,
    arguments: status === 'completed' ? call.arguments : '',
    call_id: call.callId,
    name: call.name,
  };
}

function messageItem(p: ResponsePlan, status: 'in_progress' | 'completed' | 'incomplete', content: unknown[]): Record<string, unknown> {
  return { id: p.messageId, type: 'message', status, content, role: 'assistant' };
}

/** The response object, as in the non-streamed answer and the stream's lifecycle events. */
function responseObject(exchange: Exchange, p: ResponsePlan, phase: 'in_progress' | 'done'): Record<string, unknown> {
  const fields = exchange.fields;
  const done = phase === 'done';
  const truncated = p.reply.truncated && !p.functionCall;
  const status = done ? (truncated ? 'incomplete' : 'completed') : 'in_progress';
  const output: unknown[] = [];
  if (done) {
    if (p.reasoningId !== undefined) output.push(reasoningItem(p));
    if (p.functionCall) output.push(functionCallItem(p, 'completed'));
    else output.push(messageItem(p, p.reply.truncated ? 'incomplete' : 'completed', [textPart(p.reply.text)]));
  }
  const requestedReasoning = fields.reasoning as { effort?: unknown; summary?: unknown } | undefined;
  return {
    id: p.id,
    object: 'response',
    created_at: p.createdAt,
    status,
    background: fields.background === true,
    error: null,
    incomplete_details: done && truncated ? { reason: 'max_output_tokens' } : null,
    instructions: fields.instructions ?? null,
    max_output_tokens: fields.max_output_tokens ?? null,
    max_tool_calls: fields.max_tool_calls ?? null,
    model: p.model,
    output,
    parallel_tool_calls: fields.parallel_tool_calls ?? true,
    previous_response_id: fields.previous_response_id ?? null,
    prompt_cache_key: fields.prompt_cache_key ?? null,
    reasoning: { effort: requestedReasoning?.effort ?? null, summary: requestedReasoning?.summary ?? null },
    safety_identifier: fields.safety_identifier ?? null,
    service_tier: done ? serviceTier(fields.service_tier) : (fields.service_tier ?? 'auto'),
    store: fields.store ?? true,
    temperature: fields.temperature ?? 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: fields.tool_choice ?? 'auto',
    tools: fields.tools ?? [],
    top_logprobs: fields.top_logprobs ?? 0,
    top_p: fields.top_p ?? 1,
    truncation: fields.truncation ?? 'disabled',
    usage: done ? p.usage : null,
    user: fields.user ?? null,
    metadata: fields.metadata ?? {},
  };
}

async function answer(exchange: Exchange): Promise<void> {
  const p = plan(exchange);
  if (exchange.fields.stream === true) {
    await stream(exchange, p);
    return;
  }
  exchange.sendJson(200, responseObject(exchange, p, 'done'), openaiHeaders(exchange));
}

async function stream(exchange: Exchange, p: ResponsePlan): Promise<void> {
  const withObfuscation = includeObfuscation(exchange.fields);
  let sequence = 0;
  const event = (type: string, fields: Record<string, unknown>): string => {
    const payload = { type, sequence_number: sequence, ...fields };
    sequence += 1;
    return sseEvent(type, payload);
  };
  exchange.startStream(200, openaiStreamHeaders(exchange));
  const control = new StreamControl(new ChunkWriter(exchange.res, exchange.chunkTiming()), exchange.res, exchange.directives);
  const errorEvent = (): string[] => {
    const error = defaultOpenAIError(exchange, 500);
    return [event('error', { code: 'server_error', message: error.message, param: null })];
  };
  const send = (text: string): Promise<boolean> => control.write(text);

  if (!(await send(event('response.created', { response: responseObject(exchange, p, 'in_progress') })))) return;
  if (!(await send(event('response.in_progress', { response: responseObject(exchange, p, 'in_progress') })))) return;
  let outputIndex = 0;
  if (p.reasoningId !== undefined) {
    if (!(await send(event('response.output_item.added', { output_index: 0, item: reasoningItem(p) })))) return;
    if (!(await send(event('response.output_item.done', { output_index: 0, item: reasoningItem(p) })))) return;
    outputIndex = 1;
  }
  if (p.functionCall) {
    const item = { item_id: p.functionCall.id, output_index: outputIndex };
    if (!(await send(event('response.output_item.added', { output_index: outputIndex, item: functionCallItem(p, 'in_progress') })))) return;
    for (const piece of p.functionCall.pieces) {
      if (await control.interrupted(errorEvent)) return;
      const delta: Record<string, unknown> = { ...item, delta: piece };
      if (withObfuscation) delta.obfuscation = obfuscation(piece);
      if (!(await control.content(event('response.function_call_arguments.delta', delta)))) return;
    }
    if (await control.interrupted(errorEvent)) return;
    if (!(await send(event('response.function_call_arguments.done', { ...item, arguments: p.functionCall.arguments })))) return;
    if (!(await send(event('response.output_item.done', { output_index: outputIndex, item: functionCallItem(p, 'completed') })))) return;
    if (!(await send(event('response.completed', { response: responseObject(exchange, p, 'done') })))) return;
    control.end();
    return;
  }
  const at = { item_id: p.messageId, output_index: outputIndex, content_index: 0 };
  if (!(await send(event('response.output_item.added', { output_index: outputIndex, item: messageItem(p, 'in_progress', []) })))) return;
  if (!(await send(event('response.content_part.added', { ...at, part: textPart('') })))) return;
  for (const piece of p.reply.pieces) {
    if (await control.interrupted(errorEvent)) return;
    const delta: Record<string, unknown> = { ...at, delta: piece, logprobs: [] };
    if (withObfuscation) delta.obfuscation = obfuscation(piece);
    if (!(await control.content(event('response.output_text.delta', delta)))) return;
  }
  if (await control.interrupted(errorEvent)) return;
  const text = p.reply.text;
  const itemStatus = p.reply.truncated ? 'incomplete' : 'completed';
  if (!(await send(event('response.output_text.done', { ...at, text, logprobs: [] })))) return;
  if (!(await send(event('response.content_part.done', { ...at, part: textPart(text) })))) return;
  if (!(await send(event('response.output_item.done', { output_index: outputIndex, item: messageItem(p, itemStatus, [textPart(text)]) }))))
    return;
  const final = p.reply.truncated ? 'response.incomplete' : 'response.completed';
  if (!(await send(event(final, { response: responseObject(exchange, p, 'done') })))) return;
  control.end();
}

/** `POST /v1/responses`. */
export const responsesRoute: Route = {
  method: 'POST',
  pattern: /^\/v1\/responses$/,
  directiveText: (body) => lastUserInput(body.input),
  handle: answer,
};
