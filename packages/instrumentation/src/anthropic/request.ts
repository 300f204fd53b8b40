import type { Attributes } from '@opentelemetry/api';
import { ATTR_GEN_AI_CONVERSATION_ID, ATTR_GEN_AI_REQUEST_TOP_K } from '@tokenomics/contract/attributes';
import * as sc from '../genai/semconv';

type Obj = Record<string, unknown>;

/** `gen_ai.request.*` attributes of a Messages request body and its request options. */
export function requestAttributes(body: Obj, options: unknown): Attributes {
  const attrs: Attributes = {};
  setNumber(attrs, sc.ATTR_GEN_AI_REQUEST_MAX_TOKENS, body.max_tokens);
  setNumber(attrs, sc.ATTR_GEN_AI_REQUEST_TEMPERATURE, body.temperature);
  setNumber(attrs, sc.ATTR_GEN_AI_REQUEST_TOP_P, body.top_p);
  setNumber(attrs, ATTR_GEN_AI_REQUEST_TOP_K, body.top_k);
  const stop = body.stop_sequences;
  if (Array.isArray(stop) && stop.length > 0 && stop.every((s) => typeof s === 'string')) {
    attrs[sc.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = stop;
  }
  const format = ((body.output_config as Obj | undefined)?.format ?? body.output_format) as Obj | undefined;
  if (format && typeof format === 'object' && format.type === 'json_schema') attrs[sc.ATTR_GEN_AI_OUTPUT_TYPE] = 'json';
  const conversation = ((options as Obj | undefined)?.openTelemetry as Obj | undefined)?.conversationId;
  if (typeof conversation === 'string' && conversation.length > 0) attrs[ATTR_GEN_AI_CONVERSATION_ID] = conversation;
  return attrs;
}

/** The request's system prompt and messages in the semconv message shape, for content capture (opt-in). */
export function inputMessages(body: Obj): unknown {
  const messages: unknown[] = [];
  if (body.system !== undefined && body.system !== null) messages.push({ role: 'system', parts: contentParts(body.system) });
  if (Array.isArray(body.messages)) {
    for (const m of body.messages as Obj[]) {
      if (m && typeof m === 'object') messages.push({ role: m.role, parts: contentParts(m.content) });
    }
  }
  return messages;
}

/** Content blocks (`text`, `thinking`, `tool_use`, ...) as semconv message parts. */
export function contentParts(content: unknown): unknown[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  if (!Array.isArray(content)) return [];
  return (content as Obj[]).map((block) => {
    if (!block || typeof block !== 'object') return { type: 'unknown' };
    switch (block.type) {
      case 'text':
        return { type: 'text', content: block.text };
      case 'thinking':
        return { type: 'reasoning', content: block.thinking };
      case 'tool_use':
        return { type: 'tool_call', id: block.id, name: block.name, arguments: block.input };
      case 'tool_result':
        return { type: 'tool_call_response', id: block.tool_use_id, response: block.content };
      default:
        return { type: String(block.type ?? 'unknown') };
    }
  });
}

/** A request parameter that cannot be negative (token limits, temperature, top_p, top_k, counts): finite and at least 0, or not recorded. */
function setNumber(attrs: Attributes, key: string, v: unknown): void {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) attrs[key] = v;
}
