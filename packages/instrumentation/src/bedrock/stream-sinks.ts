import type { Usage } from '@tokenomics/pricing/types';
import { anthropicUsage, mergeUsageFields } from '../anthropic/usage';
import type { StreamOutcome } from '../genai/call';
import type { ChunkSink } from '../genai/observed-iterator';
import type { GenAICall } from '../genai/recorder';
import { parseJsonBytes } from './commands';
import { estimateUsage } from './estimate';
import { serviceTierOf } from './responses';
import { converseUsage, count, invocationMetricsUsage } from './usage';

type Obj = Record<string, unknown>;

export interface StreamSinkOptions {
  call: GenAICall;
  /** The request in a shape the token estimator knows, for streams cut short. */
  estimationRequest: Obj | undefined;
  isAborted: () => boolean;
}

/** Ends a streamed call with what was seen; usage it never received is estimated and flagged. */
function endWith(
  o: StreamSinkOptions,
  outcome: StreamOutcome,
  error: unknown,
  billed: Usage | undefined,
  partial: Usage,
  texts: string[],
  finishReasons: string[],
  /** Other generated output an estimate counts after the text: tool input, thinking. */
  otherOutput: string[] = [],
): void {
  const { call } = o;
  const result = call.result;
  if (finishReasons.length) result.finishReasons = finishReasons;
  if (billed) {
    result.usage = billed;
    result.usageEstimated = false;
  } else {
    result.usageEstimate = estimateUsage(
      o.estimationRequest,
      call.start.requestModel,
      otherOutput.length ? texts.concat(otherOutput) : texts,
      partial,
    );
  }
  result.outputMessages = () => [
    { role: 'assistant', parts: [{ type: 'text', content: texts.join('') }], finish_reason: finishReasons[0] },
  ];
  const aborted = o.isAborted();
  call.endStream(aborted && (outcome === 'completed' || outcome === 'error') ? 'aborted' : outcome, error);
}

/**
 * Follows the events of a ConverseStream: text in `contentBlockDelta`, the stop reason in
 * `messageStop`, the billed usage in the closing `metadata` event.
 */
export class ConverseStreamSink implements ChunkSink<unknown> {
  private usage: Usage | undefined;
  private readonly texts: string[] = [];
  /** `toolUse.input` pieces: tool input the model generated. */
  private readonly toolInput: string[] = [];
  private readonly reasons: string[] = [];

  constructor(private readonly o: StreamSinkOptions) {}

  onChunk(raw: unknown): boolean {
    this.o.call.chunkArrived();
    if (!raw || typeof raw !== 'object') return true;
    const event = raw as Obj;
    const delta = (event.contentBlockDelta as Obj | undefined)?.delta as Obj | undefined;
    if (delta && typeof delta.text === 'string') this.texts.push(delta.text);
    const toolInput = (delta?.toolUse as Obj | undefined)?.input;
    if (typeof toolInput === 'string' && toolInput) this.toolInput.push(toolInput);
    const stop = event.messageStop as Obj | undefined;
    if (stop && typeof stop.stopReason === 'string') this.reasons.push(stop.stopReason);
    const metadata = event.metadata as Obj | undefined;
    if (metadata && typeof metadata === 'object') {
      const usage = converseUsage(metadata.usage);
      if (usage) this.usage = usage;
      const tier = serviceTierOf(metadata.serviceTier);
      if (tier) this.o.call.result.serviceTier = tier;
    }
    return true;
  }

  onEnd(outcome: StreamOutcome, error?: unknown): void {
    endWith(this.o, outcome, error, this.usage, {}, this.texts, this.reasons, this.toolInput);
  }
}

/**
 * Follows the `chunk` events of an InvokeModelWithResponseStream, decoding a copy of each
 * chunk's bytes: Anthropic Messages stream events (`message_start`, `content_block_delta`,
 * `message_delta`) or Llama generation chunks, and the `amazon-bedrock-invocationMetrics` of the
 * last chunk. Usage is the model's own final usage, else the invocation metrics.
 */
export class InvokeStreamSink implements ChunkSink<unknown> {
  private anthropicFields: Obj | undefined;
  private anthropicFinal = false;
  private llamaInput: number | undefined;
  private llamaOutput: number | undefined;
  private metrics: Usage | undefined;
  private readonly texts: string[] = [];
  /** Claude tool input (`input_json_delta`) and thinking: output counted in an estimate. */
  private readonly otherOutput: string[] = [];
  private readonly reasons: string[] = [];

  constructor(private readonly o: StreamSinkOptions) {}

  onChunk(raw: unknown): boolean {
    this.o.call.chunkArrived();
    const bytes = ((raw as Obj | null)?.chunk as Obj | undefined)?.bytes;
    const event = parseJsonBytes(bytes);
    if (!event) return true;
    const metrics = invocationMetricsUsage(event['amazon-bedrock-invocationMetrics']);
    if (metrics) this.metrics = metrics;
    if (typeof event.type === 'string') this.onAnthropicEvent(event);
    else this.onLlamaChunk(event);
    return true;
  }

  onEnd(outcome: StreamOutcome, error?: unknown): void {
    let billed: Usage | undefined;
    if (this.anthropicFinal) billed = anthropicUsage(this.anthropicFields);
    billed ??= this.metrics;
    if (!billed && this.reasons.length && this.llamaInput !== undefined && this.llamaOutput !== undefined) {
      billed = { inputTokens: this.llamaInput, outputTokens: this.llamaOutput };
    }
    const partial: Usage = anthropicUsage(this.anthropicFields) ?? {};
    if (this.llamaInput !== undefined) partial.inputTokens = this.llamaInput;
    if (this.llamaOutput !== undefined) partial.outputTokens = this.llamaOutput;
    endWith(this.o, outcome, error, billed, partial, this.texts, this.reasons, this.otherOutput);
  }

  private onAnthropicEvent(event: Obj): void {
    switch (event.type) {
      case 'message_start': {
        const message = event.message as Obj | undefined;
        this.anthropicFields = mergeUsageFields(this.anthropicFields, message?.usage);
        const result = this.o.call.result;
        if (message && typeof message === 'object') {
          if (typeof message.model === 'string' && message.model) {
            result.responseModel = message.model;
            result.billedByRequestModel = true;
          }
          if (typeof message.id === 'string' && message.id) result.responseId ??= message.id;
        }
        break;
      }
      case 'content_block_delta': {
        const delta = event.delta as Obj | undefined;
        const text = delta?.text;
        if (typeof text === 'string') this.texts.push(text);
        else if (typeof delta?.partial_json === 'string' && delta.partial_json) this.otherOutput.push(delta.partial_json);
        else if (typeof delta?.thinking === 'string' && delta.thinking) this.otherOutput.push(delta.thinking);
        break;
      }
      case 'message_delta': {
        const reason = (event.delta as Obj | undefined)?.stop_reason;
        if (typeof reason === 'string') this.reasons.push(reason);
        if (event.usage && typeof event.usage === 'object') {
          this.anthropicFields = mergeUsageFields(this.anthropicFields, event.usage);
          this.anthropicFinal = true;
        }
        break;
      }
    }
  }

  private onLlamaChunk(event: Obj): void {
    const input = count(event.prompt_token_count);
    if (input !== undefined) this.llamaInput = input;
    const output = count(event.generation_token_count);
    if (output !== undefined) this.llamaOutput = output;
    if (typeof event.generation === 'string' && event.generation) this.texts.push(event.generation);
    if (typeof event.stop_reason === 'string') this.reasons.push(event.stop_reason);
  }
}
