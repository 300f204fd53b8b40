import type { CallResult } from '../genai/call';
import type { OpenAIOperation } from './operations';
import { compatibleUsage, reportedCostOf } from './host-usage';

type Obj = Record<string, unknown>;

/**
 * Fills `result` from a parsed, non-streamed response body; `provider` selects the host's usage
 * fields (see `compatibleUsage`) and a cost the host reported. The output messages are kept only
 * when `captureContent` is on.
 */
export function applyResponse(op: OpenAIOperation, body: unknown, result: CallResult, provider = 'openai', captureContent = true): void {
  if (!body || typeof body !== 'object') return;
  const b = body as Obj;
  if (typeof b.model === 'string') result.responseModel = b.model;
  if (typeof b.id === 'string') result.responseId = b.id;
  if (typeof b.service_tier === 'string') result.serviceTier = b.service_tier;
  const usage = compatibleUsage(provider, b.usage);
  const reportedCost = reportedCostOf(provider, b.usage);
  if (reportedCost !== undefined) result.reportedCost = reportedCost;
  if (usage) {
    result.usage = op === 'embeddings' && usage.invalid === undefined ? { inputTokens: usage.inputTokens } : usage;
  }
  if (op === 'responses') {
    if (typeof b.status === 'string') result.finishReasons = [b.status];
    if (captureContent) result.outputMessages = () => responsesOutput(b.output);
    return;
  }
  if (Array.isArray(b.choices)) {
    // Started as a one-element literal: a single choice, as nearly every call has, takes no spare capacity.
    let reasons: string[] | undefined;
    for (const choice of b.choices as Obj[]) {
      if (!choice || typeof choice.finish_reason !== 'string') continue;
      if (reasons === undefined) reasons = [choice.finish_reason];
      else reasons.push(choice.finish_reason);
    }
    if (reasons !== undefined) result.finishReasons = reasons;
    if (!captureContent) return;
    const choices = b.choices as Obj[];
    result.outputMessages = () =>
      choices.map((c) => {
        const message = c.message as Obj | undefined;
        const text = message ? message.content : c.text;
        return {
          role: 'assistant',
          parts: typeof text === 'string' ? [{ type: 'text', content: text }] : [],
          finish_reason: c.finish_reason,
        };
      });
  }
}

function responsesOutput(output: unknown): unknown {
  if (!Array.isArray(output)) return [];
  return (output as Obj[])
    .filter((item) => item && item.type === 'message')
    .map((item) => ({
      role: item.role ?? 'assistant',
      parts: Array.isArray(item.content)
        ? (item.content as Obj[]).map((p) => (typeof p.text === 'string' ? { type: 'text', content: p.text } : { type: String(p.type) }))
        : [],
    }));
}
