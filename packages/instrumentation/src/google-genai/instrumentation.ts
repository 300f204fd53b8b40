import { InstrumentationNodeModuleDefinition, isWrapped } from '@opentelemetry/instrumentation';
import type { TokenomicsInstrumentationConfig } from '../config';
import { abandonedStreams } from '../genai/abandoned-streams';
import { ObservedIterator } from '../genai/observed-iterator';
import type { GenAICall } from '../genai/recorder';
import { GenAIInstrumentation } from '../genai/genai-instrumentation';
import { geminiEndpoint } from './endpoint';
import { estimateGeminiUsage } from './estimate';
import { abortSignalOf, inputMessages, modelId, requestAttributes, type GeminiOperation } from './request';
import { applyGenerateContent, candidateTexts, embeddingInputTokens, finishReasons, outputMessages } from './response';
import { GenerateContentStreamSink } from './stream-sink';

/** Range of `@google/genai` versions patched. */
export const GOOGLE_GENAI_SUPPORTED_VERSIONS = ['>=1.0.0 <4'];

type Obj = Record<string, unknown>;
type AsyncFn = (this: unknown, params: unknown, ...rest: unknown[]) => unknown;
type Kind = 'generate' | 'stream' | 'embed';

/**
 * The `Models` methods that each make exactly one request. The public methods
 * (`generateContent`, `generateContentStream`, `embedContent` from 2.x) are per-instance arrow
 * functions that call these, possibly several times (automatic function calling, continuation),
 * and chats call the public methods: patching these gives one span per request.
 */
const METHODS: ReadonlyArray<readonly [name: string, kind: Kind]> = [
  ['generateContentInternal', 'generate'],
  ['generateContentStreamInternal', 'stream'],
  ['embedContentInternal', 'embed'],
];

type ModelsPrototype = Record<string, AsyncFn>;

/** The prototype methods to patch on the `Models` class the module exports, with their kind. */
function targets(moduleExports: unknown): Array<[ModelsPrototype, string, Kind]> {
  const exp = moduleExports as Obj | undefined;
  const Models = (exp?.Models ?? (exp?.default as Obj | undefined)?.Models) as { prototype?: Partial<ModelsPrototype> } | undefined;
  const proto = Models?.prototype as ModelsPrototype | undefined;
  if (!proto || typeof proto !== 'object') return [];
  const found: Array<[ModelsPrototype, string, Kind]> = [];
  for (const [name, kind] of METHODS) {
    if (typeof proto[name] === 'function') found.push([proto, name, kind]);
  }
  // 1.x before `embedContentInternal`: `embedContent` is a prototype method making one request.
  if (
    typeof proto.embedContentInternal !== 'function' &&
    Object.hasOwn(proto, 'embedContent') &&
    typeof proto.embedContent === 'function'
  ) {
    found.push([proto, 'embedContent', 'embed']);
  }
  return found;
}

/**
 * Instruments the Google Gen AI SDK (`@google/genai`, 1.x and 2.x), CommonJS and ESM builds:
 * `models.generateContent`, `models.generateContentStream`, `models.embedContent` and chats, one
 * span per request. Gemini API clients report `gcp.gemini`, Vertex AI clients (`vertexai: true`)
 * `gcp.vertex_ai`.
 */
export class GoogleGenAIInstrumentation extends GenAIInstrumentation {
  constructor(config: TokenomicsInstrumentationConfig = {}) {
    super('@tokenomics/instrumentation-google-genai', config);
  }

  protected init() {
    return [
      new InstrumentationNodeModuleDefinition(
        '@google/genai',
        GOOGLE_GENAI_SUPPORTED_VERSIONS,
        (moduleExports: unknown) => {
          for (const [proto, name, kind] of targets(moduleExports)) {
            if (isWrapped(proto[name])) this._unwrap(proto, name);
            this._wrap(proto, name, (original: AsyncFn) => this.patch(kind, original));
          }
          return moduleExports;
        },
        (moduleExports: unknown) => {
          for (const [proto, name] of targets(moduleExports)) {
            if (isWrapped(proto[name])) this._unwrap(proto, name);
          }
        },
      ),
    ];
  }

  /**
   * Patches the module exports of an `@google/genai` build loaded outside the module hooks (for
   * example a bundled copy). Returns the number of methods patched.
   */
  patchModule(moduleExports: unknown): number {
    let n = 0;
    for (const [proto, name, kind] of targets(moduleExports)) {
      if (isWrapped(proto[name])) continue;
      this._wrap(proto, name, (original: AsyncFn) => this.patch(kind, original));
      n++;
    }
    return n;
  }

  private patch(kind: Kind, original: AsyncFn): AsyncFn {
    const instrumentation = this;
    return function observed(this: unknown, params: unknown, ...rest: unknown[]) {
      if (!params || typeof params !== 'object' || !instrumentation.isEnabled()) {
        return original.call(this, params, ...rest);
      }
      const call = instrumentation.startCall(kind, this, params as Obj);
      if (!call) return original.call(this, params, ...rest);
      let pending: unknown;
      try {
        pending = call.run(original, this, params, ...rest);
      } catch (err) {
        call.fail(err);
        throw err;
      }
      return instrumentation.observe(kind, call, params as Obj, pending);
    };
  }

