import { context } from '@opentelemetry/api';
import { InstrumentationNodeModuleDefinition, isWrapped } from '@opentelemetry/instrumentation';
import { PROVIDER_AWS_BEDROCK } from '@tokenomics/contract/providers';
import type { TokenomicsInstrumentationConfig } from '../config';
import type { ChunkSink } from '../genai/observed-iterator';
import { observeIterations } from '../genai/sdk-stream';
import type { GenAICall } from '../genai/recorder';
import { GenAIInstrumentation } from '../genai/genai-instrumentation';
import * as sc from '../genai/semconv';
import {
  commandKind,
  estimationRequest,
  inputMessages,
  invokeRequestBody,
  isStreaming,
  operationName,
  parseJsonBytes,
  requestAttributes,
  type BedrockCommand,
} from './commands';
import { estimateUsage } from './estimate';
import {
  attachExchangeObserver,
  detachExchangeObserver,
  ensureExchangeMiddleware,
  withExchangeObserver,
  type HttpExchangeObserver,
} from './response-headers';
import { applyConverse, invokeBodyFacts, serviceTierOf } from './responses';
import { ConverseStreamSink, InvokeStreamSink, type StreamSinkOptions } from './stream-sinks';
import { headerUsage } from './usage';

/** Range of `@aws-sdk/client-bedrock-runtime` versions patched. */
export const BEDROCK_RUNTIME_SUPPORTED_VERSIONS = ['>=3.0.0 <4'];

const PROVIDER = PROVIDER_AWS_BEDROCK;

type Obj = Record<string, unknown>;
type SendFn = (this: unknown, ...args: unknown[]) => unknown;

interface ClientPrototype {
  send: SendFn;
}

/** The prototype of the `BedrockRuntimeClient` class the module exports (the aggregated `BedrockRuntime` extends it). */
function clientPrototype(moduleExports: unknown): ClientPrototype | undefined {
  const exp = moduleExports as Obj | undefined;
  const Client = (exp?.BedrockRuntimeClient ?? (exp?.default as Obj | undefined)?.BedrockRuntimeClient) as
    | { prototype?: ClientPrototype }
    | undefined;
  const proto = Client?.prototype;
  return proto && typeof proto.send === 'function' ? proto : undefined;
}

/** What one call learns from the HTTP exchanges the client makes for it. */
class ExchangeState implements HttpExchangeObserver {
  headers: Readonly<Record<string, unknown>> | undefined;

  constructor(private readonly call: GenAICall) {}

  onRequest(hostname: string | undefined, port: number | undefined): void {
    if (!hostname || this.call.isEnded) return;
    this.call.span.setAttribute(sc.ATTR_SERVER_ADDRESS, hostname);
    if (port) this.call.span.setAttribute(sc.ATTR_SERVER_PORT, port);
  }

  onResponse(headers: Readonly<Record<string, unknown>>): void {
    this.headers = headers;
  }
}

interface Started {
  kind: BedrockCommand;
  operation: string;
  call: GenAICall;
  exchange: ExchangeState;
  input: Obj;
  body: Obj | undefined;
}

/**
 * Instruments the AWS SDK for JavaScript v3 Bedrock Runtime client
 * (`@aws-sdk/client-bedrock-runtime`): `ConverseCommand`, `ConverseStreamCommand`,
 * `InvokeModelCommand` and `InvokeModelWithResponseStreamCommand` sent through
 * `BedrockRuntimeClient#send` (and so the aggregated `BedrockRuntime` client's methods), as
 * `aws.bedrock` calls priced by their `modelId`. Other commands pass through untouched.
 */
export class BedrockRuntimeInstrumentation extends GenAIInstrumentation {
  constructor(config: TokenomicsInstrumentationConfig = {}) {
    super('@tokenomics/instrumentation-bedrock-runtime', config);
  }

