import { estimateRequestTokens } from '@tokenomics/tokens/request-estimate';
import type { Exchange } from '../exchange';
import { randomAlphanumeric, unixSeconds } from '../ids';
import { ChunkWriter, StreamControl } from '../pacing';
import { badRequest, type Route } from '../provider-api';
import { composeReply, type Reply } from '../reply';
import { lastUserText } from '../request-text';
import { capped, countRequest } from '../token-accounting';
import { forcedTool, planToolCall, type ToolCallPlan, type ToolDefinition } from '../tool-call';
import { defaultOpenAIError } from './errors';
import { responseModel } from './models';
import { includeObfuscation, includeUsage, optionalInteger, requireField, requireModel } from './request-fields';
import { obfuscation, openaiHeaders, openaiStreamHeaders, serviceTier, sseData, systemFingerprint } from './wire';

/** Usage object of a chat completion. */
export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

/**
 * How an OpenAI-compatible host differs from OpenAI on the chat completions wire (see
 * `src/hosts/`): its usage object, where a stream's usage goes, and extra top-level fields.
 */
export interface ChatFlavour {
  /** The host's usage object for a call's counts. */
  usage(usage: ChatUsage, exchange: Exchange): Record<string, unknown>;
  /**
   * Where a stream's usage goes: `on_request` (OpenAI: a last chunk with empty `choices`, only
   * with `stream_options.include_usage`), `final_chunk` (that chunk, always), `finish_chunk` (on
   * the chunk with the finish reason, always), `x_groq` (`x_groq.usage` on the finish chunk).
   */
  streamUsage: 'on_request' | 'final_chunk' | 'finish_chunk' | 'x_groq';
  /** Extra top-level fields of a non-streamed completion. */
  completionFields?(id: string): Record<string, unknown>;
}

interface ChatPlan {
  id: string;
  created: number;
  model: string;
  serviceTier: string;
  fingerprint: string;
  replies: Reply[];
  /** The function each choice calls instead of answering in text, when `tool_choice` forces one. */
  toolCalls?: Array<ToolCallPlan & { id: string }> | undefined;
  /** `stop` when `tool_choice` named the function (as the API reports it), else `tool_calls`. */
  toolFinish?: 'stop' | 'tool_calls' | undefined;
  usage: ChatUsage;
}

/** The function tools of a chat request, and the one `tool_choice` forces (`required` or a named function). */
function chatForcedTool(fields: Record<string, unknown>): { tool: ToolDefinition; named: boolean } | undefined {
  const tools: ToolDefinition[] = [];
  if (Array.isArray(fields.tools)) {
    for (const t of fields.tools as Array<Record<string, any> | null>) {
      if (t?.type === 'function' && typeof t.function?.name === 'string')
        tools.push({ name: t.function.name, parameters: t.function.parameters });
    }
  }
  const choice = fields.tool_choice as Record<string, any> | string | undefined;
  const named =
    typeof choice === 'object' && choice !== null && typeof choice.function?.name === 'string'
      ? (choice.function.name as string)
      : undefined;
  const tool = forcedTool(tools, { any: choice === 'required', named });
  return tool ? { tool, named: named !== undefined } : undefined;
}

function plan(exchange: Exchange): ChatPlan {
  const fields = exchange.fields;
  const model = requireModel(fields);
  const messages = requireField(fields, 'messages');
  if (!Array.isArray(messages)) throw badRequest("Invalid type for 'messages': expected an array.", 'messages', 'invalid_type');
  const n = optionalInteger(fields, 'n', 1) ?? 1;
  const maxTokens = optionalInteger(fields, 'max_completion_tokens', 1) ?? optionalInteger(fields, 'max_tokens', 1);
  const promptTokens = countRequest(() => estimateRequestTokens(fields, model)).tokens;
  const seed = lastUserText(messages) ?? JSON.stringify(messages);
  const replies: Reply[] = [];
  for (let index = 0; index < n; index += 1) {
    replies.push(
      composeReply({ seed: index === 0 ? seed : `${seed}#${index}`, model, outputTokens: exchange.directives.outputTokens, maxTokens }),
    );
  }
  const reasoning = exchange.directives.reasoning ?? 0;
  const forced = chatForcedTool(fields);
  const toolCalls =
    forced && replies.map((reply) => ({ ...planToolCall(forced.tool, reply, model), id: `call_${randomAlphanumeric(24)}` }));
  const completionTokens = (toolCalls ?? replies).reduce((sum, r) => sum + r.tokens, 0) + reasoning;
  const answeredModel = responseModel(model);
  return {
    toolCalls,
    toolFinish: forced && (forced.named ? 'stop' : 'tool_calls'),
    id: `chatcmpl-${randomAlphanumeric(29)}`,
    created: unixSeconds(),
    model: answeredModel,
    serviceTier: serviceTier(fields.service_tier),
    fingerprint: systemFingerprint(answeredModel),
    replies,
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: capped(exchange.directives.cached, promptTokens), audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: reasoning,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
  };
}

