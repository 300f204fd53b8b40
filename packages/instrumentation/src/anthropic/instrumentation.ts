import { context } from '@opentelemetry/api';
import { InstrumentationNodeModuleDefinition, InstrumentationNodeModuleFile, isWrapped } from '@opentelemetry/instrumentation';
import type { TokenomicsInstrumentationConfig } from '../config';
import { observeSdkStream } from '../genai/sdk-stream';
import type { GenAICall } from '../genai/recorder';
import { GenAIInstrumentation } from '../genai/genai-instrumentation';
import { isObservableAPIPromise, observeAPIPromise } from '../genai/api-promise';
import { endpointOf } from './endpoint';
import { estimateMessageUsage } from './estimate';
import { inputMessages, requestAttributes } from './request';
import { applyMessage } from './response';
import { filterClientCallSpans, recordedCallContext } from './sdk-call-spans';
import { MessageStreamSink } from './stream-sink';
import { budgetGate, getBudgetGuard, sendWhenAllowed } from '../genai/budget-guard';

/** Range of `@anthropic-ai/sdk` versions patched. */
export const ANTHROPIC_SUPPORTED_VERSIONS = ['>=0.20.0 <2'];

type Obj = Record<string, unknown>;
type Method = (this: unknown, ...args: unknown[]) => unknown;

interface MessagesClass {
  prototype: { create: Method; stream?: Method };
}

/**
 * The `messages` resource classes in a module's exports: the package entry (through its exported
 * client class) or its `resources/index` file (which the Bedrock and Vertex platform SDKs load
 * without the entry).
 */
function messagesClasses(moduleExports: unknown): MessagesClass[] {
  const exp = moduleExports as Obj | undefined;
  if (!exp) return [];
  const Anthropic = (exp.Anthropic ?? (exp.default as Obj | undefined)?.Anthropic ?? exp.default) as Obj | undefined;
  const found: MessagesClass[] = [];
  for (const holder of [Anthropic, exp]) {
    if (!holder) continue;
    for (const cls of [holder.Messages, (holder.Beta as Obj | undefined)?.Messages]) {
      if (
        typeof cls === 'function' &&
        typeof (cls as MessagesClass).prototype?.create === 'function' &&
        !found.includes(cls as MessagesClass)
      ) {
        found.push(cls as MessagesClass);
      }
    }
  }
  return found;
}

/**
 * Instruments the `@anthropic-ai/sdk` client library, 0.20 to 1.x, in both its CommonJS and ESM
 * builds: `messages.create` (streamed or not, and so `messages.parse()`, the `messages.stream()`
 * helper with `finalMessage()`, and tool runners), and the same methods of `beta.messages`.
 *
 * `messages.countTokens` is not recorded, by design: counting is free and bills no tokens, and a
 * GenAI span with usage would be counted as spend. The SDK's own span of a call we record
 * (`anthropic.messages.create`, SDK 1.x) is suppressed so that each call has exactly one GenAI span.
 */
export class AnthropicInstrumentation extends GenAIInstrumentation {
  private readonly enabledCheck = () => this.isEnabled();

  constructor(config: TokenomicsInstrumentationConfig = {}) {
    super('@tokenomics/instrumentation-anthropic', config);
  }

  protected init() {
    const patch = <T>(moduleExports: T): T => {
      for (const cls of messagesClasses(moduleExports)) {
        this.unpatchClass(cls);
        this.patchClass(cls);
      }
      return moduleExports;
    };
    const unpatch = (moduleExports: unknown): void => {
      for (const cls of messagesClasses(moduleExports)) this.unpatchClass(cls);
    };
    // `AnthropicBedrock` and `AnthropicVertex` build their resources from `resources/index` without
    // loading the package entry: patch the classes there too (the same classes the entry exports).
    const files = ['resources/index.js', 'resources/index.mjs'].map(
      (file) => new InstrumentationNodeModuleFile(`@anthropic-ai/sdk/${file}`, ANTHROPIC_SUPPORTED_VERSIONS, patch, unpatch),
    );
    return [new InstrumentationNodeModuleDefinition('@anthropic-ai/sdk', ANTHROPIC_SUPPORTED_VERSIONS, patch, unpatch, files)];
  }

  /**
   * Patches the module exports of an `@anthropic-ai/sdk` build loaded outside the module hooks
   * (for example a bundled copy). Returns the number of methods patched.
   */
  patchModule(moduleExports: unknown): number {
    let n = 0;
    for (const cls of messagesClasses(moduleExports)) {
      if (!isWrapped(cls.prototype.create)) n += this.patchClass(cls);
    }
    return n;
  }

