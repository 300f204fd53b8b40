import { context, diag } from '@opentelemetry/api';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  InstrumentationNodeModuleFile,
  isWrapped,
} from '@opentelemetry/instrumentation';
import type { TokenomicsInstrumentationConfig } from '../config';
import { getAttribution, mergeAttribution } from '../genai/attribution';
import { frameworkAttributionRead } from '../genai/framework-attribution';
import { VERSION } from '../version';
import { ATTRIBUTION_KEY_CHAIN, ATTRIBUTION_KEY_GRAPH_NODE, frameworkName } from './attribution-keys';
import { bindAsyncIterator } from './bound-iterator';

/** Range of `@langchain/core` versions patched. */
export const LANGCHAIN_CORE_SUPPORTED_VERSIONS = ['>=1.0.0 <2'];
/** Range of `@langchain/langgraph` versions patched. */
export const LANGGRAPH_SUPPORTED_VERSIONS = ['>=1.0.0 <2'];

type Fn = (this: unknown, ...args: unknown[]) => unknown;
type Obj = Record<string, unknown>;
type Proto = Record<string, Fn>;

/** Public methods through which an app starts a run: the outermost one names the chain. */
const ENTRY_METHODS = ['invoke', 'batch', 'stream', 'streamEvents'] as const;
/** Methods returning the generator a stream is read from: stepped in the context it was made in. */
const GENERATOR_METHODS = ['_streamIterator', '_streamEventsV2', '_streamEventsV1', '_streamLog'] as const;
/** Language-model methods that make the model calls of one run (`invoke`/`batch` and `stream`). */
const MODEL_METHODS = [
  ['_generateUncached', 2],
  ['_streamIterator', 1],
] as const;

/** Exports of `@langchain/core/runnables` (and of LangGraph's entry) that are runnable classes. */
function runnableClasses(moduleExports: unknown): Array<{ prototype: Proto }> {
  const found: Array<{ prototype: Proto }> = [];
  if (!moduleExports || (typeof moduleExports !== 'object' && typeof moduleExports !== 'function')) return found;
  for (const key of Object.keys(moduleExports)) {
    let value: unknown;
    try {
      value = (moduleExports as Obj)[key];
    } catch {
      continue;
    }
    if (typeof value !== 'function') continue;
    const proto = (value as { prototype?: unknown }).prototype;
    if (proto && typeof proto === 'object' && typeof (proto as Obj).invoke === 'function') found.push(value as { prototype: Proto });
  }
  return found;
}

/** The prototypes of `cls` and its ancestors, nearest first, up to `Object.prototype`. */
function prototypeChain(cls: { prototype: Proto }): Proto[] {
  const chain: Proto[] = [];
  for (let p: object | null = cls.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    chain.push(p as Proto);
  }
  return chain;
}

/** The language-model class (`BaseChatModel`, `BaseLLM`) a `language_models/*` module exports. */
function modelClass(moduleExports: unknown, name: string): { prototype: Proto } | undefined {
  const cls = (moduleExports as Obj | undefined)?.[name];
  return typeof cls === 'function' && (cls as { prototype?: unknown }).prototype ? (cls as { prototype: Proto }) : undefined;
}

/** True for a LangChain language model (called directly it is a model call, not a chain). */
function isLanguageModel(runnable: unknown): boolean {
  return !!runnable && typeof runnable === 'object' && typeof (runnable as Obj)._modelType === 'function';
}

/** The `runName` of a call's options (the first input's in a batch). */
function runNameOf(options: unknown): string | undefined {
  const config = Array.isArray(options) ? (options[0] as unknown) : options;
  return config && typeof config === 'object' && Object.hasOwn(config, 'runName') ? frameworkName((config as Obj).runName) : undefined;
}

/** The LangGraph node in a run's config (`metadata.langgraph_node`). */
function graphNodeOf(config: unknown): string | undefined {
  if (!config || typeof config !== 'object' || !Object.hasOwn(config, 'metadata')) return undefined;
  const metadata = (config as Obj).metadata;
  if (!metadata || typeof metadata !== 'object' || !Object.hasOwn(metadata, 'langgraph_node')) return undefined;
  return frameworkName((metadata as Obj).langgraph_node);
}

