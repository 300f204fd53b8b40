import { InstrumentationNodeModuleDefinition, isWrapped } from '@opentelemetry/instrumentation';
import type { TokenomicsInstrumentationConfig } from '../config';
import type { GenAICall, GenAIRecorder } from '../genai/recorder';
import { GenAIInstrumentation } from '../genai/genai-instrumentation';
import { observeSdkStream } from '../genai/sdk-stream';
import { isObservableAPIPromise, observeAPIPromise, type APIPromiseHandlers } from '../genai/api-promise';
import type { ChunkSink } from '../genai/observed-iterator';
import { acceptsStreamOptions, endpointOf } from './endpoint';
import { providerHostsOf } from '../genai/compatible-hosts';
import { providerFromResponse } from './self-hosted';
import { estimateUsage } from './estimate';
import { inputMessages, OPERATION_NAME, requestAttributes, type OpenAIOperation } from './operations';
import { applyResponse } from './response';
import { withConversation } from './conversation';
import { CompletionStreamSink, ResponsesStreamSink } from './stream-sinks';
import { budgetGate, getBudgetGuard, sendWhenAllowed } from '../genai/budget-guard';
import { plainCopy } from '../genai/plain-copy';

/** Range of `openai` versions patched. */
export const OPENAI_SUPPORTED_VERSIONS = ['>=4.0.0 <8'];

type Obj = Record<string, unknown>;
type CreateFn = (this: unknown, body: unknown, options?: unknown, ...rest: unknown[]) => unknown;

interface ResourceClass {
  prototype: { create: CreateFn };
}

/** The resource classes reachable from the module's exported `OpenAI` client class. */
function resourceClasses(moduleExports: unknown): Array<[OpenAIOperation, ResourceClass]> {
  const exp = moduleExports as Obj | undefined;
  const OpenAI = (exp?.OpenAI ?? (exp?.default as Obj | undefined)?.OpenAI ?? exp?.default) as Obj | undefined;
  if (!OpenAI) return [];
  const found: Array<[OpenAIOperation, ResourceClass]> = [];
  const add = (op: OpenAIOperation, cls: unknown) => {
    if (typeof cls === 'function' && typeof (cls as ResourceClass).prototype?.create === 'function') {
      found.push([op, cls as ResourceClass]);
    }
  };
  add('chat', (OpenAI.Chat as Obj | undefined)?.Completions);
  add('responses', OpenAI.Responses);
  add('embeddings', OpenAI.Embeddings);
  add('completions', OpenAI.Completions);
  return found;
}

/**
 * Instruments the `openai` client library, 4.x to 7.x, in both its CommonJS and ESM builds:
 * `chat.completions.create` (and so `parse`, `stream()`, `runTools`), `responses.create` (and
 * `responses.stream()`), `embeddings.create` and legacy `completions.create`.
 */
export class OpenAIInstrumentation extends GenAIInstrumentation {
  constructor(config: TokenomicsInstrumentationConfig = {}) {
    super('@tokenomics/instrumentation-openai', config);
  }

  /** Checks the `providerHosts` map first: a bad entry throws here, at start-up. */
  override setConfig(config: TokenomicsInstrumentationConfig = {}): void {
    providerHostsOf(config.providerHosts);
    super.setConfig(config);
  }

  protected init() {
    return [
      new InstrumentationNodeModuleDefinition(
        'openai',
        OPENAI_SUPPORTED_VERSIONS,
        (moduleExports: unknown) => {
          for (const [op, cls] of resourceClasses(moduleExports)) {
            if (isWrapped(cls.prototype.create)) this._unwrap(cls.prototype, 'create');
            this._wrap(cls.prototype, 'create', (original: CreateFn) => this.patchCreate(op, original));
          }
          return moduleExports;
        },
        (moduleExports: unknown) => {
          for (const [, cls] of resourceClasses(moduleExports)) {
            if (isWrapped(cls.prototype.create)) this._unwrap(cls.prototype, 'create');
          }
        },
      ),
    ];
  }

  /**
   * Patches the module exports of an `openai` build loaded outside the module hooks (for
   * example a bundled copy). Returns the number of methods patched.
   */
  patchModule(moduleExports: unknown): number {
    let n = 0;
    for (const [op, cls] of resourceClasses(moduleExports)) {
      if (isWrapped(cls.prototype.create)) continue;
      this._wrap(cls.prototype, 'create', (original: CreateFn) => this.patchCreate(op, original));
      n++;
    }
    return n;
  }

  private patchCreate(op: OpenAIOperation, original: CreateFn): CreateFn {
    const instrumentation = this;
    return function create(this: unknown, body: unknown, options?: unknown) {
      if (!body || typeof body !== 'object' || !instrumentation.isEnabled()) {
        return original.apply(this, arguments as unknown as Parameters<CreateFn>);
      }
      const observed = instrumentation.startCall(op, this, body as Obj, original, arguments.length, options, arguments);
      if (observed === undefined) return original.apply(this, arguments as unknown as Parameters<CreateFn>);
      // With budgets on, a call they count is sent once the guard has estimated it.
      const gate = getBudgetGuard() === undefined ? undefined : instrumentation.budgetGateOf(op, observed.call, body as Obj);
      return gate === undefined ? observed.send() : sendWhenAllowed(observed.call, gate, () => observed.send());
    };
  }

