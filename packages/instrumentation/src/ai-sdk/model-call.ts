import { context, trace, type Attributes, type Span } from '@opentelemetry/api';
import { ATTR_TOKENOMICS_DUPLICATE_OF } from '@tokenomics/contract/attributes';
import { OPERATION_EMBEDDINGS } from '@tokenomics/contract/operations';
import type { StreamOutcome } from '../genai/call';
import type { ChunkSink } from '../genai/observed-iterator';
import type { GenAICall, GenAIRecorder } from '../genai/recorder';
import * as sc from '../genai/semconv';
import { geminiServiceTier } from '../google-genai/usage';
import { modelServer } from './endpoint';
import { estimateModelCallUsage } from './estimate';
import { modelProvider, type ModelProvider } from './provider';
import { findSdkSpan, noteOwnSpan } from './sdk-spans';
import { isReadableStream, observeReadableStream } from './stream';
import { embeddingModelUsage, languageModelUsage, metadataField } from './usage';

type Obj = Record<string, unknown>;
type ModelMethod = (this: unknown, ...args: unknown[]) => unknown;
type CallKind = 'generate' | 'stream' | 'embed';

/** What a model call adapter needs from the instrumentation. */
export interface ModelCallHost {
  readonly recorder: GenAIRecorder;
  isEnabled(): boolean;
}

/**
 * Records the calls of an AI SDK model (language model spec v2 or v3, embedding model): each
 * `doGenerate`, `doStream` and `doEmbed` is one GenAI client span through the shared recorder,
 * started in the context active when the SDK calls the model (a step's span is a child of
 * whatever span was active; the SDK's own span of the call when its telemetry is on).
 */
export class ModelCalls {
  constructor(private readonly host: ModelCallHost) {}

  /** A language model's `doGenerate(options)`, called on `model` itself. */
  generate(model: Obj, original: ModelMethod, args: unknown[]): unknown {
    return this.follow(model, original, args, 'generate', (call, options, result) => {
      try {
        this.applyGenerate(call, model, options, result);
      } catch (err) {
        this.host.recorder.reportInternalError('response', err);
      }
      call.succeed();
      return result;
    });
  }

  /** A language model's `doStream(options)`: the call ends with the stream of parts it returns. */
  stream(model: Obj, original: ModelMethod, args: unknown[]): unknown {
    return this.follow(model, original, args, 'stream', (call, options, result) => {
      try {
        const stream = result && typeof result === 'object' ? (result as Obj).stream : undefined;
        if (!isReadableStream(stream)) {
          this.host.recorder.reportInternalError('stream', new Error('doStream returned no stream; usage not recorded'));
          call.endStream('completed');
          return result;
        }
        const sink = new StreamPartSink(call, options, modelProvider(model.provider), this.host.recorder.captureContent);
        const observed = observeReadableStream(stream, sink, call, (stage, err) => this.host.recorder.reportInternalError(stage, err));
        // The SDK gets the same result with the observed stream in place of the provider's.
        return { ...(result as Obj), stream: observed };
      } catch (err) {
        this.host.recorder.reportInternalError('stream', err);
        if (!call.isEnded) call.endStream('completed');
        return result;
      }
    });
  }

  /** An embedding model's `doEmbed(options)`. */
  embed(model: Obj, original: ModelMethod, args: unknown[]): unknown {
    return this.follow(model, original, args, 'embed', (call, options, result) => {
      try {
        const r = result && typeof result === 'object' ? (result as Obj) : {};
        const usage = embeddingModelUsage(r.usage);
        if (usage !== undefined) {
          call.result.usage = usage;
          call.result.usageEstimated = false;
        } else {
          call.result.usageEstimate = estimateModelCallUsage(options, call.start.requestModel, undefined);
        }
      } catch (err) {
        this.host.recorder.reportInternalError('response', err);
      }
      call.succeed();
      return result;
    });
  }

  /**
   * One model call: starts its span when recording is on and the options are readable (otherwise
   * calls through untouched), calls the model in the span's context, hands a result to `settle`
   * and fails the call with a rejection, which is passed on unchanged.
   */
  private follow(
    model: Obj,
    original: ModelMethod,
    args: unknown[],
    kind: CallKind,
    settle: (call: GenAICall, options: Obj, result: unknown) => unknown,
  ): unknown {
    const options = callOptions(args);
    const call = options && this.host.isEnabled() ? this.start(model, options, kind) : undefined;
    if (!call || !options) return Reflect.apply(original, model, args);
    return this.invoke(call, model, original, args).then(
      (result) => settle(call, options, result),
      (err: unknown) => {
        call.fail(err);
        throw err;
      },
    );
  }

