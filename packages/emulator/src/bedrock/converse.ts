import { estimateRequestTokens } from '@tokenomics/tokens/request-estimate';
import type { Exchange } from '../exchange';
import { ChunkWriter, StreamControl } from '../pacing';
import { badRequest } from '../provider-api';
import { composeReply, type Reply } from '../reply';
import { lastUserText } from '../request-text';
import { playScript, type ScriptedEvent } from '../stream-script';
import { countRequest } from '../token-accounting';
import { randomAlphanumeric } from '../ids';
import { forcedTool, planToolCall, type ToolCallPlan, type ToolDefinition } from '../tool-call';
import { bedrockHeaders, bedrockStreamHeaders, eventMessage, padding, streamErrorMessage } from './wire';

/** Converse `usage`. `inputTokens` excludes cache reads and writes; `totalTokens` includes them. */
export interface ConverseUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

interface ConversePlan {
  reply: Reply;
  /** The tool the model calls instead of answering in text, when `toolConfig.toolChoice` forces one. */
  toolUse?: (ToolCallPlan & { toolUseId: string }) | undefined;
  stopReason: 'end_turn' | 'max_tokens' | 'tool_use';
  usage: ConverseUsage;
}

/** The tool `toolConfig.toolChoice` forces (`{ tool: { name } }` or `{ any: {} }`), if any. */
function converseForcedTool(toolConfig: unknown): ToolDefinition | undefined {
  const config = (toolConfig ?? {}) as { tools?: unknown; toolChoice?: { tool?: { name?: unknown }; any?: unknown } };
  const tools: ToolDefinition[] = [];
  if (Array.isArray(config.tools)) {
    for (const t of config.tools as Array<{ toolSpec?: { name?: unknown; inputSchema?: { json?: unknown } } } | null>) {
      const spec = t?.toolSpec;
      if (typeof spec?.name === 'string') tools.push({ name: spec.name, parameters: spec.inputSchema?.json });
    }
  }
  const choice = config.toolChoice;
  const named = typeof choice?.tool?.name === 'string' ? choice.tool.name : undefined;
  return forcedTool(tools, { any: choice?.any !== undefined, named });
}

/** Converse content blocks as text parts the token counter understands. */
function textParts(blocks: unknown): Array<{ type: 'text'; text: string }> {
  if (!Array.isArray(blocks)) return [];
  return blocks
    .map((block: unknown) => (block as { text?: unknown } | null)?.text)
    .filter((text): text is string => typeof text === 'string')
    .map((text) => ({ type: 'text' as const, text }));
}

function plan(exchange: Exchange, modelId: string): ConversePlan {
  const body = exchange.fields;
  if (!Array.isArray(body.messages)) {
    throw badRequest(
      "1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member must not be null",
      'messages',
    );
  }
  const messages = body.messages.map((message: unknown) => {
    const { role, content } = (message ?? {}) as { role?: unknown; content?: unknown };
    return { role: typeof role === 'string' ? role : 'user', content: textParts(content) };
  });
  const system = textParts(body.system);
  const prompt = countRequest(() => estimateRequestTokens({ messages, system: system.length > 0 ? system : undefined }, modelId)).tokens;
  const config = (body.inferenceConfig ?? {}) as { maxTokens?: unknown };
  const maxTokens = typeof config.maxTokens === 'number' ? config.maxTokens : undefined;
  const reply = composeReply({
    seed: lastUserText(body.messages) ?? '',
    model: modelId,
    outputTokens: exchange.directives.outputTokens,
    maxTokens,
  });
  const { cacheRead, cached, cacheWrite } = exchange.directives;
  const read = Math.min(cacheRead ?? cached ?? 0, prompt);
  const write = Math.min(cacheWrite ?? 0, prompt - read);
  const tool = converseForcedTool(body.toolConfig);
  const toolUse = tool && { ...planToolCall(tool, reply, modelId), toolUseId: `tooluse_${randomAlphanumeric(22)}` };
  const output = toolUse ? toolUse.tokens : reply.tokens;
  const usage: ConverseUsage = {
    inputTokens: prompt - read - write,
    outputTokens: output,
    totalTokens: prompt + output,
  };
  if (cacheRead !== undefined || cached !== undefined || cacheWrite !== undefined) {
    usage.cacheReadInputTokens = read;
    usage.cacheWriteInputTokens = write;
  }
  return { reply, toolUse, stopReason: toolUse ? 'tool_use' : reply.truncated ? 'max_tokens' : 'end_turn', usage };
}

/** `POST /model/{modelId}/converse`. */
export async function converse(exchange: Exchange, modelId: string): Promise<void> {
  const p = plan(exchange, modelId);
  exchange.sendJson(
    200,
    {
      metrics: { latencyMs: exchange.elapsedMs() },
      output: {
        message: {
          content: p.toolUse
            ? [{ toolUse: { toolUseId: p.toolUse.toolUseId, name: p.toolUse.name, input: p.toolUse.input } }]
            : [{ text: p.reply.text }],
          role: 'assistant',
        },
      },
      stopReason: p.stopReason,
      usage: p.usage,
    },
    bedrockHeaders(),
  );
}

/**
 * `POST /model/{modelId}/converse-stream`: AWS event-stream messages `messageStart`, one
 * `contentBlockDelta` per token, `contentBlockStop`, `messageStop` and `metadata` with the usage.
 */
export async function converseStream(exchange: Exchange, modelId: string): Promise<void> {
  const p = plan(exchange, modelId);
  const events: ScriptedEvent[] = [{ event: 'messageStart', data: { p: padding(), role: 'assistant' } }];
  if (p.toolUse) {
    const { toolUseId, name } = p.toolUse;
    events.push({ event: 'contentBlockStart', data: { contentBlockIndex: 0, p: padding(), start: { toolUse: { name, toolUseId } } } });
    for (const piece of p.toolUse.pieces) {
      events.push({
        event: 'contentBlockDelta',
        data: { contentBlockIndex: 0, delta: { toolUse: { input: piece } }, p: padding() },
        content: true,
      });
    }
  } else {
    for (const piece of p.reply.pieces) {
      events.push({ event: 'contentBlockDelta', data: { contentBlockIndex: 0, delta: { text: piece }, p: padding() }, content: true });
    }
  }
  events.push(
    { event: 'contentBlockStop', data: { contentBlockIndex: 0, p: padding() } },
    { event: 'messageStop', data: { p: padding(), stopReason: p.stopReason } },
    { event: 'metadata', data: { metrics: { latencyMs: 0 }, p: padding(), usage: p.usage } },
  );
  exchange.startStream(200, bedrockStreamHeaders());
  const control = new StreamControl(new ChunkWriter(exchange.res, exchange.chunkTiming()), exchange.res, exchange.directives);
  await playScript(
    control,
    events,
    (event) => {
      if (event.event === 'metadata') (event.data.metrics as { latencyMs: number }).latencyMs = exchange.elapsedMs();
      return eventMessage(event.event, event.data);
    },
    () => [streamErrorMessage()],
  );
}
