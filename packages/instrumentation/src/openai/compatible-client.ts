import { InstrumentationNodeModuleDefinition, isWrapped } from '@opentelemetry/instrumentation';
import type { TokenomicsInstrumentationConfig } from '../config';
import { isObservableAPIPromise, observeAPIPromise } from '../genai/api-promise';
import { detectCompatibleHost } from '../genai/compatible-hosts';
import { endpointOf } from './endpoint';
import { GenAIInstrumentation } from '../genai/genai-instrumentation';
import type { GenAICall } from '../genai/recorder';
import { observeSdkStream } from '../genai/sdk-stream';
import { estimateUsage } from './estimate';
import { inputMessages, OPERATION_NAME, requestAttributes, type OpenAIOperation } from './operations';
import { applyResponse } from './response';
import { CompletionStreamSink } from './stream-sinks';

type Obj = Record<string, unknown>;
type CreateFn = (this: unknown, body: unknown, options?: unknown, ...rest: unknown[]) => unknown;

/** A resource class with a `create` method on its prototype. */
interface ResourceClass {
  prototype: { create: CreateFn };
}

/** The client library an {@link OpenAICompatibleClientInstrumentation} patches. */
export interface CompatibleClientLibrary {
  /** The package name, e.g. `groq-sdk`. */
  module: string;
  /** Semver ranges of the package patched. */
  versions: string[];
  /** `gen_ai.provider.name` of every call made through it, whatever its base URL. */
  provider: string;
  /** The resource classes of the module's exports to patch, with the operation of each. */
  resources(moduleExports: unknown): Array<[OpenAIOperation, unknown]>;
}

/**
 * Base of the instrumentations of Stainless-generated client libraries that speak OpenAI's chat
 * completions wire format to their own provider (`groq-sdk`, `together-ai`): their `create`
 * methods are patched as the `openai` client's are, and responses and streams are read by the
 * same code. The request goes out as the app wrote it (these providers send a stream's usage
 * without being asked).
 */
export abstract class OpenAICompatibleClientInstrumentation extends GenAIInstrumentation {
  constructor(name: string, config: TokenomicsInstrumentationConfig = {}) {
    super(name, config);
  }

  /** The library patched. A method, not a field: the base constructor calls `init()` first. */
  protected abstract library(): CompatibleClientLibrary;

  protected init() {
    const lib = this.library();
    return [
      new InstrumentationNodeModuleDefinition(
        lib.module,
        lib.versions,
        (moduleExports: unknown) => {
          this.patchModule(moduleExports, true);
          return moduleExports;
        },
        (moduleExports: unknown) => {
          for (const [, cls] of this.resourceClasses(moduleExports)) {
            if (isWrapped(cls.prototype.create)) this._unwrap(cls.prototype, 'create');
          }
        },
      ),
    ];
  }

  /**
   * Patches the module exports of a copy of the library loaded outside the module hooks (for
   * example a bundled copy). Returns the number of methods patched.
   */
  patchModule(moduleExports: unknown, rewrap = false): number {
    let n = 0;
    for (const [op, cls] of this.resourceClasses(moduleExports)) {
      if (isWrapped(cls.prototype.create)) {
        if (!rewrap) continue;
        this._unwrap(cls.prototype, 'create');
      }
      this._wrap(cls.prototype, 'create', (original: CreateFn) => this.patchCreate(op, original));
      n++;
    }
    return n;
  }

  private resourceClasses(moduleExports: unknown): Array<[OpenAIOperation, ResourceClass]> {
    const found: Array<[OpenAIOperation, ResourceClass]> = [];
    try {
      for (const [op, cls] of this.library().resources(moduleExports)) {
        if (typeof cls === 'function' && typeof (cls as ResourceClass).prototype?.create === 'function') {
          found.push([op, cls as ResourceClass]);
        }
      }
    } catch {
      /* an unexpected module shape: nothing to patch */
    }
    return found;
  }

  private patchCreate(op: OpenAIOperation, original: CreateFn): CreateFn {
    const instrumentation = this;
    return function create(this: unknown, body: unknown, ...rest: unknown[]) {
      if (!body || typeof body !== 'object' || !instrumentation.isEnabled()) {
        return original.call(this, body, ...rest);
      }
      const call = instrumentation.startCall(op, this, body as Obj);
      if (!call) return original.call(this, body, ...rest);
      let result: unknown;
      try {
        result = call.run(original, this, body, ...rest);
      } catch (err) {
        call.fail(err);
        throw err;
      }
      instrumentation.observe(op, call, body as Obj, result);
      return result;
    };
  }

  private startCall(op: OpenAIOperation, resource: unknown, body: Obj): GenAICall | undefined {
    const recorder = this.recorder;
    try {
      const client = (resource as { _client?: Obj } | null)?._client;
      const host = hostOf(client?.baseURL);
      return recorder.start({
        provider: this.library().provider,
        operation: OPERATION_NAME[op],
        requestModel: typeof body.model === 'string' ? body.model : 'unknown',
        serverAddress: host.serverAddress,
        serverPort: host.serverPort,
        attributes: requestAttributes(op, body),
        requestedServiceTier: typeof body.service_tier === 'string' ? body.service_tier : undefined,
        streaming: body.stream === true,
        inputMessages: recorder.captureContent ? () => inputMessages(op, body) : undefined,
      });
    } catch (err) {
      recorder.reportInternalError('call start', err);
      return undefined;
    }
  }

  private observe(op: OpenAIOperation, call: GenAICall, body: Obj, result: unknown): void {
    const recorder = this.recorder;
    try {
      if (!isObservableAPIPromise(result)) {
        recorder.reportInternalError(
          'call',
          new Error(`${this.library().module} returned an unexpected value; the call is recorded without usage`),
        );
        call.succeed();
        return;
      }
      const streaming = body.stream === true;
      const sink = (keepText: boolean) => (isAborted: () => boolean) =>
        new CompletionStreamSink({ op, call, body, injected: false, keepText, isAborted });
      observeAPIPromise(result, call, recorder, {
        onParsed: (value) => {
          if (streaming) observeSdkStream(value, call, recorder, sink(recorder.captureContent));
          else {
            applyResponse(op, value, call.result, call.start.provider, recorder.captureContent);
            call.succeed();
          }
        },
        onUnparsed: () => {
          call.result.usageEstimate = estimateUsage(op, body, call.result.responseModel ?? call.start.requestModel, undefined, 0);
          if (streaming) call.endStream('abandoned');
          else call.succeed();
        },
        createRawStreamSink: streaming ? sink(true) : undefined,
      });
    } catch (err) {
      recorder.reportInternalError('call', err);
      call.succeed();
    }
  }
}

/** The client class of a Stainless module's exports: a named export, or the default one. */
export function clientClass(moduleExports: unknown, name: string): Obj | undefined {
  const exp = moduleExports as Obj | undefined;
  if (!exp || (typeof exp !== 'object' && typeof exp !== 'function')) return undefined;
  const named = exp[name] ?? (exp.default as Obj | undefined)?.[name] ?? exp.default;
  return named && (typeof named === 'function' || typeof named === 'object') ? (named as Obj) : undefined;
}

/**
 * The server of a client's base URL: cached per base URL by `endpointOf`, as for openai's own
 * clients (parsing a URL per call costs microseconds).
 */
function hostOf(baseURL: unknown): { serverAddress?: string | undefined; serverPort?: number | undefined } {
  return typeof baseURL === 'string' ? endpointOf(baseURL, false) : detectCompatibleHost(baseURL);
}