  private patchClass(cls: MessagesClass): number {
    this._wrap(cls.prototype, 'create', (original: Method) => this.patchCreate(original));
    if (typeof cls.prototype.stream !== 'function') return 1;
    this._wrap(cls.prototype as { stream: Method }, 'stream', (original: Method) => this.patchStreamHelper(original));
    return 2;
  }

  private unpatchClass(cls: MessagesClass): void {
    if (isWrapped(cls.prototype.create)) this._unwrap(cls.prototype, 'create');
    if (isWrapped(cls.prototype.stream)) this._unwrap(cls.prototype as { stream: Method }, 'stream');
  }

  private patchCreate(original: Method): Method {
    const instrumentation = this;
    return function create(this: unknown, body: unknown, ...rest: unknown[]) {
      if (!body || typeof body !== 'object' || !instrumentation.isEnabled()) return original.call(this, body, ...rest);
      const call = instrumentation.startCall(this, body as Obj, rest[0]);
      if (!call) return original.call(this, body, ...rest);
      const send = (): unknown => {
        let result: unknown;
        try {
          // Metrics only (nothing to trace), no context is entered, as `GenAICall.run` does.
          result = call.hasSpanContext
            ? context.with(recordedCallContext(call.spanContext()), () => original.call(this, body, ...rest))
            : original.call(this, body, ...rest);
        } catch (err) {
          call.fail(err);
          throw err;
        }
        instrumentation.observe(call, body as Obj, result);
        return result;
      };
      // With budgets on, a call they count is sent once the guard has estimated it.
      const gate = instrumentation.budgetGateOf(call, body as Obj);
      return gate === undefined ? send() : sendWhenAllowed(call, gate, send);
    };
  }

  /** `messages.stream()` starts the SDK's span before it calls `create()`: filter the client's tracer first. */
  private patchStreamHelper(original: Method): Method {
    const instrumentation = this;
    return function stream(this: unknown, ...args: unknown[]) {
      if (instrumentation.isEnabled()) instrumentation.filterSdkSpans(this);
      return original.apply(this, args);
    };
  }

  private filterSdkSpans(resource: unknown): void {
    try {
      filterClientCallSpans((resource as { _client?: unknown } | null)?._client, this.enabledCheck);
    } catch (err) {
      this.recorder.reportInternalError('sdk spans', err);
    }
  }

  private budgetGateOf(call: GenAICall, body: Obj): Promise<void> | undefined {
    if (getBudgetGuard() === undefined) return undefined;
    try {
      const max = body.max_tokens;
      const output = typeof max === 'number' && max >= 0 && max < Infinity ? Math.floor(max) : undefined;
      return budgetGate(call, estimateMessageUsage(body, call.start.requestModel, undefined).job, output);
    } catch (err) {
      this.recorder.reportInternalError('budget', err);
      return undefined;
    }
  }

  private startCall(resource: unknown, body: Obj, options: unknown): GenAICall | undefined {
    const recorder = this.recorder;
    try {
      this.filterSdkSpans(resource);
      const endpoint = endpointOf((resource as { _client?: unknown } | null)?._client);
      return recorder.start({
        provider: endpoint.provider,
        operation: 'chat',
        requestModel: typeof body.model === 'string' ? body.model : 'unknown',
        serverAddress: endpoint.serverAddress,
        serverPort: endpoint.serverPort,
        attributes: requestAttributes(body, options),
        streaming: body.stream === true,
        inputMessages: () => inputMessages(body),
        inputEstimate: () => estimateMessageUsage(body, typeof body.model === 'string' ? body.model : 'unknown', undefined).job,
      });
    } catch (err) {
      recorder.reportInternalError('call start', err);
      return undefined;
    }
  }

  private observe(call: GenAICall, body: Obj, result: unknown): void {
    const recorder = this.recorder;
    try {
      if (!isObservableAPIPromise(result)) {
        recorder.reportInternalError(
          'call',
          new Error('@anthropic-ai/sdk returned an unexpected value; the call is recorded without usage'),
        );
        call.succeed();
        return;
      }
      observeAPIPromise(result, call, recorder, {
        onParsed: (value) => {
          if (body.stream === true) this.observeStream(call, body, value);
          else {
            applyMessage(value, call.result);
            call.succeed();
          }
        },
        onUnparsed: () => {
          call.result.usageEstimate = estimateMessageUsage(body, call.start.requestModel, undefined);
          if (body.stream === true) call.endStream('abandoned');
          else call.succeed();
        },
        createRawStreamSink: body.stream === true ? (isAborted) => new MessageStreamSink(call, body, isAborted) : undefined,
      });
    } catch (err) {
      recorder.reportInternalError('call', err);
      call.succeed();
    }
  }

  private observeStream(call: GenAICall, body: Obj, value: unknown): void {
    observeSdkStream(value, call, this.recorder, (isAborted) => new MessageStreamSink(call, body, isAborted));
  }
}
