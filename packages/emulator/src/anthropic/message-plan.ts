import { estimateRequestTokens } from '@tokenomics/tokens/request-estimate';
import type { Directives } from '../directives';
import { randomAlphanumeric } from '../ids';
import { badRequest } from '../provider-api';
import { composeReply, type Reply } from '../reply';
import { lastUserText } from '../request-text';
import type { ScriptedEvent } from '../stream-script';
import { countRequest } from '../token-accounting';
import { forcedTool, planToolCall, type ToolCallPlan, type ToolDefinition } from '../tool-call';

/** Usage of a Messages API answer. `input_tokens` excludes cache reads and writes. */
export interface AnthropicUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens: number;
  service_tier: string;
  server_tool_use?: { web_search_requests: number };
}

/** A Messages API answer, planned before it is written. */
export interface AnthropicPlan {
  id: string;
  model: string;
  reply: Reply;
  /** The tool the model calls instead of answering in text, when `tool_choice` forces one. */
  toolUse?: (ToolCallPlan & { id: string }) | undefined;
  stopReason: 'end_turn' | 'max_tokens' | 'tool_use';
  usage: AnthropicUsage;
}

/** The client tool `tool_choice` forces (`{ type: 'tool', name }` or `{ type: 'any' }`), if any. */
function messagesForcedTool(fields: Record<string, unknown>): ToolDefinition | undefined {
  const tools: ToolDefinition[] = [];
  if (Array.isArray(fields.tools)) {
    for (const t of fields.tools as Array<Record<string, unknown> | null>) {
      // Client tools have an input_schema; server tools (web search, ...) have a type instead.
      if (t && typeof t.name === 'string' && t.input_schema !== undefined) tools.push({ name: t.name, parameters: t.input_schema });
    }
  }
  const choice = fields.tool_choice as Record<string, unknown> | undefined;
  const named = choice?.type === 'tool' && typeof choice.name === 'string' ? choice.name : undefined;
  return forcedTool(tools, { any: choice?.type === 'any', named });
}

/** Field-required error in the Messages API wording. */
function required(name: string): never {
  throw badRequest(`${name}: Field required`, name);
}

/**
 * Total prompt tokens of a Messages request (system, messages and tool definitions), in
 * o200k_base as a stand-in for Claude's tokenizer.
 */
export function anthropicPromptTokens(fields: Record<string, unknown>, model: string): number {
  if (!Array.isArray(fields.messages)) required('messages');
  return countRequest(() => estimateRequestTokens({ system: fields.system, messages: fields.messages, tools: fields.tools }, model)).tokens;
}

/**
 * Plans the answer to a Messages request body (Anthropic API or Bedrock InvokeModel).
 * Cache directives move prompt tokens out of `input_tokens` into the cache fields, so the
 * three always add up to the prompt: `cache_read` (or `cached`) first, then `cache_write`,
 * then `cache_write_1h`.
 */
export function planAnthropicMessage(
  fields: Record<string, unknown>,
  directives: Directives,
  model: string,
  idPrefix = 'msg_01',
): AnthropicPlan {
  const maxTokens = fields.max_tokens;
  if (maxTokens === undefined || maxTokens === null) required('max_tokens');
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    throw badRequest(`max_tokens: Input should be a positive integer, got ${JSON.stringify(maxTokens)}`, 'max_tokens');
  }
  const prompt = anthropicPromptTokens(fields, model);
  const read = Math.min(directives.cacheRead ?? directives.cached ?? 0, prompt);
  const write5m = Math.min(directives.cacheWrite ?? 0, prompt - read);
  const write1h = Math.min(directives.cacheWrite1h ?? 0, prompt - read - write5m);
  const seed = lastUserText(fields.messages) ?? JSON.stringify(fields.messages);
  const reply = composeReply({ seed, model, outputTokens: directives.outputTokens, maxTokens });
  const tool = messagesForcedTool(fields);
  const toolUse = tool && { ...planToolCall(tool, reply, model), id: `toolu_01${randomAlphanumeric(22)}` };
  const usage: AnthropicUsage = {
    input_tokens: prompt - read - write5m - write1h,
    cache_creation_input_tokens: write5m + write1h,
    cache_read_input_tokens: read,
    cache_creation: { ephemeral_5m_input_tokens: write5m, ephemeral_1h_input_tokens: write1h },
    output_tokens: toolUse ? toolUse.tokens : reply.tokens,
    service_tier: 'standard',
  };
  if (directives.webSearch !== undefined) usage.server_tool_use = { web_search_requests: directives.webSearch };
  return {
    id: `${idPrefix}${randomAlphanumeric(22)}`,
    model,
    reply,
    toolUse,
    stopReason: toolUse ? 'tool_use' : reply.truncated ? 'max_tokens' : 'end_turn',
    usage,
  };
}

