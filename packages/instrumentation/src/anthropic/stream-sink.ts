import type { StreamOutcome } from '../genai/call';
import type { ChunkSink } from '../genai/observed-iterator';
import type { GenAICall } from '../genai/recorder';
import { estimateMessageUsage } from './estimate';
import { anthropicServiceTier, anthropicUsage, mergeUsageFields } from './usage';

type Obj = Record<string, unknown>;

/**
 * Follows the server-sent events of a streamed `messages.create`: id, model and the input usage in
 * `message_start`, streamed content in `content_block_delta`, the stop reason and the final
 * cumulative usage in `message_delta`. Never hides or changes an event.
 *
 * A stream that ends before its `message_delta` (aborted, broken off, failed) is recorded with
 * what was seen: the usage of `message_start` (billed input) and the output counted from the
 * streamed content, flagged as estimated.
 */
export class MessageStreamSink implements ChunkSink<unknown> {
  private usageFields: Obj | undefined;
  private finalUsage = false;
  private stopReason: string | undefined;
  /** Streamed text, thinking and tool input: the basis of an output estimate. */
  private readonly streamed: string[] = [];
  /** Streamed text only, for content capture. */
  private readonly texts: string[] = [];

  constructor(
    private readonly call: GenAICall,
    private readonly body: Obj,
    private readonly isAborted: () => boolean,
  ) {}

  onChunk(raw: unknown): boolean {
    this.call.chunkArrived();
    if (!raw || typeof raw !== 'object') return true;
    const event = raw as Obj;
    switch (event.type) {
      case 'content_block_delta':
        this.onDelta(event.delta as Obj | undefined);
        break;
      case 'message_start':
        this.onMessageStart(event.message as Obj | undefined);
        break;
      case 'message_delta': {
        const delta = event.delta as Obj | undefined;
        if (delta && typeof delta.stop_reason === 'string') this.stopReason = delta.stop_reason;
        if (event.usage && typeof event.usage === 'object') {
          this.usageFields = mergeUsageFields(this.usageFields, event.usage);
          this.finalUsage = true;
        }
        break;
      }
    }
    return true;
  }

  onEnd(outcome: StreamOutcome, error?: unknown): void {
    const { call } = this;
    const result = call.result;
    if (this.stopReason) result.finishReasons = [this.stopReason];
    const tier = anthropicServiceTier(this.usageFields);
    if (tier) result.serviceTier = tier;
    const model = result.responseModel ?? call.start.requestModel;
    const usage = anthropicUsage(this.usageFields) ?? {};
    if (!this.finalUsage) result.usageEstimate = estimateMessageUsage(this.body, model, this.streamed, usage);
    else if (usage.inputTokens !== undefined || usage.outputTokens !== undefined || usage.invalid !== undefined) result.usage = usage;
    const texts = this.texts;
    const stopReason = this.stopReason;
    result.outputMessages = () => [{ role: 'assistant', parts: [{ type: 'text', content: texts.join('') }], finish_reason: stopReason }];
    call.endStream(outcome === 'completed' && this.isAborted() ? 'aborted' : outcome, error);
  }

  private onMessageStart(message: Obj | undefined): void {
    if (!message || typeof message !== 'object') return;
    const result = this.call.result;
    if (typeof message.model === 'string' && message.model) result.responseModel = message.model;
    if (typeof message.id === 'string' && message.id) result.responseId = message.id;
    this.usageFields = mergeUsageFields(this.usageFields, message.usage);
  }

  private onDelta(delta: Obj | undefined): void {
    if (!delta || typeof delta !== 'object') return;
    switch (delta.type) {
      case 'text_delta':
        if (typeof delta.text === 'string') {
          this.streamed.push(delta.text);
          this.texts.push(delta.text);
        }
        break;
      case 'thinking_delta':
        if (typeof delta.thinking === 'string') this.streamed.push(delta.thinking);
        break;
      case 'input_json_delta':
        if (typeof delta.partial_json === 'string') this.streamed.push(delta.partial_json);
        break;
    }
  }
}
