import { context } from '@opentelemetry/api';
import { InstrumentationNodeModuleDefinition, InstrumentationNodeModuleFile, isWrapped } from '@opentelemetry/instrumentation';
import { OPERATION_CHAT, OPERATION_EMBEDDINGS, OPERATION_RERANK, PROVIDER_COHERE } from '@tokenomics/contract';
import type { TokenomicsInstrumentationConfig } from '../config';
import { GenAIInstrumentation } from '../genai/genai-instrumentation';
import { observePromise } from '../genai/promise-call';
import type { GenAICall } from '../genai/recorder';
import { observeIterations } from '../genai/sdk-stream';
import { chatInputMessages, textCallEstimate } from '../genai/text-estimate';
import { TextStreamSink, type StreamChunkInfo } from '../genai/text-stream-sink';
import { contentText, estimationMessages, requestAttributes } from './request';
import { cohereBilledUsage, field } from './usage';

/** Range of `cohere-ai` versions patched (the v2 client, `CohereClientV2`). */
export const COHERE_SUPPORTED_VERSIONS = ['>=7.13.0 <9'];

const LIBRARY = 'cohere-ai';
/** The file that defines `V2Client`, the class behind `CohereClientV2` and `CohereClient.v2`. */
const V2_CLIENT_FILE = 'cohere-ai/api/resources/v2/client/Client.js';

type Obj = Record<string, unknown>;
type AsyncFn = (this: unknown, request: unknown, ...rest: unknown[]) => unknown;
type Kind = 'chat' | 'chat_stream' | 'embed' | 'rerank';

/**
 * The `V2Client` methods that make one request each. The public ones (`chat`, `chatStream`,
 * `embed`, `rerank`) wrap these in the SDK's `HttpResponsePromise` (with `withRawResponse()`):
 * patching the inner ones leaves that object exactly as the SDK builds it.
 */
const METHODS: ReadonlyArray<readonly [method: string, kind: Kind]> = [
  ['__chat', 'chat'],
  ['__chatStream', 'chat_stream'],
  ['__embed', 'embed'],
  ['__rerank', 'rerank'],
];

const OPERATIONS: Readonly<Record<Kind, string>> = {
  chat: OPERATION_CHAT,
  chat_stream: OPERATION_CHAT,
  embed: OPERATION_EMBEDDINGS,
  rerank: OPERATION_RERANK,
};

function targets(moduleExports: unknown): Array<[Record<string, AsyncFn>, string, Kind]> {
  const cls: unknown = (moduleExports as Obj | undefined)?.V2Client;
  const proto = typeof cls === 'function' ? (cls.prototype as Record<string, AsyncFn> | undefined) : undefined;
  if (!proto || typeof proto !== 'object') return [];
  return METHODS.filter(([method]) => typeof proto[method] === 'function').map(([method, kind]) => [proto, method, kind]);
}

/**
 * Instruments the Cohere TypeScript client (`cohere-ai` 7.13 and later, 8.x), CommonJS and ESM
 * apps alike: the v2 API's `chat` and `chatStream` (`chat`), `embed` (`embeddings`) and `rerank`
 * (`rerank`, billed per search unit). Provider `cohere`. Usage is what Cohere bills
 * (`meta.billed_units` / `usage.billed_units`), not the model's token counts.
 */
export class CohereInstrumentation extends GenAIInstrumentation {
  constructor(config: TokenomicsInstrumentationConfig = {}) {
    super('@tokenomics/instrumentation-cohere', config);
  }

  protected init() {
    const patch = <T>(moduleExports: T): T => {
      this.patchTargets(moduleExports, true);
      return moduleExports;
    };
    const unpatch = (moduleExports: unknown): void => {
      for (const [proto, method] of targets(moduleExports)) {
        if (isWrapped(proto[method])) this._unwrap(proto, method);
      }
    };
    return [
      new InstrumentationNodeModuleDefinition(LIBRARY, COHERE_SUPPORTED_VERSIONS, undefined, undefined, [
        new InstrumentationNodeModuleFile(V2_CLIENT_FILE, COHERE_SUPPORTED_VERSIONS, patch, unpatch),
      ]),
    ];
  }

  /**
   * Patches the exports of `cohere-ai/api/resources/v2/client/Client.js` (its `V2Client` class)
   * loaded outside the module hooks, for example from a bundle. Returns the number of methods patched.
   */
  patchModule(v2ClientExports: unknown): number {
    return this.patchTargets(v2ClientExports, false);
  }

  private patchTargets(moduleExports: unknown, replace: boolean): number {
    let n = 0;
    for (const [proto, method, kind] of targets(moduleExports)) {
      if (isWrapped(proto[method])) {
        if (!replace) continue;
        this._unwrap(proto, method);
      }
      this._wrap(proto, method, (original: AsyncFn) => this.patch(kind, original));
      n++;
    }
    return n;
  }

  private patch(kind: Kind, original: AsyncFn): AsyncFn {
    const instrumentation = this;
    return function observed(this: unknown, request: unknown, ...rest: unknown[]) {
      if (!request || typeof request !== 'object' || !instrumentation.isEnabled()) return original.call(this, request, ...rest);
      const call = instrumentation.startCall(kind, this, request as Obj);
      if (!call) return original.call(this, request, ...rest);
      let pending: unknown;
      try {
        pending = context.with(call.spanContext(), () => original.call(this, request, ...rest));
      } catch (err) {
        call.fail(err);
        throw err;
      }
      return observePromise(call, instrumentation.recorder, LIBRARY, pending, (value) => {
        // `{ data, rawResponse }`: the parsed body (or the stream) and the HTTP response.
        const data = value && typeof value === 'object' ? (value as Obj).data : undefined;
        if (kind === 'chat_stream') instrumentation.observeStream(call, request as Obj, rest[0], data);
        else instrumentation.applyResponse(kind, call, request as Obj, data);
      });
    };
  }