/** The non-streamed Messages answer. */
export function anthropicMessage(plan: AnthropicPlan, usage: Record<string, unknown> = { ...plan.usage }): Record<string, unknown> {
  return {
    id: plan.id,
    type: 'message',
    role: 'assistant',
    model: plan.model,
    content: plan.toolUse
      ? [{ type: 'tool_use', id: plan.toolUse.id, name: plan.toolUse.name, input: plan.toolUse.input }]
      : [{ type: 'text', text: plan.reply.text }],
    stop_reason: plan.stopReason,
    stop_sequence: null,
    usage,
  };
}

/** How a Messages stream reports usage: the Anthropic API and Bedrock differ. */
export interface AnthropicStreamStyle {
  /** Usage in `message_start`. */
  startUsage: Record<string, unknown>;
  /** Usage in `message_delta`. */
  deltaUsage: Record<string, unknown>;
  /** Send a `ping` after `content_block_start` (the Anthropic API does, Bedrock does not). */
  ping: boolean;
}

/** The Anthropic API's stream usage: input in `message_start`, cumulative usage in `message_delta`. */
export function anthropicApiStreamStyle(plan: AnthropicPlan): AnthropicStreamStyle {
  const { usage } = plan;
  const deltaUsage: Record<string, unknown> = {
    input_tokens: usage.input_tokens,
    cache_creation_input_tokens: usage.cache_creation_input_tokens,
    cache_read_input_tokens: usage.cache_read_input_tokens,
    output_tokens: usage.output_tokens,
  };
  if (usage.server_tool_use !== undefined) deltaUsage.server_tool_use = usage.server_tool_use;
  return { startUsage: { ...usage, output_tokens: 1 }, deltaUsage, ping: true };
}

/**
 * The Messages stream: `message_start`, `content_block_start`, `ping`, one
 * `content_block_delta` per token, `content_block_stop`, `message_delta` (stop reason and
 * usage) and `message_stop`.
 */
export function anthropicStreamEvents(plan: AnthropicPlan, style: AnthropicStreamStyle = anthropicApiStreamStyle(plan)): ScriptedEvent[] {
  const events: ScriptedEvent[] = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: {
          id: plan.id,
          type: 'message',
          role: 'assistant',
          model: plan.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: style.startUsage,
        },
      },
    },
  ];
  const toolUse = plan.toolUse;
  const block = toolUse ? { type: 'tool_use', id: toolUse.id, name: toolUse.name, input: {} } : { type: 'text', text: '' };
  events.push({ event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: block } });
  if (style.ping) events.push({ event: 'ping', data: { type: 'ping' } });
  if (toolUse) {
    for (const piece of toolUse.pieces) {
      events.push({
        event: 'content_block_delta',
        data: { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: piece } },
        content: true,
      });
    }
  }
  for (const piece of toolUse ? [] : plan.reply.pieces) {
    events.push({
      event: 'content_block_delta',
      data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } },
      content: true,
    });
  }
  events.push(
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    {
      event: 'message_delta',
      data: { type: 'message_delta', delta: { stop_reason: plan.stopReason, stop_sequence: null }, usage: style.deltaUsage },
    },
    { event: 'message_stop', data: { type: 'message_stop' } },
  );
  return events;
}