  private budgetGateOf(op: OpenAIOperation, call: GenAICall, body: Obj): Promise<void> | undefined {
    try {
      return budgetGate(call, estimateUsage(op, body, call.start.requestModel, undefined, 0).job, maxOutputTokens(op, body));
    } catch (err) {
      this.recorder.reportInternalError('budget', err);
      return undefined;
    }
  }

  private startCall(
    op: OpenAIOperation,
    resource: unknown,
    body: Obj,
    original: CreateFn,
    argc: number,
    options: unknown,
    args: IArguments,
  ): ObservedCreate | undefined {
    const recorder = this.recorder;
    try {
      const client = (resource as { _client?: Obj } | null)?._client;
      const azure = !!client && (client.constructor as { name?: string } | undefined)?.name === 'AzureOpenAI';
      const config = this.getConfig();
      const endpoint = endpointOf(client?.baseURL, azure, providerHostsOf(config.providerHosts));
      const streaming = body.stream === true;
      const observed = new ObservedCreate(
        this,
        op,
        body,
        resource,
        original,
        argc,
        options,
        argc > 2 ? Array.prototype.slice.call(args, 2) : undefined,
      );
      if (
        streaming &&
        (op === 'chat' || op === 'completions') &&
        config.injectStreamUsage !== false &&
        endpoint.streamUsage === 'on_request' &&
        acceptsStreamOptions(client)
      ) {
        const streamOptions = body.stream_options as Obj | undefined | null;
        if (!streamOptions || streamOptions.include_usage !== true) observed.injectStreamUsage(streamOptions);
      }
      const requestModel = requestModelOf(op, client, azure, body);
      const call = recorder.start({
        provider: endpoint.provider,
        operation: OPERATION_NAME[op],
        requestModel,
        serverAddress: endpoint.serverAddress,
        serverPort: endpoint.serverPort,
        attributes: withConversation(op, body, requestAttributes(op, body)),
        requestedServiceTier: typeof body.service_tier === 'string' ? body.service_tier : undefined,
        streaming,
        providerGuessed: endpoint.guessed && (op === 'chat' || op === 'completions'),
        inputMessages: recorder.captureContent ? () => inputMessages(op, body) : undefined,
        previousResponseId: op === 'responses' && typeof body.previous_response_id === 'string' ? body.previous_response_id : undefined,
        continuable: op === 'responses' && body.store !== false,
        // Only asked for when calls are sampled for reconciliation: no closure per call otherwise.
        inputEstimate: recorder.reconciles ? () => estimateUsage(op, body, requestModel, undefined, 0).job : undefined,
      });
      observed.call = call;
      return observed;
    } catch (err) {
      recorder.reportInternalError('call start', err);
      return undefined;
    }
  }

  /** @internal Follows the stream a streamed call parsed to. */
  observeStream(op: OpenAIOperation, call: GenAICall, body: Obj, injected: boolean, value: unknown): void {
    const usageExpected = op === 'responses' || injected || (body.stream_options as Obj | undefined)?.include_usage === true;
    const keepText = !usageExpected || this.recorder.captureContent;
    observeSdkStream(value, call, this.recorder, (isAborted) => {
      const options = { op, call, body, injected, keepText, isAborted };
      return op === 'responses' ? new ResponsesStreamSink(options) : new CompletionStreamSink(options);
    });
  }

  /** @internal The recorder of the current configuration. */
  get callRecorder(): GenAIRecorder {
    return this.recorder;
  }
}

/**
 * One `create` call being recorded: how it is sent, and the handlers of the `APIPromise` it
 * returns. One object per call holds what would otherwise be a handful of closures.
 */
class ObservedCreate implements APIPromiseHandlers {
  /** Set once the recorder started the call. */
  declare call: GenAICall;
  /** The body sent: the app's own, or a copy asking for the stream's usage. */
  sendBody: Obj;
  /**
   * Where the copy asks for the stream's usage: the app's own `stream_options` (`undefined` where
   * its body has none), for a request the app takes raw.
   */
  private appStreamOptions: unknown;
  /**
   * A sink for the events of a stream the app reads raw, for streamed calls. The app reads the raw
   * events itself: nothing to hide, and the text is kept for an estimate in case no usage comes.
   */
  readonly createRawStreamSink: ((isAborted: () => boolean) => ChunkSink<unknown>) | undefined;

