import type { ModelCalls } from './model-call';

type Obj = Record<string, unknown>;
type ModelMethod = (this: unknown, ...args: unknown[]) => unknown;

/** The methods of a model that each make one provider request, and how each is recorded. */
const RECORDED: ReadonlyArray<readonly [method: string, kind: 'generate' | 'stream' | 'embed']> = [
  ['doGenerate', 'generate'],
  ['doStream', 'stream'],
  ['doEmbed', 'embed'],
];

/**
 * Stands a recording view in for the models an app hands to the AI SDK, without touching the
 * app's objects: a `Proxy` whose `doGenerate`, `doStream` and `doEmbed` record the call and run
 * the model's own method on the model itself; every other property (`provider`, `modelId`,
 * `specificationVersion`, `supportedUrls`, ...) is read from the model as is. One view per model
 * (held weakly), so the SDK sees the same object for the same model.
 */
export class ModelProxies {
  private readonly views = new WeakMap<object, object>();
  private readonly ours = new WeakSet<object>();

  constructor(private readonly calls: ModelCalls) {}

  /**
   * Records `model` as viewed already: a model built around a recording view (by the SDK's
   * `wrapLanguageModel`) is not viewed again, so its calls are recorded once, at the inner model.
   */
  markViewed(model: unknown): void {
    if (model !== null && (typeof model === 'object' || typeof model === 'function')) this.ours.add(model);
  }

  /** Whether `model` is a recording view, or built around one. */
  isViewed(model: unknown): boolean {
    return model !== null && (typeof model === 'object' || typeof model === 'function') && this.ours.has(model);
  }

  /** The recording view of `model`, or `model` itself when it is not a model object (a string id, a view already). */
  view<T>(model: T): T {
    if (model === null || (typeof model !== 'object' && typeof model !== 'function')) return model;
    const target = model as unknown as Obj;
    if (this.ours.has(target)) return model;
    const known = this.views.get(target);
    if (known !== undefined) return known as T;
    if (!RECORDED.some(([method]) => typeof target[method] === 'function')) return model;
    // A proxy must report a frozen own property as it is: such a model is passed on unrecorded.
    if (RECORDED.some(([method]) => isFixed(target, method))) return model;
    const calls = this.calls;
    const methods = new Map<PropertyKey, ModelMethod>();
    for (const [method, kind] of RECORDED) {
      methods.set(method, function recorded(this: unknown, ...args: unknown[]) {
        // The model's method as it is now, called on the model itself: calls it makes through
        // `this` are the model's own, not recorded again.
        const original = target[method] as ModelMethod;
        if (typeof original !== 'function') return Reflect.apply(original as never, target, args);
        return calls[kind](target, original, args);
      });
    }
    const view = new Proxy(target, {
      get(t, key) {
        const value: unknown = Reflect.get(t, key, t);
        if (typeof value === 'function' && methods.has(key)) return methods.get(key);
        return value;
      },
    });
    this.ours.add(view);
    this.views.set(target, view);
    return view as unknown as T;
  }
}

/** Whether `key` is an own property of `target` that a proxy may not report differently (non-configurable and read-only). */
function isFixed(target: object, key: string): boolean {
  const own = Object.getOwnPropertyDescriptor(target, key);
  return own !== undefined && own.configurable === false && (own.writable === false || own.get !== undefined);
}
