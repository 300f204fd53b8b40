import type { Attributes } from '@opentelemetry/api';
import { OPERATION_CHAT, OPERATION_EMBEDDINGS, OPERATION_TEXT_COMPLETION } from '@tokenomics/contract/operations';
import { PROVIDER_OLLAMA } from '@tokenomics/contract/providers';
import type { TokenomicsInstrumentationConfig } from '../config';
import type { GenAICall } from '../genai/recorder';
import {
  RequestMethodInstrumentation,
  type ClientServer,
  type KindedTarget,
  type MethodKinds,
  type RequestMethod,
} from '../genai/request-method-instrumentation';
import { samplingAttributes } from '../genai/sampling-attributes';
import { observeIterations } from '../genai/sdk-stream';
import { chatInputMessages, textCallEstimate } from '../genai/text-estimate';
import { TextStreamSink, type StreamChunkInfo } from '../genai/text-stream-sink';
import { ollamaUsage, own } from './usage';

/** Range of `ollama` (ollama-js) versions patched. */
export const OLLAMA_SUPPORTED_VERSIONS = ['>=0.5.0 <1'];

const LIBRARY = 'ollama';

type Obj = Record<string, unknown>;
type Kind = 'chat' | 'generate' | 'embed' | 'embeddings';
type Target = KindedTarget<Kind>;

/** The client methods that make one request each, and what they are. `embeddings` is the legacy `/api/embeddings`. */
const METHODS: MethodKinds<Kind> = [
  ['chat', 'chat'],
  ['generate', 'generate'],
  ['embed', 'embed'],
  ['embeddings', 'embeddings'],
];

const OPERATIONS: Readonly<Record<Kind, string>> = {
  chat: OPERATION_CHAT,
  generate: OPERATION_TEXT_COMPLETION,
  embed: OPERATION_EMBEDDINGS,
  embeddings: OPERATION_EMBEDDINGS,
};

/**
 * The prototypes that define the methods: the Node `Ollama` class extends the browser one, which
 * defines `chat`, `generate` and the others. Found from the exported class or the default instance.
 */
function ollamaMethods(moduleExports: unknown): Target[] {
  const exp = moduleExports as Obj | undefined;
  let cls: unknown = exp?.Ollama;
  if (typeof cls !== 'function') {
    const instance = exp?.default;
    cls = instance && typeof instance === 'object' ? (instance as object).constructor : undefined;
  }
  if (typeof cls !== 'function') return [];
  const found: Target[] = [];
  for (const [method, kind] of METHODS) {
    let proto: object | null = cls.prototype as object;
    while (proto && proto !== Object.prototype && !Object.hasOwn(proto, method)) proto = Object.getPrototypeOf(proto) as object | null;
    if (proto && proto !== Object.prototype && typeof (proto as Record<string, unknown>)[method] === 'function') {
      found.push([proto as Record<string, RequestMethod>, method, kind]);
    }
  }
  return found;
}

/**
 * Instruments the Ollama JavaScript client (`ollama` 0.5 and later), CommonJS and ESM builds:
 * `chat` (`chat`), `generate` (`text_completion`), `embed` and the legacy `embeddings`
 * (`embeddings`), streamed or not. Provider `ollama`. Usage is `prompt_eval_count` /
 * `eval_count`, which a stream reports in its final `done: true` object. Local models have no list
 * price: calls are unpriced (`unknown_provider` or `unknown_model`) unless a price override gives
 * the model a rate, per token or per GPU hour.
 */
export class OllamaInstrumentation extends RequestMethodInstrumentation<Target> {
  constructor(config: TokenomicsInstrumentationConfig = {}) {
    super('@tokenomics/instrumentation-ollama', config);
  }

  protected init() {
    return [this.clientModule(LIBRARY, OLLAMA_SUPPORTED_VERSIONS)];
  }

  /**
   * Patches the module exports of an `ollama` build loaded outside the module hooks (for example a
   * bundled copy, or `ollama/browser`). Returns the number of methods patched.
   */
  patchModule(moduleExports: unknown): number {
    return this.patchTargets(moduleExports, false);
  }

  protected targets(moduleExports: unknown): Target[] {
    return ollamaMethods(moduleExports);
  }

  protected observe([, , kind]: Target, original: RequestMethod): RequestMethod {
    return this.requestObserver(
      LIBRARY,
      original,
      (client, request) => this.startCall(kind, (kind === 'chat' || kind === 'generate') && request.stream === true, client, request),
      (call, request, _rest, value) => {
        if (call.start.streaming) this.observeStream(kind, call, request, value);
        else this.applyResponse(kind, call, request, value);
      },
    );
  }

