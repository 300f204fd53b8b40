import type { CallResult } from '../genai/call';
import { contentParts } from './request';
import { anthropicServiceTier, anthropicUsage } from './usage';

type Obj = Record<string, unknown>;

/** Fills `result` from a Message (the parsed body of a non-streamed `messages.create`). */
export function applyMessage(message: unknown, result: CallResult): void {
  if (!message || typeof message !== 'object') return;
  const m = message as Obj;
  if (typeof m.model === 'string') result.responseModel = m.model;
  if (typeof m.id === 'string') result.responseId = m.id;
  if (typeof m.stop_reason === 'string') result.finishReasons = [m.stop_reason];
  const usage = anthropicUsage(m.usage);
  if (usage) result.usage = usage;
  const tier = anthropicServiceTier(m.usage);
  if (tier) result.serviceTier = tier;
  const content = m.content;
  const stopReason = m.stop_reason;
  result.outputMessages = () => [{ role: 'assistant', parts: contentParts(content), finish_reason: stopReason }];
}