  constructor(
    private readonly instrumentation: OpenAIInstrumentation,
    private readonly op: OpenAIOperation,
    private readonly body: Obj,
    private readonly thisArg: unknown,
    private readonly original: CreateFn,
    /** Number of arguments the app passed, handed on unchanged. */
    private readonly argc: number,
    private readonly options: unknown,
    /** Arguments after the second, if any. */
    private readonly extra: unknown[] | undefined,
  ) {
    this.sendBody = body;
    this.createRawStreamSink =
      body.stream === true && (op === 'chat' || op === 'completions' || op === 'responses')
        ? (isAborted) => {
            const sinkOptions = { op, call: this.call, body, injected: false, keepText: true, isAborted };
            return op === 'responses' ? new ResponsesStreamSink(sinkOptions) : new CompletionStreamSink(sinkOptions);
          }
        : undefined;
  }

  /** Sends the request through the client's own method (in the call's span context) and follows its response. */
  send(): unknown {
    const call = this.call;
    let result: unknown;
    try {
      result = call.hasSpanContext ? call.run(invokeObserved, this) : this.invoke();
    } catch (err) {
      call.fail(err);
      throw err;
    }
    this.observe(result);
    return result;
  }

  /** The client's method with the app's arguments (the body possibly replaced). */
  invoke(): unknown {
    const { original, thisArg, sendBody, argc } = this;
    if (argc <= 1) return original.call(thisArg, sendBody);
    if (this.extra === undefined) return original.call(thisArg, sendBody, this.options);
    return original.call(thisArg, sendBody, this.options, ...this.extra);
  }

  private observe(result: unknown): void {
    const { call, instrumentation } = this;
    const recorder = instrumentation.callRecorder;
    try {
      if (!isObservableAPIPromise(result)) {
        recorder.reportInternalError('call', new Error('openai returned an unexpected value; the call is recorded without usage'));
        call.succeed();
        return;
      }
      observeAPIPromise(result, call, recorder, this);
    } catch (err) {
      recorder.reportInternalError('call', err);
      call.succeed();
    }
  }

  onParsed(value: unknown): void {
    const { call, op, body } = this;
    if (body.stream === true) this.instrumentation.observeStream(op, call, body, this.sendBody !== body, value);
    else {
      providerFromResponse(call, value);
      applyResponse(op, value, call.result, call.start.provider, this.instrumentation.callRecorder.captureContent);
      call.succeed();
    }
  }

  onUnparsed(): void {
    const { call, op, body } = this;
    call.result.usageEstimate = estimateUsage(op, body, call.result.responseModel ?? call.start.requestModel, undefined, 0);
    if (body.stream === true) call.endStream('abandoned');
    else call.succeed();
  }

  /**
   * The app takes the raw response: its raw body must be the one it asked for, so a request not yet
   * serialised goes out with the app's own `stream_options` (or none: JSON leaves out a field whose
   * value is `undefined`). One already sent is not changed.
   */
  onRawRequested(): void {
    if (this.sendBody !== this.body) this.sendBody.stream_options = this.appStreamOptions;
  }

  /**
   * Sends a copy of the body that asks for `stream_options.include_usage` (a {@link plainCopy}, the
   * field written after it); the field keeps its place where the app set one, so the serialised
   * request is otherwise the same.
   */
  injectStreamUsage(streamOptions: Obj | undefined | null): void {
    const body = this.body;
    const copy = plainCopy(body);
    let options: Obj = { include_usage: true };
    if (streamOptions) {
      options = plainCopy(streamOptions);
      options.include_usage = true;
    }
    copy.stream_options = options;
    this.appStreamOptions = Object.hasOwn(body, 'stream_options') ? streamOptions : undefined;
    this.sendBody = copy;
  }
}

/** {@link ObservedCreate.invoke} of `this`, for {@link GenAICall.run}. */
function invokeObserved(this: unknown): unknown {
  return (this as ObservedCreate).invoke();
}

/**
 * The model a request goes to: the body's `model`, except that `AzureOpenAI` clients created with
 * a `deployment` route deployment endpoints to that deployment whatever the body says, as the
 * client itself does.
 */
function requestModelOf(op: OpenAIOperation, client: Obj | undefined, azure: boolean, body: Obj): string {
  if (azure && op !== 'responses') {
    const deployment = client?.deploymentName;
    if (typeof deployment === 'string' && deployment) return deployment;
  }
  return typeof body.model === 'string' ? body.model : 'unknown';
}

/**
 * Output tokens a request allows (`max_completion_tokens`, `max_tokens`, `max_output_tokens`),
 * times the choices asked for; 0 for embeddings; `undefined` when the request sets no limit.
 */
function maxOutputTokens(op: OpenAIOperation, body: Obj): number | undefined {
  if (op === 'embeddings') return 0;
  const limit =
    op === 'responses' ? body.max_output_tokens : op === 'chat' ? (body.max_completion_tokens ?? body.max_tokens) : body.max_tokens;
  if (typeof limit !== 'number' || !(limit >= 0 && limit < Infinity)) return undefined;
  const n = op !== 'responses' && typeof body.n === 'number' && Number.isInteger(body.n) && body.n > 1 && body.n <= 128 ? body.n : 1;
  return Math.floor(limit) * n;
}