function finishReason(reply: Reply): 'stop' | 'length' {
  return reply.truncated ? 'length' : 'stop';
}

async function answer(exchange: Exchange): Promise<void> {
  await answerChat(exchange);
}

/** Answers a chat completion request as OpenAI does, or as the host `flavour` describes. */
export async function answerChat(exchange: Exchange, flavour?: ChatFlavour): Promise<void> {
  const p = plan(exchange);
  if (exchange.fields.stream === true) {
    await stream(exchange, p, flavour);
    return;
  }
  exchange.sendJson(
    200,
    {
      id: p.id,
      object: 'chat.completion',
      created: p.created,
      model: p.model,
      choices: p.replies.map((reply, index) => {
        const call = p.toolCalls?.[index];
        return {
          index,
          message: call
            ? {
                role: 'assistant',
                content: null,
                tool_calls: [{ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }],
                refusal: null,
                annotations: [],
              }
            : { role: 'assistant', content: reply.text, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: call ? p.toolFinish : finishReason(reply),
        };
      }),
      usage: flavour ? flavour.usage(p.usage, exchange) : p.usage,
      service_tier: p.serviceTier,
      system_fingerprint: p.fingerprint,
      ...flavour?.completionFields?.(p.id),
    },
    openaiHeaders(exchange),
  );
}

async function stream(exchange: Exchange, p: ChatPlan, flavour?: ChatFlavour): Promise<void> {
  const usageAt = flavour?.streamUsage ?? 'on_request';
  // OpenAI's usage chunk (and the `usage: null` on every other chunk) when asked for, or always.
  const withUsage = usageAt === 'final_chunk' || (usageAt === 'on_request' && includeUsage(exchange.fields));
  const hostUsage = (): Record<string, unknown> =>
    flavour ? flavour.usage(p.usage, exchange) : (p.usage as unknown as Record<string, unknown>);
  const finishExtra = (): Record<string, unknown> =>
    usageAt === 'finish_chunk'
      ? { usage: hostUsage() }
      : usageAt === 'x_groq'
        ? { x_groq: { id: `req_${p.id.slice(9)}`, usage: hostUsage() } }
        : {};
  const withObfuscation = includeObfuscation(exchange.fields);
  const chunk = (choices: unknown[], padding?: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {
      id: p.id,
      object: 'chat.completion.chunk',
      created: p.created,
      model: p.model,
      service_tier: p.serviceTier,
      system_fingerprint: p.fingerprint,
      choices,
    };
    if (withUsage && flavour === undefined) out.usage = null;
    if (padding !== undefined && withObfuscation) out.obfuscation = padding;
    return out;
  };
  const choice = (index: number, delta: Record<string, unknown>, finish: string | null): Record<string, unknown> => ({
    index,
    delta,
    logprobs: null,
    finish_reason: finish,
  });

  exchange.startStream(200, openaiStreamHeaders(exchange));
  const control = new StreamControl(new ChunkWriter(exchange.res, exchange.chunkTiming()), exchange.res, exchange.directives);
  const errorEvent = (): string[] => [sseData({ error: defaultOpenAIError(exchange, 500) })];
  for (let index = 0; index < p.replies.length; index += 1) {
    const reply = p.replies[index];
    const call = p.toolCalls?.[index];
    if (call) {
      const opening = {
        role: 'assistant',
        content: null,
        tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
        refusal: null,
      };
      if (!(await control.write(sseData(chunk([choice(index, opening, null)], obfuscation('')))))) return;
      for (const piece of call.pieces) {
        if (await control.interrupted(errorEvent)) return;
        const delta = { tool_calls: [{ index: 0, function: { arguments: piece } }] };
        if (!(await control.content(sseData(chunk([choice(index, delta, null)], obfuscation(piece)))))) return;
      }
      if (await control.interrupted(errorEvent)) return;
      if (!(await control.write(sseData(chunk([choice(index, {}, p.toolFinish ?? 'tool_calls')], obfuscation('')))))) return;
      continue;
    }
    const first = chunk([choice(index, { role: 'assistant', content: '', refusal: null }, null)], obfuscation(''));
    if (!(await control.write(sseData(first)))) return;
    for (const piece of reply.pieces) {
      if (await control.interrupted(errorEvent)) return;
      if (!(await control.content(sseData(chunk([choice(index, { content: piece }, null)], obfuscation(piece)))))) return;
    }
    if (await control.interrupted(errorEvent)) return;
    const last = index === p.replies.length - 1 ? finishExtra() : {};
    if (!(await control.write(sseData({ ...chunk([choice(index, {}, finishReason(reply))], obfuscation('')), ...last })))) return;
  }
  if (withUsage && !(await control.write(sseData({ ...chunk([]), usage: hostUsage() })))) return;
  if (!(await control.write(sseData('[DONE]')))) return;
  control.end();
}

/** `POST /v1/chat/completions`. */
export const chatCompletionsRoute: Route = {
  method: 'POST',
  pattern: /^\/v1\/chat\/completions$/,
  directiveText: (body) => lastUserText(body.messages),
  handle: answer,
};
