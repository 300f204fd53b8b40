import { OPERATION_CHAT, OPERATION_EMBEDDINGS, OPERATION_TEXT_COMPLETION } from '@tokenomics/contract/operations';
import { PROVIDER_MISTRAL_AI } from '@tokenomics/contract/providers';
import type { TokenomicsInstrumentationConfig } from '../config';
import type { GenAICall } from '../genai/recorder';
import { RequestMethodInstrumentation, type ClientServer, type RequestMethod } from '../genai/request-method-instrumentation';
import { observeIterations } from '../genai/sdk-stream';
import { chatInputMessages, textCallEstimate } from '../genai/text-estimate';
import { TextStreamSink, type StreamChunkInfo } from '../genai/text-stream-sink';
import { contentText, requestAttributes } from './request';
import { observeReader } from './stream-reader';
import { mistralUsage, own } from './usage';

/** Range of `@mistralai/mistralai` versions patched (the Speakeasy-generated client, 1.x and 2.x). */
export const MISTRAL_SUPPORTED_VERSIONS = ['>=1.0.0 <3'];

const LIBRARY = '@mistralai/mistralai';

type Obj = Record<string, unknown>;
type Kind = 'chat' | 'fim' | 'embed';

/**
 * The methods patched: `[resource getter of the Mistral client, method, kind, streams]`. Each makes
 * exactly one request; `parse`/`parseStream` call the request functions directly, not `complete`/
 * `stream`, so patching all of them records each call once.
 */
const METHODS: ReadonlyArray<readonly [resource: string, method: string, kind: Kind, stream: boolean]> = [
  ['chat', 'complete', 'chat', false],
  ['chat', 'stream', 'chat', true],
  ['chat', 'parse', 'chat', false],
  ['chat', 'parseStream', 'chat', true],
  ['fim', 'complete', 'fim', false],
  ['fim', 'stream', 'fim', true],
  ['embeddings', 'create', 'embed', false],
];

const OPERATIONS: Readonly<Record<Kind, string>> = {
  chat: OPERATION_CHAT,
  fim: OPERATION_TEXT_COMPLETION,
  embed: OPERATION_EMBEDDINGS,
};

type Target = [proto: Record<string, RequestMethod>, method: string, kind: Kind, stream: boolean];

/** Resource prototypes found per client class (the probe below runs once per class). */
const PROTOTYPES = new WeakMap<object, Map<string, Record<string, RequestMethod> | undefined>>();

/**
 * The prototype of the class a `Mistral` resource getter (`chat`, `fim`, `embeddings`) returns.
 * The resource classes are not exported: the getter is run once on a bare object inheriting from
 * the client's prototype, which builds a resource object with default options (no I/O) and tells
 * its class.
 */
function resourcePrototype(client: { prototype: object }, resource: string): Record<string, RequestMethod> | undefined {
  let byName = PROTOTYPES.get(client);
  if (!byName) {
    byName = new Map();
    PROTOTYPES.set(client, byName);
  }
  if (byName.has(resource)) return byName.get(resource);
  let proto: Record<string, RequestMethod> | undefined;
  try {
    const getter = Object.getOwnPropertyDescriptor(client.prototype, resource)?.get;
    const instance = getter ? (getter.call(Object.create(client.prototype)) as object | null) : undefined;
    const found = instance && typeof instance === 'object' ? Object.getPrototypeOf(instance) : undefined;
    proto = found && found !== Object.prototype ? (found as Record<string, RequestMethod>) : undefined;
  } catch {
    proto = undefined;
  }
  byName.set(resource, proto);
  return proto;
}

/** The prototype methods to patch, from the module's exported `Mistral` client class. */
function mistralMethods(moduleExports: unknown): Target[] {
  const exp = moduleExports as Obj | undefined;
  const client: unknown = exp?.Mistral ?? (exp?.default as Obj | undefined)?.Mistral;
  if (typeof client !== 'function' || !client.prototype) return [];
  const found: Target[] = [];
  for (const [resource, method, kind, stream] of METHODS) {
    const proto = resourcePrototype(client as { prototype: object }, resource);
    if (proto && Object.hasOwn(proto, method) && typeof proto[method] === 'function') found.push([proto, method, kind, stream]);
  }
  return found;
}

/**
 * Instruments the Mistral AI TypeScript client (`@mistralai/mistralai` 1.x and 2.x, an ES module
 * package, loaded with `import` or with `require()` of ES modules): `chat.complete`, `chat.stream`,
 * `chat.parse`, `chat.parseStream` (`chat`), `fim.complete` and `fim.stream` (`text_completion`),
 * `embeddings.create` (`embeddings`). Provider `mistral_ai`. Streams are followed through their
 * async iteration (`for await`) or their first `getReader()`; usage comes with the last chunk.
 */
export class MistralInstrumentation extends RequestMethodInstrumentation<Target> {
  constructor(config: TokenomicsInstrumentationConfig = {}) {
    super('@tokenomics/instrumentation-mistral', config);
  }

  protected init() {
    return [this.clientModule(LIBRARY, MISTRAL_SUPPORTED_VERSIONS)];
  }

  /**
   * Patches the module exports of an `@mistralai/mistralai` build loaded outside the module hooks
   * (for example a bundled copy). Returns the number of methods patched.
   */
  patchModule(moduleExports: unknown): number {
    return this.patchTargets(moduleExports, false);
  }

  protected targets(moduleExports: unknown): Target[] {
    return mistralMethods(moduleExports);
  }

  protected observe([, , kind, stream]: Target, original: RequestMethod): RequestMethod {
    return this.requestObserver(
      LIBRARY,
      original,
      (resource, request) => this.startCall(kind, stream, resource, request),
      (call, request, rest, value) => {
        if (stream) this.observeStream(kind, call, request, rest[0], value);
        else this.applyResponse(kind, call, request, value);
      },
    );
  }

