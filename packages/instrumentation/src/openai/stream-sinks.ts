import type { ChunkSink } from '../genai/observed-iterator';
import type { StreamOutcome } from '../genai/call';
import type { GenAICall } from '../genai/recorder';
import type { OpenAIOperation } from './operations';
import { openAIUsage } from './usage';
import { compatibleUsage, reportedCostOf } from './host-usage';
import { providerFromResponse } from './self-hosted';
import { estimateUsage } from './estimate';
import { choiceIndex } from '../genai/choice-index';

type Obj = Record<string, unknown>;

interface SinkOptions {
  op: OpenAIOperation;
  call: GenAICall;
  body: Obj;
  /** The instrumentation added `stream_options.include_usage`: hide what it added. */
  injected: boolean;
  /** Keep the streamed text: for an estimate when no usage will come, or for content capture. */
  keepText: boolean;
  isAborted: () => boolean;
}

/**
 * Follows the chunks of a streamed chat or legacy completion: model, id, finish reasons, the usage
 * chunk; hides the usage chunk and the `usage: null` fields the instrumentation caused.
 */
export class CompletionStreamSink implements ChunkSink<unknown> {
  private contentChunks = 0;
  private readonly texts: string[] | undefined;
  /** Streamed tool-call arguments: generated output, counted with the text in an estimate. */
  private readonly toolArguments: string[] | undefined;
  private readonly finishReasons: string[] = [];
  /** A chat stream (text in `choices[].delta.content`), not a legacy completion (`choices[].text`). */
  private readonly chat: boolean;
  private readonly call: GenAICall;
  private readonly injected: boolean;

  constructor(private readonly o: SinkOptions) {
    this.texts = o.keepText ? [] : undefined;
    this.toolArguments = o.keepText ? [] : undefined;
    this.chat = o.op === 'chat';
    this.call = o.call;
    this.injected = o.injected;
  }

  onChunk(raw: unknown): boolean | object {
    const call = this.call;
    call.chunkArrived();
    if (!raw || typeof raw !== 'object') return true;
    const chunk = raw as Obj;
    const result = call.result;
    providerFromResponse(call, chunk);
    if (result.responseModel === undefined && typeof chunk.model === 'string' && chunk.model) result.responseModel = chunk.model;
    if (result.responseId === undefined && typeof chunk.id === 'string' && chunk.id) result.responseId = chunk.id;
    if (typeof chunk.service_tier === 'string') result.serviceTier = chunk.service_tier;
    const choices = chunk.choices;
    if (Array.isArray(choices)) {
      for (let i = 0; i < choices.length; i++) {
        const choice = choices[i] as Obj | null;
        if (!choice) continue;
        let piece: unknown;
        if (this.chat) {
          const delta = choice.delta as Obj | null | undefined;
          if (delta) {
            piece = delta.content;
            const toolCalls = delta.tool_calls;
            if (toolCalls !== undefined) this.onToolCalls(toolCalls);
          }
        } else piece = choice.text;
        if (typeof piece === 'string' && piece.length > 0) {
          this.contentChunks++;
          this.texts?.push(piece);
        }
        if (typeof choice.finish_reason === 'string') {
          this.finishReasons[choiceIndex(choice.index, i)] = choice.finish_reason;
        }
      }
    }
    const usage = Object.hasOwn(chunk, 'usage') ? chunk.usage : undefined;
    // Groq sends a stream's usage in the last chunk's `x_groq.usage` instead.
    const billed = usage || groqUsage(chunk);
    if (billed) {
      const provider = call.start.provider;
      const parsed = compatibleUsage(provider, billed);
      if (parsed) result.usage = parsed;
      const reportedCost = reportedCostOf(provider, billed);
      if (reportedCost !== undefined) result.reportedCost = reportedCost;
    }
    if (this.injected && usage !== undefined) {
      // The server sent usage only because the instrumentation asked for it. The chunk it adds for
      // usage (no choices, nothing but the usual chunk fields, a usage that is not null) is hidden
      // whatever that usage holds (an object, `{}`, garbage); a usage field on any other chunk
      // (content chunks, Azure's `prompt_filter_results` chunk, an empty-choices chunk with
      // `usage: null`, which OpenAI puts on every chunk but the usage chunk) is removed: the app
      // sees the chunks it would without it.
      if (usage !== null && isUsageChunk(chunk, choices)) return false;
      return withoutUsage(chunk);
    }
    return true;
  }