/**
 * Adds LangChain.js and LangGraph context to the model calls the client instrumentations record.
 * `@langchain/openai` and `@langchain/anthropic` call the `openai` and `@anthropic-ai/sdk`
 * clients, whose one priced span per call stays the only record of the call: this instrumentation
 * makes no span and prices nothing. It runs each run in an OpenTelemetry context carrying
 *
 * - `chain`: the outermost runnable or graph the app invoked (`invoke`, `batch`, `stream`,
 *   `streamEvents`), its `runName` if given, else its name (`RunnableSequence`, `LangGraph`, ...);
 * - `graph_node`: the LangGraph node (`metadata.langgraph_node`) whose model call it is;
 *
 * which the client spans record as `tokenomics.attribution.chain` and
 * `tokenomics.attribution.graph_node` (metric points only for keys in `attributionKeys`). A key
 * that nothing reads (no tracer provider registered, and not a metric attribution key) is not
 * carried, and no context is entered for it. Patches
 * `@langchain/core` 1.x (`runnables`, `language_models/chat_models`, `language_models/llms`) and
 * `@langchain/langgraph` 1.x, CommonJS and ESM builds. LangChain callbacks, LangSmith tracing and
 * what the app receives are untouched.
 */
export class LangChainInstrumentation extends InstrumentationBase<TokenomicsInstrumentationConfig> {
  constructor(config: TokenomicsInstrumentationConfig = {}) {
    super('@tokenomics/instrumentation-langchain', VERSION, config);
  }

  protected init() {
    const file = (path: string, patch: (exports: unknown) => unknown, unpatch: (exports: unknown) => void) =>
      ['cjs', 'js'].map(
        (ext) =>
          new InstrumentationNodeModuleFile(`@langchain/core/dist/${path}.${ext}`, LANGCHAIN_CORE_SUPPORTED_VERSIONS, patch, unpatch),
      );
    const runnables = (exports: unknown) => {
      this.patchRunnableModule(exports);
      return exports;
    };
    const chatModels = (exports: unknown) => {
      this.patchModelClass(modelClass(exports, 'BaseChatModel'));
      return exports;
    };
    const llms = (exports: unknown) => {
      this.patchModelClass(modelClass(exports, 'BaseLLM'));
      return exports;
    };
    return [
      new InstrumentationNodeModuleDefinition('@langchain/core', LANGCHAIN_CORE_SUPPORTED_VERSIONS, undefined, undefined, [
        ...file('runnables/index', runnables, (e) => this.unpatchRunnableModule(e)),
        ...file('language_models/chat_models', chatModels, (e) => this.unpatchModelClass(modelClass(e, 'BaseChatModel'))),
        ...file('language_models/llms', llms, (e) => this.unpatchModelClass(modelClass(e, 'BaseLLM'))),
      ]),
      // The entry exports the compiled graph classes; the Pregel file is also patched on its own,
      // for CommonJS apps that load only `@langchain/langgraph/prebuilt`.
      new InstrumentationNodeModuleDefinition(
        '@langchain/langgraph',
        LANGGRAPH_SUPPORTED_VERSIONS,
        runnables,
        (e) => this.unpatchRunnableModule(e),
        ['cjs', 'js'].map(
          (ext) =>
            new InstrumentationNodeModuleFile(
              `@langchain/langgraph/dist/pregel/index.${ext}`,
              LANGGRAPH_SUPPORTED_VERSIONS,
              runnables,
              (e) => this.unpatchRunnableModule(e),
            ),
        ),
      ),
    ];
  }

  /**
   * Patches the exports of a LangChain module loaded outside the module hooks (a bundled copy):
   * `@langchain/core/runnables`, `@langchain/langgraph`, `@langchain/core/language_models/chat_models`
   * or `.../llms`. Returns the number of methods patched.
   */
  patchModule(moduleExports: unknown): number {
    return (
      this.patchRunnableModule(moduleExports) +
      this.patchModelClass(modelClass(moduleExports, 'BaseChatModel')) +
      this.patchModelClass(modelClass(moduleExports, 'BaseLLM'))
    );
  }