  private startCall(kind: Kind, stream: boolean, resource: unknown, request: Obj): GenAICall | undefined {
    return this.startRequestCall(
      request,
      () => serverOf(resource),
      () => ({
        provider: PROVIDER_MISTRAL_AI,
        operation: OPERATIONS[kind],
        attributes: requestAttributes(request),
        streaming: stream,
        inputMessages: () => (kind === 'chat' ? chatInputMessages(request.messages) : undefined),
      }),
    );
  }

  private applyResponse(kind: Kind, call: GenAICall, request: Obj, response: unknown): void {
    const r = response && typeof response === 'object' ? (response as Obj) : {};
    const result = call.result;
    if (typeof r.model === 'string' && r.model) result.responseModel = r.model;
    if (typeof r.id === 'string' && r.id) result.responseId = r.id;
    const usage = mistralUsage(own(r, 'usage'));
    if (kind === 'embed') {
      // Embeddings report `completion_tokens: 0`: an embedding call has input tokens only.
      if (usage) delete usage.outputTokens;
      if (usage && (usage.inputTokens !== undefined || usage.invalid !== undefined)) result.usage = usage;
      else result.usageEstimate = textCallEstimate(call.start.requestModel, estimationRequest(kind, request), undefined);
      return;
    }
    const choices = Array.isArray(r.choices) ? (r.choices as Array<Obj | null>) : [];
    const reasons: string[] = [];
    let text = '';
    for (const choice of choices) {
      if (!choice || typeof choice !== 'object') continue;
      const reason = choice.finishReason ?? choice.finish_reason;
      if (typeof reason === 'string') reasons.push(reason);
      text += contentText((choice.message as Obj | undefined)?.content);
    }
    if (reasons.length > 0) result.finishReasons = reasons;
    if (usage) result.usage = usage;
    else result.usageEstimate = textCallEstimate(call.start.requestModel, estimationRequest(kind, request), text);
    result.outputMessages = () => [{ role: 'assistant', parts: [{ type: 'text', content: text }], finish_reason: reasons[0] }];
  }

  private observeStream(kind: Kind, call: GenAICall, request: Obj, options: unknown, value: unknown): void {
    if (!this.isFollowableStream(call, value)) return;
    const signal = abortSignalOf(options);
    const sink = new TextStreamSink({
      call,
      readChunk: readMistralChunk,
      estimate: (text) => textCallEstimate(call.result.responseModel ?? call.start.requestModel, estimationRequest(kind, request), text),
      isAborted: () => signal?.aborted === true,
    });
    observeIterations(value, Symbol.asyncIterator, call, this.recorder, sink);
    observeReader(value, call, this.recorder, sink);
  }
}

/** One server-sent event of a Mistral stream: `{ data: CompletionChunk }`. */
function readMistralChunk(event: unknown): StreamChunkInfo | undefined {
  const data = event && typeof event === 'object' ? (event as Obj).data : undefined;
  if (!data || typeof data !== 'object') return undefined;
  const d = data as Obj;
  const info: StreamChunkInfo = {};
  if (typeof d.model === 'string' && d.model) info.responseModel = d.model;
  if (typeof d.id === 'string' && d.id) info.responseId = d.id;
  const usage = mistralUsage(own(d, 'usage'));
  if (usage) info.usage = usage;
  const choice = Array.isArray(d.choices) ? (d.choices[0] as Obj | null | undefined) : undefined;
  if (choice && typeof choice === 'object') {
    const reason = choice.finishReason ?? choice.finish_reason;
    if (typeof reason === 'string') info.finishReason = reason;
    const delta = choice.delta as Obj | null | undefined;
    if (delta && typeof delta === 'object') {
      info.text = contentText(delta.content);
      const calls = delta.toolCalls ?? delta.tool_calls;
      if (Array.isArray(calls)) {
        for (const c of calls as Array<Obj | null>) {
          const args = (c?.function as Obj | undefined)?.arguments;
          if (typeof args === 'string') info.text += args;
        }
      }
    }
  }
  return info;
}

/** The request in a shape the token estimator knows. */
function estimationRequest(kind: Kind, request: Obj): unknown {
  if (kind === 'chat') return { messages: request.messages, tools: request.tools };
  if (kind === 'fim') {
    const parts = [request.prompt, request.suffix].filter((p): p is string => typeof p === 'string' && p.length > 0);
    return { prompt: parts };
  }
  const inputs = request.inputs ?? request.input;
  return inputs === undefined ? undefined : { input: inputs };
}

/** The abort signal of the request options (`signal`, or `fetchOptions.signal`). */
function abortSignalOf(options: unknown): AbortSignal | undefined {
  if (!options || typeof options !== 'object') return undefined;
  const o = options as { signal?: unknown; fetchOptions?: { signal?: unknown } };
  const signal = o.signal ?? o.fetchOptions?.signal;
  return signal && typeof signal === 'object' && typeof (signal as AbortSignal).aborted === 'boolean' ? (signal as AbortSignal) : undefined;
}

/** Server address and port of a resource object (its `_baseURL`). */
function serverOf(resource: unknown): ClientServer {
  const base = (resource as { _baseURL?: unknown } | null)?._baseURL;
  let url: URL | undefined;
  try {
    url = base instanceof URL ? base : typeof base === 'string' ? new URL(base) : undefined;
  } catch {
    url = undefined;
  }
  if (!url) return {};
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : url.protocol === 'http:' ? 80 : undefined;
  return { address: url.hostname, port };
}
