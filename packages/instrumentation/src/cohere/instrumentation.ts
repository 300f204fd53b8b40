import { InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { OPERATION_CHAT, OPERATION_EMBEDDINGS, OPERATION_RERANK } from '@tokenomics/contract/operations';
import { PROVIDER_COHERE } from '@tokenomics/contract/providers';
import type { TokenomicsInstrumentationConfig } from '../config';
import type { GenAICall } from '../genai/recorder';
import {
  RequestMethodInstrumentation,
  type ClientServer,
  type KindedTarget,
  type MethodKinds,
  type RequestMethod,
} from '../genai/request-method-instrumentation';
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
type Kind = 'chat' | 'chat_stream' | 'embed' | 'rerank';
type Target = KindedTarget<Kind>;

/**
 * The `V2Client` methods that make one request each. The public ones (`chat`, `chatStream`,
 * `embed`, `rerank`) wrap these in the SDK's `HttpResponsePromise` (with `withRawResponse()`):
 * patching the inner ones leaves that object exactly as the SDK builds it.
 */
const METHODS: MethodKinds<Kind> = [
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

function v2ClientMethods(moduleExports: unknown): Target[] {
  const cls: unknown = (moduleExports as Obj | undefined)?.V2Client;
  const proto = typeof cls === 'function' ? (cls.prototype as Record<string, RequestMethod> | undefined) : undefined;
  if (!proto || typeof proto !== 'object') return [];
  return METHODS.filter(([method]) => typeof proto[method] === 'function').map(([method, kind]) => [proto, method, kind]);
}

/**
 * Instruments the Cohere TypeScript client (`cohere-ai` 7.13 and later, 8.x), CommonJS and ESM
 * apps alike: the v2 API's `chat` and `chatStream` (`chat`), `embed` (`embeddings`) and `rerank`
 * (`rerank`, billed per search unit). Provider `cohere`. Usage is what Cohere bills
 * (`meta.billed_units` / `usage.billed_units`), not the model's token counts.
 */
export class CohereInstrumentation extends RequestMethodInstrumentation<Target> {
  constructor(config: TokenomicsInstrumentationConfig = {}) {
    super('@tokenomics/instrumentation-cohere', config);
  }

  protected init() {
    return [
      new InstrumentationNodeModuleDefinition(LIBRARY, COHERE_SUPPORTED_VERSIONS, undefined, undefined, [
        this.clientModuleFile(V2_CLIENT_FILE, COHERE_SUPPORTED_VERSIONS),
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

  protected targets(moduleExports: unknown): Target[] {
    return v2ClientMethods(moduleExports);
  }

  protected observe([, , kind]: Target, original: RequestMethod): RequestMethod {
    return this.requestObserver(
      LIBRARY,
      original,
      (client, request) => this.startCall(kind, client, request),
      (call, request, rest, value) => {
        // `{ data, rawResponse }`: the parsed body (or the stream) and the HTTP response.
        const data = value && typeof value === 'object' ? (value as Obj).data : undefined;
        if (kind === 'chat_stream') this.observeStream(call, request, rest[0], data);
        else this.applyResponse(kind, call, request, data);
      },
    );
  }

  private startCall(kind: Kind, client: unknown, request: Obj): GenAICall | undefined {
    const chat = kind === 'chat' || kind === 'chat_stream';
    return this.startRequestCall(
      request,
      () => serverOf(client),
      () => ({
        provider: PROVIDER_COHERE,
        operation: OPERATIONS[kind],
        attributes: chat ? requestAttributes(request) : {},
        streaming: kind === 'chat_stream',
        inputMessages: () => (chat ? chatInputMessages(request.messages) : undefined),
      }),
    );
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
    if (!this.isFollowableStream(call, stream)) return;
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
function serverOf(client: unknown): ClientServer {
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