  /**
   * Calls the model in the call's span context (in the active one, with nothing entered, when there
   * is nothing to trace: see `GenAICall.run`); a synchronous throw or a non-promise result is passed
   * on as the promise's.
   */
  private invoke(call: GenAICall, model: Obj, original: ModelMethod, args: unknown[]): Promise<unknown> {
    let value: unknown;
    try {
      value = call.run(original, model, ...args);
    } catch (err) {
      call.fail(err);
      throw err;
    }
    return value && typeof (value as Promise<unknown>).then === 'function' ? (value as Promise<unknown>) : Promise.resolve(value);
  }

  private start(model: Obj, options: Obj, kind: CallKind): GenAICall | undefined {
    try {
      const provider = modelProvider(model.provider);
      const requestModel = typeof model.modelId === 'string' && model.modelId.length > 0 ? model.modelId : 'unknown';
      const sdkSpan = findSdkSpan(trace.getSpan(context.active()), requestModel, kind);
      const server = modelServer(model);
      const call = this.host.recorder.start({
        provider: provider.provider,
        serverAddress: server.serverAddress,
        serverPort: server.serverPort,
        operation: kind === 'embed' ? OPERATION_EMBEDDINGS : provider.generateOperation,
        requestModel,
        attributes: kind === 'embed' ? {} : requestAttributes(options),
        requestedServiceTier: requestedServiceTier(options, provider),
        streaming: kind === 'stream',
        inputMessages: () => (kind === 'embed' ? options.values : options.prompt),
      });
      // A span with no context to hand on (metrics only) can never be taken for the SDK's: a
      // WeakSet entry for each would cost microseconds for nothing.
      if (call.hasSpanContext) noteOwnSpan(call.span);
      markSdkSpan(sdkSpan, call.span);
      return call;
    } catch (err) {
      this.host.recorder.reportInternalError('call start', err);
      return undefined;
    }
  }

  private applyGenerate(call: GenAICall, model: Obj, options: Obj, value: unknown): void {
    const result = call.result;
    const r = value && typeof value === 'object' ? (value as Obj) : {};
    const provider = modelProvider(model.provider);
    applyResponseMetadata(result, r.response);
    const reason = finishReason(r.finishReason);
    if (reason !== undefined) result.finishReasons = [reason];
    const tier = servedServiceTier(r.providerMetadata);
    if (tier !== undefined) result.serviceTier = tier;
    const usage = languageModelUsage(r.usage, r.providerMetadata, provider.family);
    if (usage !== undefined) {
      result.usage = usage;
      result.usageEstimated = false;
    } else {
      result.usageEstimate = estimateModelCallUsage(options, result.responseModel ?? call.start.requestModel, contentTexts(r.content));
    }
    result.outputMessages = () => r.content;
  }
}

/**
 * Follows the parts of a `doStream` stream: `response-metadata` (id, model), content deltas (for
 * an estimate when no usage arrives, and for content capture) and `finish` (usage, finish reason,
 * provider metadata). Never hides or changes a part. A stream that ends without a `finish` part
 * carrying usage (stopped early, aborted, failed) is recorded with usage counted from the prompt
 * and the output seen, flagged as estimated.
 */
class StreamPartSink implements ChunkSink<unknown> {
  private readonly output: string[] = [];
  private finished = false;

  constructor(
    private readonly call: GenAICall,
    private readonly options: Obj,
    private readonly provider: ModelProvider,
    private readonly keepText: boolean,
  ) {}

  onChunk(part: unknown): boolean {
    if (!part || typeof part !== 'object') return true;
    const p = part as Obj;
    const result = this.call.result;
    switch (p.type) {
      case 'stream-start':
      case 'raw':
      case 'error':
        return true;
      case 'response-metadata':
        applyResponseMetadata(result, p);
        return true;
      case 'finish': {
        this.finished = true;
        const reason = finishReason(p.finishReason);
        if (reason !== undefined) result.finishReasons = [reason];
        const tier = servedServiceTier(p.providerMetadata);
        if (tier !== undefined) result.serviceTier = tier;
        const usage = languageModelUsage(p.usage, p.providerMetadata, this.provider.family);
        if (usage !== undefined) {
          result.usage = usage;
          result.usageEstimated = false;
        }
        return true;
      }
      case 'text-delta':
      case 'reasoning-delta':
      case 'tool-input-delta':
        this.call.chunkArrived();
        if (typeof p.delta === 'string') this.output.push(p.delta);
        else if (typeof p.textDelta === 'string') this.output.push(p.textDelta);
        return true;
      default:
        this.call.chunkArrived();
        return true;
    }
  }

  onEnd(outcome: StreamOutcome, error?: unknown): void {
    const { call, options } = this;
    const result = call.result;
    if (result.usage === undefined) {
      result.usageEstimate = estimateModelCallUsage(options, result.responseModel ?? call.start.requestModel, this.output);
    }
    if (this.keepText) {
      const output = this.output;
      result.outputMessages = () => [{ role: 'assistant', content: output.join('') }];
    }
    const signal = options.abortSignal as { aborted?: unknown } | undefined;
    const aborted = signal !== null && typeof signal === 'object' && signal.aborted === true;
    // A stream that closed without its finish part was cut short, whatever closed it.
    const ended = outcome === 'completed' && !this.finished ? 'abandoned' : outcome;
    call.endStream(aborted && ended !== 'completed' ? 'aborted' : ended, error);
  }
}