  private startCall(kind: Kind, streaming: boolean, client: unknown, request: Obj): GenAICall | undefined {
    return this.startRequestCall(
      request,
      () => serverOf(client),
      () => ({
        provider: PROVIDER_OLLAMA,
        operation: OPERATIONS[kind],
        attributes: requestAttributes(request),
        streaming,
        inputMessages: () => (kind === 'chat' ? chatInputMessages(request.messages) : undefined),
      }),
    );
  }

  private applyResponse(kind: Kind, call: GenAICall, request: Obj, response: unknown): void {
    const result = call.result;
    const model = own(response, 'model');
    if (typeof model === 'string' && model) result.responseModel = model;
    const embedding = kind === 'embed' || kind === 'embeddings';
    const usage = ollamaUsage(response, embedding);
    if (embedding) {
      if (usage) result.usage = usage;
      else result.usageEstimate = textCallEstimate(call.start.requestModel, estimationRequest(kind, request), undefined);
      return;
    }
    const reason = own(response, 'done_reason');
    if (typeof reason === 'string' && reason) result.finishReasons = [reason];
    const text = generatedText(response);
    if (usage) result.usage = usage;
    else result.usageEstimate = textCallEstimate(call.start.requestModel, estimationRequest(kind, request), text);
    result.outputMessages = () => [{ role: 'assistant', parts: [{ type: 'text', content: text }], finish_reason: reason }];
  }

  private observeStream(kind: Kind, call: GenAICall, request: Obj, stream: unknown): void {
    if (!this.isFollowableStream(call, stream)) return;
    // Held, not the stream: the sink is held by the abandoned-stream registry, which must not keep the stream alive.
    const controller = (stream as { abortController?: { signal?: { aborted?: unknown } } }).abortController;
    const sink = new TextStreamSink({
      call,
      readChunk: readOllamaChunk,
      estimate: (text) => textCallEstimate(call.start.requestModel, estimationRequest(kind, request), text),
      isAborted: () => controller?.signal?.aborted === true,
    });
    observeIterations(stream, Symbol.asyncIterator, call, this.recorder, sink);
  }
}

/** One NDJSON object of a stream: text in `message.content` / `response`, counts on the `done: true` one. */
function readOllamaChunk(chunk: unknown): StreamChunkInfo | undefined {
  if (!chunk || typeof chunk !== 'object') return undefined;
  const info: StreamChunkInfo = { text: generatedText(chunk) };
  const model = own(chunk, 'model');
  if (typeof model === 'string' && model) info.responseModel = model;
  if (own(chunk, 'done') === true) {
    const reason = own(chunk, 'done_reason');
    if (typeof reason === 'string' && reason) info.finishReason = reason;
    const usage = ollamaUsage(chunk);
    if (usage) info.usage = usage;
  }
  return info;
}

/** Text generated in a chat message (content, thinking, tool-call arguments) or a generate `response`. */
function generatedText(value: unknown): string {
  const response = own(value, 'response');
  if (typeof response === 'string') return response + stringOf(own(value, 'thinking'));
  const message = own(value, 'message');
  let text = stringOf(own(message, 'content')) + stringOf(own(message, 'thinking'));
  const calls = own(message, 'tool_calls');
  if (Array.isArray(calls)) {
    for (const c of calls) {
      try {
        text += JSON.stringify(own(own(c, 'function'), 'arguments') ?? '');
      } catch {
        /* arguments that do not serialise add nothing */
      }
    }
  }
  return text;
}

function stringOf(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The request in a shape the token estimator knows. */
function estimationRequest(kind: Kind, request: Obj): unknown {
  switch (kind) {
    case 'chat':
      return { messages: request.messages, tools: request.tools };
    case 'generate': {
      const parts = [request.system, request.prompt, request.suffix].filter((p): p is string => typeof p === 'string' && p.length > 0);
      return { prompt: parts };
    }
    case 'embed':
      return request.input === undefined ? undefined : { input: request.input };
    case 'embeddings':
      return typeof request.prompt === 'string' ? { input: request.prompt } : undefined;
  }
}

/** `gen_ai.request.*` attributes from the request's `options` (Ollama's model parameters). */
function requestAttributes(request: Obj): Attributes {
  const options = own(request, 'options');
  if (!options || typeof options !== 'object') return {};
  return samplingAttributes({
    maxTokens: own(options, 'num_predict'),
    temperature: own(options, 'temperature'),
    topP: own(options, 'top_p'),
    topK: own(options, 'top_k'),
    seed: own(options, 'seed'),
    stop: own(options, 'stop'),
  });
}

/** Server of an `Ollama` client: its `config.host`. */
function serverOf(client: unknown): ClientServer {
  const host = (client as { config?: { host?: unknown } } | null)?.config?.host;
  if (typeof host !== 'string' || host === '') return {};
  try {
    const url = new URL(host);
    return { address: url.hostname, port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80 };
  } catch {
    return {};
  }
}
