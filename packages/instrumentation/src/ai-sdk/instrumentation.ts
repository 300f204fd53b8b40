import { InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import type { TokenomicsInstrumentationConfig } from '../config';
import { GenAIInstrumentation } from '../genai/genai-instrumentation';
import type { GenAIRecorder } from '../genai/recorder';
import { ModelCalls } from './model-call';
import { ModelProxies } from './model-proxy';
import { noteCallIntegrations } from './sdk-spans';
import { plainCopy } from '../genai/plain-copy';

/** Range of `ai` (Vercel AI SDK) versions patched. */
export const AI_SDK_SUPPORTED_VERSIONS = ['>=5.0.0 <8'];

type Obj = Record<string, unknown>;
type Fn = (this: unknown, ...args: unknown[]) => unknown;

/** The `ai` functions whose options name a model (`model`) and may pick another per step (`prepareStep`). */
const MODEL_FUNCTIONS = ['generateText', 'streamText', 'generateObject', 'streamObject', 'embed', 'embedMany'] as const;

/**
 * The `ai` functions that build a model around the app's model (middleware): the inner model is
 * viewed, so a call the middleware answers itself (a cache) is no provider request and no span.
 */
const MODEL_WRAPPERS = ['wrapLanguageModel', 'wrapEmbeddingModel'] as const;

/** Marks the functions this instrumentation put in place, so a module is never patched twice. */
const PATCHED = Symbol.for('tokenomics.ai-sdk.patched');

/**
 * Instruments the Vercel AI SDK (`ai` 5, 6 and 7), CommonJS and ESM builds. The SDK's provider
 * packages call the provider APIs over `fetch`, which no client patch sees; so the SDK's entry
 * points (`generateText`, `streamText`, `generateObject`, `streamObject`, `embed`, `embedMany`,
 * and agent runs) are given a recording view of the app's model in place of the model, and every
 * `doGenerate`, `doStream` and `doEmbed` the SDK makes (one per step of a tool loop, one per
 * retry) is one GenAI client span, priced from the provider's billed usage. A model built with
 * `wrapLanguageModel` is recorded at the model inside it, below the middleware.
 */
export class AISdkInstrumentation extends GenAIInstrumentation {
  declare private proxies: ModelProxies;

  constructor(config: TokenomicsInstrumentationConfig = {}) {
    super('@tokenomics/instrumentation-ai-sdk', config);
  }

  /** The view maker, made on first use (the base constructor runs `init` before fields exist). */
  private get models(): ModelProxies {
    if (this.proxies === undefined) {
      const recorder = (): GenAIRecorder => this.recorder;
      this.proxies = new ModelProxies(
        new ModelCalls({
          get recorder(): GenAIRecorder {
            return recorder();
          },
          isEnabled: () => this.isEnabled(),
        }),
      );
    }
    return this.proxies;
  }

  protected init() {
    return [
      new InstrumentationNodeModuleDefinition(
        'ai',
        AI_SDK_SUPPORTED_VERSIONS,
        (moduleExports: unknown) => this.patchModule(moduleExports),
        // The patched functions pass calls through untouched while the instrumentation is disabled.
        (moduleExports: unknown) => moduleExports,
      ),
    ];
  }

  /**
   * Patches the exports of an `ai` build: in place where they can be assigned (ES module
   * namespaces under the loader hook), else by returning a copy of the exports with the patched
   * functions (the CommonJS build's exports are read-only getters). Also usable for a copy of
   * `ai` loaded outside the module hooks, e.g. `const ai = instrumentation.patchModule(require("ai"))`.
   */
  patchModule<T>(moduleExports: T): T {
    try {
      const exp = moduleExports as unknown as Obj;
      if (!exp || typeof exp !== 'object') return moduleExports;
      const replacements = new Map<string, Fn>();
      for (const name of MODEL_FUNCTIONS) {
        const original = exp[name];
        if (typeof original !== 'function' || isPatched(original)) continue;
        replacements.set(name, this.patchEntryPoint(original as Fn));
      }
      for (const name of MODEL_WRAPPERS) {
        const original = exp[name];
        if (typeof original !== 'function' || isPatched(original)) continue;
        replacements.set(name, this.patchModelWrapper(original as Fn));
      }
      this.patchAgent(exp.ToolLoopAgent);
      // ai 5's agent class; in ai 6 and 7 the same export is ToolLoopAgent.
      if (exp.Experimental_Agent !== exp.ToolLoopAgent) this.patchAgent(exp.Experimental_Agent);
      if (replacements.size === 0) return moduleExports;
      if (assignAll(exp, replacements)) return moduleExports;
      return copyWith(exp, replacements) as T;
    } catch (err) {
      this.recorder.reportInternalError('patch ai', err);
      return moduleExports;
    }
  }

  /** `fn(options, ...)` called with the same options but recording views of their models. */
  private patchEntryPoint(original: Fn): Fn {
    const instrumentation = this;
    const patched = function tokenomicsModelCalls(this: unknown, ...args: unknown[]) {
      if (instrumentation.isEnabled()) {
        const options = args[0];
        const viewed = options && typeof options === 'object' ? instrumentation.withViews(options as Obj) : undefined;
        if (viewed !== undefined) args[0] = viewed;
      }
      return Reflect.apply(original, this, args);
    };
    Object.defineProperty(patched, PATCHED, { value: true });
    Object.defineProperty(patched, 'name', { value: original.name, configurable: true });
    Object.defineProperty(patched, 'length', { value: original.length, configurable: true });
    return patched;
  }

  /** `wrapLanguageModel({ model, middleware })` around a recording view of `model`; the model it returns is not viewed again. */
  private patchModelWrapper(original: Fn): Fn {
    const instrumentation = this;
    const patched = function tokenomicsModelWrapper(this: unknown, ...args: unknown[]) {
      let viewed = false;
      if (instrumentation.isEnabled()) {
        try {
          const options = args[0];
          if (options && typeof options === 'object') {
            const model = (options as Obj).model;
            const view = instrumentation.models.view(model);
            viewed = instrumentation.models.isViewed(view);
            if (view !== model) args[0] = { ...(options as Obj), model: view };
          }
        } catch (err) {
          instrumentation.recorder.reportInternalError('call options', err);
        }
      }
      const wrapped = Reflect.apply(original, this, args);
      if (viewed) instrumentation.models.markViewed(wrapped);
      return wrapped;
    };
    Object.defineProperty(patched, PATCHED, { value: true });
    Object.defineProperty(patched, 'name', { value: original.name, configurable: true });
    Object.defineProperty(patched, 'length', { value: original.length, configurable: true });
    return patched;
  }

  /** `ToolLoopAgent.prototype.prepareCall` builds the options of the agent's calls: they get views too. */
  private patchAgent(Agent: unknown): void {
    const proto = typeof Agent === 'function' ? ((Agent as { prototype?: unknown }).prototype as Obj | undefined) : undefined;
    if (!proto) return;
    if (typeof proto.prepareCall !== 'function') {
      this.patchSettingsAgent(proto);
      return;
    }
    if (isPatched(proto.prepareCall)) return;
    const original = proto.prepareCall as Fn;
    const instrumentation = this;
    const patched = function prepareCall(this: unknown, ...args: unknown[]) {
      const prepared = Reflect.apply(original, this, args);
      if (!instrumentation.isEnabled() || !prepared || typeof (prepared as Promise<unknown>).then !== 'function') return prepared;
      return (prepared as Promise<unknown>).then((options) =>
        options && typeof options === 'object' ? (instrumentation.withViews(options as Obj) ?? options) : options,
      );
    };
    Object.defineProperty(patched, PATCHED, { value: true });
    this._wrap(proto, 'prepareCall', () => patched);
  }

  /**
   * ai 5's `Experimental_Agent`: `generate(options)` and `stream(options)` call the SDK with the
   * agent's `settings` and `options` merged; the merged model (and `prepareStep`) go in as views.
   */
  private patchSettingsAgent(proto: Obj): void {
    const instrumentation = this;
    for (const method of ['generate', 'stream'] as const) {
      const original = proto[method];
      if (typeof original !== 'function' || isPatched(original)) continue;
      const patched = function agentCall(this: unknown, ...args: unknown[]) {
        if (instrumentation.isEnabled()) {
          try {
            const settings = (this as { settings?: unknown } | null)?.settings as Obj | undefined;
            const options = (args[0] && typeof args[0] === 'object' ? args[0] : {}) as Obj;
            const model = Object.hasOwn(options, 'model') ? options.model : settings?.model;
            const prepareStep = Object.hasOwn(options, 'prepareStep') ? options.prepareStep : settings?.prepareStep;
            const viewed = instrumentation.withViews({ model, prepareStep });
            if (viewed !== undefined) {
              // The model is often in the agent's settings, not in the options: a field added.
              const merged = plainCopy(options);
              merged.model = viewed.model;
              if (typeof viewed.prepareStep === 'function') merged.prepareStep = viewed.prepareStep;
              args[0] = merged;
            }
          } catch (err) {
            instrumentation.recorder.reportInternalError('call options', err);
          }
        }
        return Reflect.apply(original as Fn, this, args);
      };
      Object.defineProperty(patched, PATCHED, { value: true });
      this._wrap(proto, method, () => patched);
    }
  }

  /**
   * A shallow copy of call options whose `model` is a recording view and whose `prepareStep`
   * gives views of the models it picks; undefined when there is nothing to view (a model id
   * string, resolved by the SDK's global provider, is not recorded).
   */
  private withViews(options: Obj): Obj | undefined {
    try {
      noteCallIntegrations(options);
      const model = options.model;
      const view = this.models.view(model);
      const prepareStep = options.prepareStep;
      if (view === model && typeof prepareStep !== 'function') return undefined;
      const copy: Obj = { ...options };
      copy.model = view;
      if (typeof prepareStep === 'function') copy.prepareStep = this.prepareStepWithViews(prepareStep as Fn);
      return copy;
    } catch (err) {
      this.recorder.reportInternalError('call options', err);
      return undefined;
    }
  }

  private prepareStepWithViews(prepareStep: Fn): Fn {
    const models = this.models;
    const withView = (result: unknown): unknown => {
      if (!result || typeof result !== 'object') return result;
      try {
        const r = result as Obj;
        const view = models.view(r.model);
        return view === r.model ? result : { ...r, model: view };
      } catch {
        // The step runs with what prepareStep gave, unrecorded.
        return result;
      }
    };
    return function prepareStepViewed(this: unknown, ...args: unknown[]) {
      const result = Reflect.apply(prepareStep, this, args);
      return result && typeof (result as Promise<unknown>).then === 'function'
        ? (result as Promise<unknown>).then(withView)
        : withView(result);
    };
  }
}

/** Whether `fn` is one of this instrumentation's patched functions. */
function isPatched(fn: unknown): boolean {
  return (fn as Record<PropertyKey, unknown>)[PATCHED] === true;
}

/** Assigns every replacement in place; false (nothing changed) when any export is read-only. */
function assignAll(exp: Obj, replacements: Map<string, Fn>): boolean {
  for (const name of replacements.keys()) {
    const own = Object.getOwnPropertyDescriptor(exp, name);
    if (own === undefined || !(own.writable === true || own.set !== undefined)) return false;
  }
  for (const [name, fn] of replacements) {
    try {
      exp[name] = fn;
    } catch {
      return false;
    }
    if (exp[name] !== fn) return false;
  }
  return true;
}

/**
 * A copy of module exports with `replacements` in place: every other export reads through to the
 * original (live bindings stay live), with the original's enumerability; non-export keys
 * (`__esModule`, `Symbol.toStringTag`) are copied as they are.
 */
function copyWith(exp: Obj, replacements: Map<string, Fn>): Obj {
  const copy = Object.create(Object.getPrototypeOf(exp) as object | null) as Obj;
  for (const key of Reflect.ownKeys(exp)) {
    const own = Object.getOwnPropertyDescriptor(exp, key);
    if (own === undefined) continue;
    if (typeof key === 'string' && replacements.has(key)) {
      Object.defineProperty(copy, key, {
        value: replacements.get(key),
        enumerable: own.enumerable ?? true,
        writable: false,
        configurable: true,
      });
    } else if (own.get !== undefined || typeof key !== 'string' || key === '__esModule') {
      Object.defineProperty(copy, key, { ...own, configurable: true });
    } else {
      Object.defineProperty(copy, key, { get: () => exp[key], enumerable: own.enumerable ?? true, configurable: true });
    }
  }
  return copy;
}
