import type { Usage } from '@tokenomics/pricing/types';
import type { StreamOutcome, UsageEstimate } from './call';
import type { ChunkSink } from './observed-iterator';
import type { GenAICall } from './recorder';

/** What one stream chunk tells, in a library's own shape read by an adapter. */
export interface StreamChunkInfo {
  /** Generated text (or tool-call arguments) the chunk carries. */
  text?: string | undefined;
  /** The call's usage, when the chunk carries it (usually the last one). */
  usage?: Usage | undefined;
  responseModel?: string | undefined;
  responseId?: string | undefined;
  finishReason?: string | undefined;
}

/** How a {@link TextStreamSink} reads one library's stream. */
export interface TextStreamOptions {
  call: GenAICall;
  /** Reads a chunk; `undefined` for chunks that tell nothing. Must not throw on odd shapes. */
  readChunk(chunk: unknown): StreamChunkInfo | undefined;
  /** Usage to count locally when none arrived: from the request and the text streamed so far. */
  estimate(streamedText: string): UsageEstimate;
  /** Whether the app aborted the request (its abort signal). */
  isAborted(): boolean;
}

/**
 * Follows a stream of chunks whose usage arrives in one chunk (Mistral's last SSE chunk, Cohere's
 * `message-end`, Ollama's `done: true` object). A stream that ends before its usage (aborted, broken
 * off, dropped) is estimated from the request and the text seen, flagged as estimated. Never hides
 * or changes a chunk.
 */
export class TextStreamSink implements ChunkSink<unknown> {
  private readonly texts: string[] = [];
  private readonly reasons: string[] = [];
  private usage: Usage | undefined;

  constructor(private readonly o: TextStreamOptions) {}

  onChunk(chunk: unknown): boolean {
    const { call } = this.o;
    call.chunkArrived();
    const info = this.o.readChunk(chunk);
    if (!info) return true;
    if (typeof info.text === 'string' && info.text.length > 0) this.texts.push(info.text);
    if (info.usage) this.usage = info.usage;
    if (info.responseModel) call.result.responseModel = info.responseModel;
    if (info.responseId) call.result.responseId = info.responseId;
    if (info.finishReason) this.reasons.push(info.finishReason);
    return true;
  }

  onEnd(outcome: StreamOutcome, error?: unknown): void {
    const { call } = this.o;
    const result = call.result;
    if (this.reasons.length > 0) result.finishReasons = this.reasons;
    const text = this.texts.join('');
    if (this.usage) result.usage = this.usage;
    else result.usageEstimate = this.o.estimate(text);
    const reasons = this.reasons;
    result.outputMessages = () => [{ role: 'assistant', parts: [{ type: 'text', content: text }], finish_reason: reasons[0] }];
    const aborted = this.o.isAborted() || isAbortError(error);
    call.endStream(aborted && (outcome === 'error' || outcome === 'completed') ? 'aborted' : outcome, error);
  }
}

function isAbortError(error: unknown): boolean {
  return !!error && typeof error === 'object' && (error as { name?: unknown }).name === 'AbortError';
}
