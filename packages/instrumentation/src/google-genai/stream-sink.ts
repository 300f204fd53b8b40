import type { StreamOutcome } from '../genai/call';
import type { ChunkSink } from '../genai/observed-iterator';
import type { GenAICall } from '../genai/recorder';
import { estimateGeminiUsage } from './estimate';
import { applyGenerateContent, candidateTexts, finishReasons, outputMessages } from './response';

interface SinkOptions {
  call: GenAICall;
  params: Record<string, unknown>;
  /** Keep the streamed text: for content capture. */
  keepText: boolean;
  signal: AbortSignal | undefined;
}

/**
 * Follows the chunks of `generateContentStream`: every chunk carries the usage so far, the last
 * one the usage of the whole call. A stream that ends before any usage arrived is estimated.
 */
export class GenerateContentStreamSink implements ChunkSink<unknown> {
  private readonly reasons: string[] = [];
  private readonly texts: string[] = [];
  /** `functionCall` arguments, serialised: output the model generated, counted in an estimate. */
  private readonly functionArguments: string[] = [];
  private sawUsage = false;

  constructor(private readonly o: SinkOptions) {}

  onChunk(chunk: unknown): boolean {
    const { call } = this.o;
    call.chunkArrived();
    applyGenerateContent(chunk, call.result);
    if (call.result.usage) this.sawUsage = true;
    finishReasons(chunk, this.reasons);
    // Text is kept for capture, and until usage arrives for an estimate of a stream cut short.
    if (this.o.keepText || !this.sawUsage) {
      candidateTexts(chunk).forEach((t, i) => {
        if (t) this.texts[i] = (this.texts[i] ?? '') + t;
      });
    }
    if (!this.sawUsage) collectFunctionArguments(chunk, this.functionArguments);
    return true;
  }

  onEnd(outcome: StreamOutcome, error?: unknown): void {
    const { call } = this.o;
    const reasons = this.reasons.filter((r) => typeof r === 'string');
    if (reasons.length) call.result.finishReasons = reasons;
    if (!call.result.usage) {
      call.result.usageEstimate = estimateGeminiUsage(
        'generate_content',
        this.o.params,
        call.result.responseModel ?? call.start.requestModel,
        this.texts.join('') + this.functionArguments.join(''),
      );
    } else if (outcome !== 'completed' && reasons.length === 0) {
      // The usage so far of a stream cut short: a lower bound of what was generated, not the bill.
      call.result.usageEstimated = true;
    }
    if (this.o.keepText) {
      const texts = this.texts;
      call.result.outputMessages = () => outputMessages(texts, this.reasons);
    }
    const aborted = this.o.signal?.aborted === true;
    call.endStream(aborted && (outcome === 'error' || outcome === 'completed') ? 'aborted' : outcome, error);
  }
}

/** The `args` of each `functionCall` part of a chunk's candidates, as JSON text. */
function collectFunctionArguments(chunk: unknown, out: string[]): void {
  const candidates = (chunk as { candidates?: unknown } | null)?.candidates;
  if (!Array.isArray(candidates)) return;
  for (const candidate of candidates as Array<{ content?: { parts?: unknown } } | null>) {
    const parts = candidate?.content?.parts;
    if (!Array.isArray(parts)) continue;
    for (const part of parts as Array<{ functionCall?: { args?: unknown } } | null>) {
      const args = part?.functionCall?.args;
      if (args === undefined || args === null) continue;
      try {
        const json = JSON.stringify(args);
        if (json) out.push(json);
      } catch {
        // arguments that cannot be serialised are not counted
      }
    }
  }
}