  protected init() {
    return [
      new InstrumentationNodeModuleDefinition(
        '@aws-sdk/client-bedrock-runtime',
        BEDROCK_RUNTIME_SUPPORTED_VERSIONS,
        (moduleExports: unknown) => {
          const proto = clientPrototype(moduleExports);
          if (proto) {
            if (isWrapped(proto.send)) this._unwrap(proto, 'send');
            this._wrap(proto, 'send', (original: SendFn) => this.patchSend(original));
          }
          return moduleExports;
        },
        (moduleExports: unknown) => {
          const proto = clientPrototype(moduleExports);
          if (proto && isWrapped(proto.send)) this._unwrap(proto, 'send');
        },
      ),
    ];
  }

  /**
   * Patches the module exports of a `@aws-sdk/client-bedrock-runtime` build loaded outside the
   * module hooks (for example a bundled copy). Returns the number of methods patched.
   */
  patchModule(moduleExports: unknown): number {
    const proto = clientPrototype(moduleExports);
    if (!proto || isWrapped(proto.send)) return 0;
    this._wrap(proto, 'send', (original: SendFn) => this.patchSend(original));
    return 1;
  }

  private patchSend(original: SendFn): SendFn {
    const instrumentation = this;
    return function send(this: unknown, ...args: unknown[]) {
      if (!instrumentation.isEnabled()) return original.apply(this, args);
      const started = instrumentation.startCall(this, args[0]);
      if (!started) return original.apply(this, args);
      const { call, exchange, input } = started;
      // Nothing to trace (metrics only): the middleware finds the call by its command's input, and
      // no context is entered (as `GenAICall.run` does); otherwise, or while a call with the same
      // input is in flight, by the call's context.
      const byInput = !call.hasSpanContext && attachExchangeObserver(input, exchange);
      const ctx = byInput ? undefined : withExchangeObserver(call.spanContext(), exchange);
      const invoke = (sendArgs: unknown[]): unknown =>
        ctx === undefined ? original.apply(this, sendArgs) : context.with(ctx, () => original.apply(this, sendArgs));
      const settled = (): void => {
        if (byInput) detachExchangeObserver(input, exchange);
      };
      const options = typeof args[1] === 'function' ? undefined : (args[1] as Obj | undefined);
      const isAborted = () => (options?.abortSignal as AbortSignal | undefined)?.aborted === true;
      const callbackAt = typeof args[1] === 'function' ? 1 : typeof args[2] === 'function' ? 2 : -1;
      if (callbackAt >= 0) {
        // Callback style: the callback gets the same error or output, after the call is recorded.
        const callback = args[callbackAt] as (this: unknown, ...cbArgs: unknown[]) => unknown;
        const sendArgs = args.slice();
        sendArgs[callbackAt] = function observedCallback(this: unknown, ...cbArgs: unknown[]) {
          settled();
          if (cbArgs[0]) call.fail(cbArgs[0]);
          else instrumentation.observeOutput(started, cbArgs[1], isAborted);
          return callback.apply(this, cbArgs);
        };
        try {
          return invoke(sendArgs);
        } catch (err) {
          settled();
          call.fail(err);
          throw err;
        }
      }
      let pending: unknown;
      try {
        pending = invoke(args);
      } catch (err) {
        settled();
        call.fail(err);
        throw err;
      }
      if (!pending || typeof (pending as Promise<unknown>).then !== 'function') {
        settled();
        instrumentation.recorder.reportInternalError(
          'call',
          new Error('BedrockRuntimeClient#send returned an unexpected value; the call is recorded without usage'),
        );
        call.succeed();
        return pending;
      }
      return (pending as Promise<unknown>).then(
        (output) => {
          settled();
          instrumentation.observeOutput(started, output, isAborted);
          return output;
        },
        (err: unknown) => {
          settled();
          call.fail(err);
          throw err;
        },
      );
    };
  }