  private startCall(kind: Kind, models: unknown, params: Obj): GenAICall | undefined {
    try {
      const op: GeminiOperation = kind === 'embed' ? 'embeddings' : 'generate_content';
      const endpoint = geminiEndpoint(models);
      return this.recorder.start({
        provider: endpoint.provider,
        operation: op,
        requestModel: modelId(params.model),
        serverAddress: endpoint.serverAddress,
        serverPort: endpoint.serverPort,
        attributes: requestAttributes(op, params),
        streaming: kind === 'stream',
        inputMessages: () => inputMessages(params),
      });
    } catch (err) {
      this.recorder.reportInternalError('call start', err);
      return undefined;
    }
  }

  /** Follows the promise the patched method returned; the caller gets the same value or error. */
  private observe(kind: Kind, call: GenAICall, params: Obj, pending: unknown): unknown {
    if (!pending || typeof (pending as Promise<unknown>).then !== 'function') {
      this.recorder.reportInternalError(
        'call',
        new Error('@google/genai returned an unexpected value; the call is recorded without usage'),
      );
      call.succeed();
      return pending;
    }
    return (pending as Promise<unknown>).then(
      (value) => {
        try {
          if (kind === 'stream') this.observeStream(call, params, value);
          else {
            if (kind === 'embed') this.applyEmbedding(call, params, value);
            else this.applyResponse(call, params, value);
            call.succeed();
          }
        } catch (err) {
          this.recorder.reportInternalError('response', err);
          if (kind === 'stream') call.endStream('completed');
          else call.succeed();
        }
        return value;
      },
      (err: unknown) => {
        call.fail(err);
        throw err;
      },
    );
  }

  private applyResponse(call: GenAICall, params: Obj, response: unknown): void {
    applyGenerateContent(response, call.result);
    const reasons = finishReasons(response).filter((r) => typeof r === 'string');
    if (reasons.length) call.result.finishReasons = reasons;
    if (!call.result.usage) {
      const texts = candidateTexts(response).filter((t) => typeof t === 'string');
      call.result.usageEstimate = estimateGeminiUsage('generate_content', params, call.start.requestModel, texts.join(''));
    }
    call.result.outputMessages = () => outputMessages(candidateTexts(response), finishReasons(response));
  }

  private applyEmbedding(call: GenAICall, params: Obj, response: unknown): void {
    const tokens = embeddingInputTokens(response);
    if (tokens !== undefined) {
      call.result.usage = { inputTokens: tokens };
      call.result.usageEstimated = false;
    } else {
      // The Gemini API reports no usage for embeddings: count the input, flagged as estimated.
      call.result.usageEstimate = estimateGeminiUsage('embeddings', params, call.start.requestModel);
    }
  }

  private observeStream(call: GenAICall, params: Obj, value: unknown): void {
    const stream = value as { next?: unknown; return?: unknown; throw?: unknown } | null;
    if (!stream || typeof stream !== 'object' || typeof stream.next !== 'function') {
      this.recorder.reportInternalError('stream', new Error('unrecognised stream object; usage not recorded'));
      call.endStream('completed');
      return;
    }
    const sink = new GenerateContentStreamSink({
      call,
      params,
      keepText: this.recorder.captureContent,
      signal: abortSignalOf(params),
    });
    // The app (or the client's own wrapper generator) keeps the same object: its methods are
    // replaced on the object itself by ones that pass every result through unchanged.
    const next = stream.next as (...args: unknown[]) => Promise<IteratorResult<unknown>>;
    const ret = stream.return as ((value?: unknown) => Promise<IteratorResult<unknown>>) | undefined;
    const thr = stream.throw as ((error?: unknown) => Promise<IteratorResult<unknown>>) | undefined;
    const inner: AsyncIterator<unknown> = {
      next: (...args: [] | [unknown]) => next.apply(stream, args),
      ...(typeof ret === 'function' ? { return: (v?: unknown) => ret.call(stream, v) } : {}),
      ...(typeof thr === 'function' ? { throw: (e?: unknown) => thr.call(stream, e) } : {}),
    };
    const it = new ObservedIterator(inner, sink, (stage, err) => this.recorder.reportInternalError(stage, err));
    const define = (name: 'next' | 'return' | 'throw', fn: (...args: unknown[]) => unknown) => {
      const own = Object.getOwnPropertyDescriptor(stream, name);
      // Same enumerability as before, so the object looks the same to the app.
      Object.defineProperty(stream, name, { configurable: true, writable: true, enumerable: own?.enumerable ?? false, value: fn });
    };
    define('next', (...args: unknown[]) => it.next(...(args as [] | [unknown])));
    if (inner.return) define('return', (v?: unknown) => it.return(v));
    if (inner.throw) define('throw', (e?: unknown) => it.throw(e));
    abandonedStreams.track(stream, sink, call);
  }
}