  private startCall(kind: Kind, client: unknown, request: Obj): GenAICall | undefined {
    try {
      const server = serverOf(client);
      return this.recorder.start({
        provider: PROVIDER_COHERE,
        operation: OPERATIONS[kind],
        requestModel: typeof request.model === 'string' && request.model ? request.model : 'unknown',
        serverAddress: server.address,
        serverPort: server.port,
        attributes: kind === 'chat' || kind === 'chat_stream' ? requestAttributes(request) : {},
        streaming: kind === 'chat_stream',
        inputMessages: () => (kind === 'chat' || kind === 'chat_stream' ? chatInputMessages(request.messages) : undefined),
      });
    } catch (err) {
      this.recorder.reportInternalError('call start', err);
      return undefined;
    }
  }

  private applyResponse(kind: Kind, call: GenAICall, request: Obj, data: unknown): void {
    const result = call.result;
    const id = field(data, 'id');
    if (typeof id === 'string' && id) result.responseId = id;
    if (kind === 'embed' || kind === 'rerank') {
      const usage = cohereBilledUsage(field(data, 'meta'));
      if (usage) result.usage = usage;
      else if (kind === 'embed') result.usageEstimate = textCallEstimate(call.start.requestModel, embedRequest(request), undefined);
      return;
    }
    const reason = field(data, 'finishReason', 'finish_reason');
    if (typeof reason === 'string') result.finishReasons = [reason];
    const text = contentText(field(field(data, 'message'), 'content'));
    const usage = cohereBilledUsage(field(data, 'usage'));
    if (usage) result.usage = usage;
    else result.usageEstimate = textCallEstimate(call.start.requestModel, chatRequest(request), text);
    result.outputMessages = () => [{ role: 'assistant', parts: [{ type: 'text', content: text }], finish_reason: reason }];
  }

  private observeStream(call: GenAICall, request: Obj, options: unknown, stream: unknown): void {
    if (
      !stream ||
      typeof stream !== 'object' ||
      typeof (stream as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function'
    ) {
      this.recorder.reportInternalError('stream', new Error('unrecognised stream object; usage not recorded'));
      call.endStream('completed');
      return;
    }
    const signal = (options as { abortSignal?: { aborted?: unknown } } | null | undefined)?.abortSignal;
    const sink = new TextStreamSink({
      call,
      readChunk: readCohereEvent,
      estimate: (text) => textCallEstimate(call.start.requestModel, chatRequest(request), text),
      isAborted: () => signal?.aborted === true,
    });
    observeIterations(stream, Symbol.asyncIterator, call, this.recorder, sink);
  }
}

/** One event of a v2 chat stream: `message-start`, `content-delta`, `tool-call-delta`, `message-end`, ... */
function readCohereEvent(event: unknown): StreamChunkInfo | undefined {
  if (!event || typeof event !== 'object') return undefined;
  const type = field(event, 'type');
  const delta = field(event, 'delta');
  switch (type) {
    case 'message-start': {
      const id = field(event, 'id');
      return typeof id === 'string' && id ? { responseId: id } : undefined;
    }
    case 'content-delta': {
      const text = field(field(field(delta, 'message'), 'content'), 'text');
      return typeof text === 'string' ? { text } : undefined;
    }
    case 'tool-plan-delta': {
      const plan = field(field(delta, 'message'), 'toolPlan', 'tool_plan');
      return typeof plan === 'string' ? { text: plan } : undefined;
    }
    case 'tool-call-delta': {
      const args = field(field(field(field(delta, 'message'), 'toolCalls', 'tool_calls'), 'function'), 'arguments');
      return typeof args === 'string' ? { text: args } : undefined;
    }
    case 'message-end': {
      const info: StreamChunkInfo = {};
      const reason = field(delta, 'finishReason', 'finish_reason');
      if (typeof reason === 'string') info.finishReason = reason;
      const usage = cohereBilledUsage(field(delta, 'usage'));
      if (usage) info.usage = usage;
      return info;
    }
    default:
      return undefined;
  }
}

function chatRequest(request: Obj): unknown {
  const messages = estimationMessages(request.messages);
  return messages ? { messages } : undefined;
}

function embedRequest(request: Obj): unknown {
  const texts = request.texts;
  return Array.isArray(texts) && texts.every((t) => typeof t === 'string') ? { input: texts } : undefined;
}

/** Server of a `V2Client`: its `baseUrl` or `environment` option when a plain string, else Cohere's API. */
function serverOf(client: unknown): { address?: string | undefined; port?: number | undefined } {
  const options = (client as { _options?: Obj } | null)?._options;
  const base = options?.baseUrl ?? options?.environment;
  const href = typeof base === 'string' ? base : base === undefined ? 'https://api.cohere.com' : undefined;
  if (href === undefined) return {};
  try {
    const url = new URL(href);
    return { address: url.hostname, port: url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443 };
  } catch {
    return {};
  }
}