  onEnd(outcome: StreamOutcome, error?: unknown): void {
    const { call } = this.o;
    const reasons = this.finishReasons.filter((r) => typeof r === 'string');
    if (reasons.length) call.result.finishReasons = reasons;
    if (!call.result.usage) {
      call.result.usageEstimate = estimateUsage(
        this.o.op,
        this.o.body,
        call.result.responseModel ?? call.start.requestModel,
        streamedOutput(this.texts, this.toolArguments),
        this.contentChunks,
      );
    }
    const texts = this.texts;
    if (texts) call.result.outputMessages = () => [{ role: 'assistant', parts: [{ type: 'text', content: texts.join('') }] }];
    call.endStream(outcome === 'completed' && this.o.isAborted() ? 'aborted' : outcome, error);
  }

  /** `delta.tool_calls[].function.arguments` pieces: output the model generated, as text is. */
  private onToolCalls(toolCalls: unknown): void {
    if (!Array.isArray(toolCalls)) return;
    for (const toolCall of toolCalls as Array<Obj | null>) {
      const args = (toolCall?.function as Obj | undefined | null)?.arguments;
      if (typeof args === 'string' && args.length > 0) {
        this.contentChunks++;
        this.toolArguments?.push(args);
      }
    }
  }
}

/** `x_groq.usage` of a chunk (Groq's streamed usage), if it holds one. */
function groqUsage(chunk: Obj): unknown {
  const xGroq = Object.hasOwn(chunk, 'x_groq') ? chunk.x_groq : undefined;
  return xGroq && typeof xGroq === 'object' && Object.hasOwn(xGroq, 'usage') ? (xGroq as Obj).usage : undefined;
}

/** The fields of a chunk OpenAI sends for usage alone, next to `usage` and an empty `choices`. */
const USAGE_CHUNK_KEYS = new Set([
  'id',
  'object',
  'created',
  'model',
  'system_fingerprint',
  'service_tier',
  'choices',
  'usage',
  'obfuscation',
]);

/** A chunk that carries usage and nothing else: empty `choices`, no field outside {@link USAGE_CHUNK_KEYS}. */
function isUsageChunk(chunk: Obj, choices: unknown): boolean {
  if (!Array.isArray(choices) || choices.length !== 0) return false;
  for (const key of Object.keys(chunk)) if (!USAGE_CHUNK_KEYS.has(key)) return false;
  return true;
}

/**
 * The chunk as the app would see it without `usage`. Deleting a property other than the last one
 * added turns an object into a dictionary (slower reads for the app, and an allocation of its own),
 * and OpenAI puts `obfuscation` after `usage`. In the layouts OpenAI sends, an equal copy without
 * `usage` is built as one literal: the same keys in the same order with the same values, about
 * 150 ns a chunk cheaper than deleting (`bench/stream-chunk.bench.mjs`), for an object the app's
 * reads find as fast. Any other chunk ending in `usage`, `obfuscation` has the padding taken off and
 * put back around the delete, so that each delete removes the last property; any other layout gets
 * a plain delete.
 */
function withoutUsage(chunk: Obj): true | Obj {
  switch (openAILayout(chunk)) {
    case FINGERPRINT:
      return {
        id: chunk.id,
        object: chunk.object,
        created: chunk.created,
        model: chunk.model,
        system_fingerprint: chunk.system_fingerprint,
        choices: chunk.choices,
        obfuscation: chunk.obfuscation,
      };
    case TIER_FINGERPRINT:
      return {
        id: chunk.id,
        object: chunk.object,
        created: chunk.created,
        model: chunk.model,
        service_tier: chunk.service_tier,
        system_fingerprint: chunk.system_fingerprint,
        choices: chunk.choices,
        obfuscation: chunk.obfuscation,
      };
    case BARE:
      return {
        id: chunk.id,
        object: chunk.object,
        created: chunk.created,
        model: chunk.model,
        choices: chunk.choices,
        obfuscation: chunk.obfuscation,
      };
    case TIER:
      return {
        id: chunk.id,
        object: chunk.object,
        created: chunk.created,
        model: chunk.model,
        service_tier: chunk.service_tier,
        choices: chunk.choices,
        obfuscation: chunk.obfuscation,
      };
    case USAGE_THEN_OBFUSCATION:
      if (Object.isExtensible(chunk)) {
        const padding = chunk.obfuscation;
        delete chunk.obfuscation;
        try {
          delete chunk.usage;
        } finally {
          chunk.obfuscation = padding;
        }
        return true;
      }
      break;
  }
  delete chunk.usage;
  return true;
}

