import type { Attributes } from '@opentelemetry/api';
import { ATTR_GEN_AI_CONVERSATION_ID } from '@tokenomics/contract/attributes';
import type { OpenAIOperation } from './operations';

/**
 * `attributes` with `gen_ai.conversation.id` from the Responses API `conversation` option (a
 * conversation id, or an object with one). Read by own keys; anything else is ignored.
 */
export function withConversation(op: OpenAIOperation, body: Record<string, unknown>, attributes: Attributes): Attributes {
  if (op !== 'responses' || !Object.hasOwn(body, 'conversation')) return attributes;
  const conversation = body.conversation;
  let id: unknown = conversation;
  if (typeof conversation === 'object' && conversation !== null && Object.hasOwn(conversation, 'id')) {
    id = (conversation as Record<string, unknown>).id;
  }
  if (typeof id === 'string' && id.length > 0) attributes[ATTR_GEN_AI_CONVERSATION_ID] = id;
  return attributes;
}