  private startCall(client: unknown, command: unknown): Started | undefined {
    try {
      const kind = commandKind(command);
      if (!kind) return undefined;
      ensureExchangeMiddleware(client, (stage, err) => this.recorder.reportInternalError(stage, err));
      const input = (command as { input: Obj }).input;
      const modelId = input.modelId as string;
      const body = kind === 'InvokeModel' || kind === 'InvokeModelWithResponseStream' ? invokeRequestBody(input) : undefined;
      const operation = operationName(kind, modelId, body);
      const call = this.recorder.start({
        provider: PROVIDER,
        operation,
        requestModel: modelId,
        attributes: requestAttributes(kind, input, body),
        streaming: isStreaming(kind),
        inputMessages: () => inputMessages(kind, input, body),
      });
      return { kind, operation, call, exchange: new ExchangeState(call), input, body };
    } catch (err) {
      this.recorder.reportInternalError('call start', err);
      return undefined;
    }
  }

  /** Records what the output tells; never throws, never changes the output. */
  private observeOutput(started: Started, output: unknown, isAborted: () => boolean): void {
    const { kind, call } = started;
    try {
      switch (kind) {
        case 'Converse':
          applyConverse(output, call.result);
          call.succeed();
          return;
        case 'InvokeModel':
          this.applyInvokeModel(started, output);
          call.succeed();
          return;
        case 'ConverseStream':
        case 'InvokeModelWithResponseStream':
          this.observeStream(started, output, isAborted);
          return;
      }
    } catch (err) {
      this.recorder.reportInternalError('response', err);
      if (isStreaming(kind)) call.endStream('completed');
      else call.succeed();
    }
  }

  private applyInvokeModel(started: Started, output: unknown): void {
    const { call } = started;
    const result = call.result;
    const o = (output ?? {}) as Obj;
    const body = parseJsonBytes(o.body);
    const facts = body ? invokeBodyFacts(body) : { texts: [] as string[] };
    if (facts.finishReasons) result.finishReasons = facts.finishReasons;
    if (facts.responseId) result.responseId = facts.responseId;
    if (facts.responseModel) {
      result.responseModel = facts.responseModel;
      result.billedByRequestModel = true;
    }
    const tier = serviceTierOf(o.serviceTier);
    if (tier) result.serviceTier = tier;
    const usage = facts.usage ?? headerUsage(started.exchange.headers);
    if (usage) {
      result.usage = started.operation === 'embeddings' && usage.invalid === undefined ? { inputTokens: usage.inputTokens } : usage;
      result.usageEstimated = false;
    } else {
      // A request of a shape the estimator does not know: the generated text still counts.
      result.usageEstimate = estimateUsage(
        estimationRequest('InvokeModel', started.input, started.body),
        call.start.requestModel,
        facts.texts,
        {},
        false,
      );
    }
    const texts = facts.texts;
    result.outputMessages = () => [
      { role: 'assistant', parts: texts.map((content) => ({ type: 'text', content })), finish_reason: facts.finishReasons?.[0] },
    ];
  }

  private observeStream(started: Started, output: unknown, isAborted: () => boolean): void {
    const { kind, call } = started;
    const o = output as Obj | null;
    const iterable = (kind === 'ConverseStream' ? o?.stream : o?.body) as Obj | undefined;
    const originalIterator = iterable?.[Symbol.asyncIterator as unknown as string] as
      | ((...args: unknown[]) => AsyncIterator<unknown>)
      | undefined;
    if (!iterable || typeof originalIterator !== 'function') {
      this.recorder.reportInternalError('stream', new Error('unrecognised Bedrock stream; usage not recorded'));
      call.endStream('completed');
      return;
    }
    const tier = serviceTierOf(o?.serviceTier);
    if (tier) call.result.serviceTier = tier;
    const options: StreamSinkOptions = {
      call,
      estimationRequest: estimationRequest(kind, started.input, started.body),
      isAborted,
    };
    const sink: ChunkSink<unknown> = kind === 'ConverseStream' ? new ConverseStreamSink(options) : new InvokeStreamSink(options);
    // The app keeps the same stream object; iterating it yields the same events.
    observeIterations(iterable, Symbol.asyncIterator, call, this.recorder, sink);
  }
}