/** The layouts of OpenAI's chat chunks with `usage: null` and the padding: their keys, in the order it sends them. */
const LAYOUTS: readonly (readonly string[])[] = [
  ['id', 'object', 'created', 'model', 'system_fingerprint', 'choices', 'usage', 'obfuscation'],
  ['id', 'object', 'created', 'model', 'service_tier', 'system_fingerprint', 'choices', 'usage', 'obfuscation'],
  ['id', 'object', 'created', 'model', 'choices', 'usage', 'obfuscation'],
  ['id', 'object', 'created', 'model', 'service_tier', 'choices', 'usage', 'obfuscation'],
];
const FINGERPRINT = 0;
const TIER_FINGERPRINT = 1;
const BARE = 2;
const TIER = 3;
/** None of {@link LAYOUTS}, but the last two keys are `usage` and `obfuscation`. */
const USAGE_THEN_OBFUSCATION = 4;
const OTHER = 5;

/**
 * Which of {@link LAYOUTS} `chunk`'s enumerable keys are, exactly and in order (inherited ones
 * included: with a polluted prototype it is none of them), else whether they end in `usage`,
 * `obfuscation`. No allocation: the keys come from the enum cache of the chunk's shape.
 */
function openAILayout(chunk: Obj): number {
  let candidates = (1 << LAYOUTS.length) - 1;
  let n = 0;
  let last: string | undefined;
  let beforeLast: string | undefined;
  for (const key in chunk) {
    for (let i = 0; candidates !== 0 && i < LAYOUTS.length; i++) {
      if (candidates & (1 << i) && LAYOUTS[i]![n] !== key) candidates &= ~(1 << i);
    }
    beforeLast = last;
    last = key;
    n++;
  }
  for (let i = 0; candidates !== 0 && i < LAYOUTS.length; i++) {
    if (candidates & (1 << i) && LAYOUTS[i]!.length === n) return i;
  }
  return last === 'obfuscation' && beforeLast === 'usage' ? USAGE_THEN_OBFUSCATION : OTHER;
}

/** The streamed output an estimate counts: text, then tool-call arguments. */
function streamedOutput(texts: string[] | undefined, toolArguments: string[] | undefined): string[] | undefined {
  if (!texts || !toolArguments?.length) return texts;
  return texts.concat(toolArguments);
}

/** Follows the events of a streamed Responses API call; usage comes in `response.completed`. */
export class ResponsesStreamSink implements ChunkSink<unknown> {
  private deltas = 0;
  private readonly texts: string[] | undefined;
  /** Streamed function-call arguments, counted with the text in an estimate. */
  private readonly toolArguments: string[] | undefined;

  constructor(private readonly o: SinkOptions) {
    this.texts = o.keepText ? [] : undefined;
    this.toolArguments = o.keepText ? [] : undefined;
  }

  onChunk(raw: unknown): boolean {
    const { call } = this.o;
    call.chunkArrived();
    if (!raw || typeof raw !== 'object') return true;
    const event = raw as Obj;
    const type = event.type;
    if (type === 'response.output_text.delta') {
      this.deltas++;
      if (typeof event.delta === 'string') this.texts?.push(event.delta);
      return true;
    }
    if (type === 'response.function_call_arguments.delta' || type === 'response.custom_tool_call_input.delta') {
      this.deltas++;
      if (typeof event.delta === 'string') this.toolArguments?.push(event.delta);
      return true;
    }
    const response = event.response as Obj | undefined;
    if (response && typeof response === 'object') {
      const result = call.result;
      if (typeof response.model === 'string') result.responseModel = response.model;
      if (typeof response.id === 'string') result.responseId = response.id;
      if (typeof response.service_tier === 'string') result.serviceTier = response.service_tier;
      if (typeof response.status === 'string') result.finishReasons = [response.status];
      const usage = openAIUsage(response.usage);
      if (usage) result.usage = usage;
    }
    return true;
  }

  onEnd(outcome: StreamOutcome, error?: unknown): void {
    const { call } = this.o;
    if (!call.result.usage) {
      call.result.usageEstimate = estimateUsage(
        'responses',
        this.o.body,
        call.result.responseModel ?? call.start.requestModel,
        streamedOutput(this.texts, this.toolArguments),
        this.deltas,
      );
    }
    const texts = this.texts;
    if (texts) call.result.outputMessages = () => [{ role: 'assistant', parts: [{ type: 'text', content: texts.join('') }] }];
    call.endStream(outcome === 'completed' && this.o.isAborted() ? 'aborted' : outcome, error);
  }
}