  private patchRunnableModule(moduleExports: unknown): number {
    let n = 0;
    try {
      for (const cls of runnableClasses(moduleExports)) {
        for (const proto of prototypeChain(cls)) {
          for (const name of ENTRY_METHODS) n += this.wrapOwn(proto, name, (original) => this.entry(original));
          for (const name of GENERATOR_METHODS) n += this.wrapOwn(proto, name, (original) => this.boundGenerator(original));
        }
      }
    } catch (err) {
      diag.debug('@tokenomics/instrumentation-langchain: runnables not patched', err);
    }
    return n;
  }

  private unpatchRunnableModule(moduleExports: unknown): void {
    for (const cls of runnableClasses(moduleExports)) {
      for (const proto of prototypeChain(cls)) {
        for (const name of [...ENTRY_METHODS, ...GENERATOR_METHODS]) this.unwrapOwn(proto, name);
      }
    }
  }

  private patchModelClass(cls: { prototype: Proto } | undefined): number {
    if (!cls) return 0;
    let n = 0;
    for (const [name, configIndex] of MODEL_METHODS)
      n += this.wrapOwn(cls.prototype, name, (original) => this.modelRun(original, configIndex));
    return n;
  }

  private unpatchModelClass(cls: { prototype: Proto } | undefined): void {
    if (!cls) return;
    for (const [name] of MODEL_METHODS) this.unwrapOwn(cls.prototype, name);
  }

  private wrapOwn(proto: Proto, name: string, wrapper: (original: Fn) => Fn): number {
    if (!Object.hasOwn(proto, name) || typeof proto[name] !== 'function' || isWrapped(proto[name])) return 0;
    this._wrap(proto, name, wrapper);
    return 1;
  }

  private unwrapOwn(proto: Proto, name: string): void {
    if (Object.hasOwn(proto, name) && isWrapped(proto[name])) this._unwrap(proto, name);
  }

  /** An entry method: the outermost run of a non-model runnable names the chain of what runs inside. */
  private entry(original: Fn): Fn {
    const instrumentation = this;
    return function tokenomicsChainEntry(this: unknown, ...args: unknown[]) {
      let ctx;
      try {
        if (
          instrumentation.isEnabled() &&
          frameworkAttributionRead(ATTRIBUTION_KEY_CHAIN, instrumentation.getConfig()) &&
          !isLanguageModel(this) &&
          !Object.hasOwn(getAttribution(), ATTRIBUTION_KEY_CHAIN)
        ) {
          // A binding (`withConfig({ runName })`) holds the name in its own config.
          const name =
            runNameOf(args[1]) ??
            (this && typeof this === 'object' && Object.hasOwn(this, 'config') ? runNameOf((this as Obj).config) : undefined) ??
            frameworkName((this as { getName?: () => unknown }).getName?.());
          if (name !== undefined) ctx = mergeAttribution(context.active(), { [ATTRIBUTION_KEY_CHAIN]: name });
        }
      } catch (err) {
        diag.debug('@tokenomics/instrumentation-langchain: chain name not read', err);
      }
      return ctx === undefined ? original.apply(this, args) : context.with(ctx, () => original.apply(this, args));
    };
  }

  /** A generator method whose generator is stepped in the context it was made in. */
  private boundGenerator(original: Fn): Fn {
    const instrumentation = this;
    return function tokenomicsBoundGenerator(this: unknown, ...args: unknown[]) {
      const generator = original.apply(this, args);
      return instrumentation.isEnabled() ? bindAsyncIterator(generator, context.active()) : generator;
    };
  }

  /** A language model's run: its model calls carry the LangGraph node of its config, if any. */
  private modelRun(original: Fn, configIndex: number): Fn {
    const instrumentation = this;
    return function tokenomicsModelRun(this: unknown, ...args: unknown[]) {
      let ctx;
      try {
        const node =
          instrumentation.isEnabled() && frameworkAttributionRead(ATTRIBUTION_KEY_GRAPH_NODE, instrumentation.getConfig())
            ? graphNodeOf(args[configIndex])
            : undefined;
        if (node !== undefined) ctx = mergeAttribution(context.active(), { [ATTRIBUTION_KEY_GRAPH_NODE]: node });
      } catch (err) {
        diag.debug('@tokenomics/instrumentation-langchain: graph node not read', err);
      }
      if (ctx === undefined) return original.apply(this, args);
      const result = context.with(ctx, () => original.apply(this, args));
      return bindAsyncIterator(result, ctx);
    };
  }
}