/** The call options object a model method was called with, or undefined for an unexpected call. */
function callOptions(args: unknown[]): Obj | undefined {
  const options = args[0];
  return options !== null && typeof options === 'object' && !Array.isArray(options) ? (options as Obj) : undefined;
}

/** `gen_ai.request.*` attributes of language model call options. */
function requestAttributes(options: Obj): Attributes {
  const attrs: Attributes = {};
  setCount(attrs, sc.ATTR_GEN_AI_REQUEST_MAX_TOKENS, options.maxOutputTokens);
  setNumber(attrs, sc.ATTR_GEN_AI_REQUEST_TEMPERATURE, options.temperature);
  setNumber(attrs, sc.ATTR_GEN_AI_REQUEST_TOP_P, options.topP);
  setNumber(attrs, sc.ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY, options.frequencyPenalty);
  setNumber(attrs, sc.ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY, options.presencePenalty);
  if (typeof options.seed === 'number' && Number.isSafeInteger(options.seed)) attrs[sc.ATTR_GEN_AI_REQUEST_SEED] = options.seed;
  const stops = options.stopSequences;
  if (Array.isArray(stops) && stops.length > 0 && stops.length <= 16 && stops.every((s) => typeof s === 'string')) {
    attrs[sc.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = stops as string[];
  }
  const format = options.responseFormat;
  if (format && typeof format === 'object' && (format as Obj).type === 'json') attrs[sc.ATTR_GEN_AI_OUTPUT_TYPE] = 'json';
  return attrs;
}

function setNumber(attrs: Attributes, key: string, value: unknown): void {
  if (typeof value === 'number' && Number.isFinite(value)) attrs[key] = value;
}

function setCount(attrs: Attributes, key: string, value: unknown): void {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) attrs[key] = value;
}

/** The service tier asked for in the call's provider options (OpenAI's `serviceTier`). */
function requestedServiceTier(options: Obj, provider: ModelProvider): string | undefined {
  if (provider.family !== 'openai') return undefined;
  const tier = metadataField(options.providerOptions, 'openai', 'serviceTier');
  return typeof tier === 'string' && tier.length > 0 && tier.length <= 32 ? tier : undefined;
}

/** The service tier the provider reports it served the call at (OpenAI, Gemini provider metadata). */
function servedServiceTier(providerMetadata: unknown): string | undefined {
  const openai = metadataField(providerMetadata, 'openai', 'serviceTier');
  if (typeof openai === 'string' && openai.length > 0 && openai.length <= 32) return openai;
  const google = metadataField(providerMetadata, 'google', 'serviceTier');
  return typeof google === 'string' ? geminiServiceTier({ serviceTier: google }) : undefined;
}

/** Response id and model of a `doGenerate` result's `response` or a `response-metadata` part. */
function applyResponseMetadata(result: GenAICall['result'], value: unknown): void {
  if (!value || typeof value !== 'object') return;
  const v = value as Obj;
  if (typeof v.modelId === 'string' && v.modelId.length > 0 && v.modelId.length <= 256) result.responseModel = v.modelId;
  if (typeof v.id === 'string' && v.id.length > 0 && v.id.length <= 256) result.responseId = v.id;
}

/** The provider's finish reason (spec v3 `{ unified, raw }`: the raw one when given), or spec v2's string. */
function finishReason(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length <= 64 ? value : undefined;
  if (!value || typeof value !== 'object') return undefined;
  const { raw, unified } = value as Obj;
  if (typeof raw === 'string' && raw.length > 0 && raw.length <= 64) return raw;
  return typeof unified === 'string' && unified.length <= 64 ? unified : undefined;
}

/** Generated text, reasoning and tool call input of a `doGenerate` result's content, for an estimate. */
function contentTexts(content: unknown): string[] {
  const out: string[] = [];
  if (!Array.isArray(content)) return out;
  for (const part of content as unknown[]) {
    if (!part || typeof part !== 'object') continue;
    const p = part as Obj;
    if (typeof p.text === 'string') out.push(p.text);
    else if (p.type === 'tool-call' && typeof p.input === 'string') out.push(p.input);
  }
  return out;
}

/**
 * Marks the AI SDK's own span of this model call, when its telemetry is on, with the id of the
 * span that carries the cost: an exporter then leaves it unpriced and the call is priced once.
 */
function markSdkSpan(sdkSpan: Span | undefined, ours: Span): void {
  if (sdkSpan === undefined || !sdkSpan.isRecording()) return;
  sdkSpan.setAttribute(ATTR_TOKENOMICS_DUPLICATE_OF, ours.spanContext().spanId);
}
