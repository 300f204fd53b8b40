import { InstrumentationNodeModuleDefinition, InstrumentationNodeModuleFile, isWrapped } from '@opentelemetry/instrumentation';
import type { CallStart } from './call';
import { GenAIInstrumentation } from './genai-instrumentation';
import { observePromise } from './promise-call';
import type { GenAICall } from './recorder';

type Obj = Record<string, unknown>;

/** A client method taking a request object (and options), returning a promise. */
export type RequestMethod = (this: unknown, request: unknown, ...rest: unknown[]) => unknown;

/** One method to patch: the prototype that defines it, its name, then what the subclass needs to know about it. */
export type RequestMethodTarget = readonly [proto: Record<string, RequestMethod>, method: string, ...about: unknown[]];

/** A method to patch found on its prototype, with its kind. */
export type KindedTarget<K> = [proto: Record<string, RequestMethod>, method: string, kind: K];

/** Method names to look for, each with its kind. */
export type MethodKinds<K> = ReadonlyArray<readonly [method: string, kind: K]>;

/** Server address and port of a client, either unknown. */
export interface ClientServer {
  address?: string | undefined;
  port?: number | undefined;
}

/**
 * Base of the instrumentations of clients whose methods take one request object and return a
 * plain promise of the response or stream (Mistral, Cohere, Ollama): patching and unpatching the
 * methods a module's exports define, and following one call of a patched method.
 */
export abstract class RequestMethodInstrumentation<T extends RequestMethodTarget> extends GenAIInstrumentation {
  /** The methods of a module's exports to patch; none when the exports are not the client's. */
  protected abstract targets(moduleExports: unknown): T[];

  /** The method that replaces `original`, the target's method. */
  protected abstract observe(target: T, original: RequestMethod): RequestMethod;

  /** The definition of module `name`, whose exports define the targets. */
  protected clientModule(name: string, versions: string[]): InstrumentationNodeModuleDefinition {
    return new InstrumentationNodeModuleDefinition(
      name,
      versions,
      (moduleExports: unknown) => this.patchExports(moduleExports),
      (moduleExports: unknown) => this.unpatchExports(moduleExports),
    );
  }

  /** The definition of file `path` of a module, whose exports define the targets. */
  protected clientModuleFile(path: string, versions: string[]): InstrumentationNodeModuleFile {
    return new InstrumentationNodeModuleFile(
      path,
      versions,
      (moduleExports: unknown) => this.patchExports(moduleExports),
      (moduleExports: unknown) => this.unpatchExports(moduleExports),
    );
  }

  /** Patch hook of a module definition: patches the targets, replacing earlier patches. */
  protected patchExports<E>(moduleExports: E): E {
    this.patchTargets(moduleExports, true);
    return moduleExports;
  }

  /** Unpatch hook of a module definition. */
  protected unpatchExports(moduleExports: unknown): void {
    for (const [proto, method] of this.targets(moduleExports)) {
      if (isWrapped(proto[method])) this._unwrap(proto, method);
    }
  }

  /**
   * Patches the targets of `moduleExports`; a target already patched is left alone, or patched
   * again when `replace` is set. Returns the number of methods patched.
   */
  protected patchTargets(moduleExports: unknown, replace: boolean): number {
    let n = 0;
    for (const target of this.targets(moduleExports)) {
      const [proto, method] = target;
      if (isWrapped(proto[method])) {
        if (!replace) continue;
        this._unwrap(proto, method);
      }
      this._wrap(proto, method, (original: RequestMethod) => this.observe(target, original));
      n++;
    }
    return n;
  }

  /**
   * A replacement method that records one call per request: `start` starts the call (from the
   * client the method is called on and the request object), the method runs in the call's span
   * context, and `onValue` fills the call from what the promise resolves to (see
   * {@link observePromise}). A call without a request object, with recording off or whose start
   * failed runs untouched; a synchronous throw fails the call and is thrown on unchanged.
   */
  protected requestObserver(
    library: string,
    original: RequestMethod,
    start: (client: unknown, request: Obj) => GenAICall | undefined,
    onValue: (call: GenAICall, request: Obj, rest: unknown[], value: unknown) => void,
  ): RequestMethod {
    const instrumentation = this;
    return function observed(this: unknown, request: unknown, ...rest: unknown[]) {
      if (!request || typeof request !== 'object' || !instrumentation.isEnabled()) return original.call(this, request, ...rest);
      const call = start(this, request as Obj);
      if (!call) return original.call(this, request, ...rest);
      let pending: unknown;
      try {
        pending = call.run(original, this, request, ...rest);
      } catch (err) {
        call.fail(err);
        throw err;
      }
      return observePromise(call, instrumentation.recorder, library, pending, (value) => onValue(call, request as Obj, rest, value));
    };
  }

  /**
   * Starts the call of `request` (its `model`, or `unknown`) to `server`; an error building the
   * start is reported and the call is not recorded.
   */
  protected startRequestCall(
    request: Obj,
    server: () => ClientServer,
    start: () => Omit<CallStart, 'requestModel' | 'serverAddress' | 'serverPort'>,
  ): GenAICall | undefined {
    try {
      const s = server();
      return this.recorder.start({
        ...start(),
        requestModel: typeof request.model === 'string' && request.model ? request.model : 'unknown',
        serverAddress: s.address,
        serverPort: s.port,
      });
    } catch (err) {
      this.recorder.reportInternalError('call start', err);
      return undefined;
    }
  }

  /**
   * Whether a streamed call's `value` can be followed with `for await`; when it cannot, the fault
   * is reported and the call ends without usage.
   */
  protected isFollowableStream(call: GenAICall, value: unknown): value is AsyncIterable<unknown> {
    if (value && typeof value === 'object' && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function') {
      return true;
    }
    this.recorder.reportInternalError('stream', new Error('unrecognised stream object; usage not recorded'));
    call.endStream('completed');
    return false;
  }
}
