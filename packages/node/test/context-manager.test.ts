import { AsyncLocalStorage } from 'node:async_hooks';
import {
  context,
  createContextKey,
  propagation,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
  type Context,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LeanContextManager } from '../src/context-manager';

// Contexts entered: `AsyncLocalStorage.run` with an OpenTelemetry context as its store (the
// manager's `with`), counted over the whole process while these tests run.
let entered = 0;
const run = AsyncLocalStorage.prototype.run;
const manager = new LeanContextManager();
const TENANT = createContextKey('test tenant');
const noopTracer = trace.getTracer('no provider registered');
const recordingTracer = new BasicTracerProvider().getTracer('recording');
const VALID: SpanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };

beforeAll(() => {
  AsyncLocalStorage.prototype.run = function countedRun(this: AsyncLocalStorage<unknown>, store: unknown, ...rest: [() => unknown]) {
    if (store !== null && typeof store === 'object' && typeof (store as Context).getValue === 'function') entered++;
    return run.call(this, store, ...rest);
  } as typeof run;
  manager.enable();
  context.setGlobalContextManager(manager);
});
afterAll(() => {
  context.disable();
  AsyncLocalStorage.prototype.run = run;
});
beforeEach(() => {
  entered = 0;
});

/** What `tracer.startActiveSpan` of the API's no-op tracer (no tracer provider) enters. */
const withNoopSpan = <T>(fn: (span: Span) => T): T => noopTracer.startActiveSpan('library call', fn);

describe('LeanContextManager: contexts nothing could tell from the active one are not entered', () => {
  it('a no-op span at the top: runs the function in the root context, nested ones too', async () => {
    const seen = await withNoopSpan(async (outer) => {
      expect(outer.isRecording()).toBe(false);
      const inner = withNoopSpan(() => [context.active(), trace.getActiveSpan()]);
      await new Promise((resolve) => setImmediate(resolve));
      return [context.active(), trace.getActiveSpan(), ...inner];
    });
    expect(seen).toEqual([ROOT_CONTEXT, undefined, ROOT_CONTEXT, undefined]);
    expect(entered).toBe(0);
  });

  it('a no-op span over the app’s context: the app’s values, through awaits and timers', async () => {
    const app = ROOT_CONTEXT.setValue(TENANT, 'acme');
    const seen = await context.with(app, () =>
      withNoopSpan(async () => {
        const active = context.active();
        await Promise.resolve();
        const afterAwait = context.active();
        const inTimer = await new Promise((resolve) => setTimeout(() => resolve(context.active()), 1));
        return [active === app, afterAwait === app, inTimer === app, context.active().getValue(TENANT)];
      }),
    );
    expect(seen).toEqual([true, true, true, 'acme']);
    expect(entered).toBe(1);
  });

  it('a non-recording child of a propagated span context: the parent’s span context is read inside', () => {
    const remote = trace.setSpanContext(ROOT_CONTEXT, { ...VALID, isRemote: true });
    const seen = context.with(remote, () =>
      withNoopSpan((span) => [span.spanContext(), trace.getSpanContext(context.active()), context.active() === remote]),
    );
    expect(seen[0]).toBe(seen[1]);
    expect(seen[2]).toBe(true);
    expect(entered).toBe(1);
  });

  it('the active context itself', () => {
    const app = ROOT_CONTEXT.setValue(TENANT, 'acme');
    context.with(app, () => context.with(context.active(), () => expect(context.active()).toBe(app)));
    context.with(ROOT_CONTEXT, () => expect(context.active()).toBe(ROOT_CONTEXT));
    expect(entered).toBe(1);
  });

  it('calls the function as the stock manager does: arguments, this, return value, exceptions', () => {
    const inert = trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ ...VALID, traceId: '0'.repeat(32) }));
    const self = { name: 'self' };
    function calledWith(this: unknown, a: number, b: string) {
      return [this, a, b];
    }
    expect(context.with(inert, calledWith, self, 1, 'two')).toEqual([self, 1, 'two']);
    expect(context.with(inert, calledWith, undefined, 3, 'four')).toEqual([null, 3, 'four']);
    const failure = new Error('the app’s own');
    expect(() =>
      context.with(inert, () => {
        throw failure;
      }),
    ).toThrow(failure);
    expect(entered).toBe(0);
  });
});

describe('LeanContextManager: every other context is entered', () => {
  const cases: Array<[string, () => Context]> = [
    ['a recording span', () => trace.setSpan(context.active(), recordingTracer.startSpan('recorded'))],
    ['a non-recording span with a span context to propagate', () => trace.setSpan(context.active(), trace.wrapSpanContext(VALID))],
    [
      'another value beside a no-op span',
      () => trace.setSpan(context.active(), trace.wrapSpanContext({ ...VALID, traceId: '0'.repeat(32) })).setValue(TENANT, 'globex'),
    ],
    ['baggage', () => propagation.setBaggage(context.active(), propagation.createBaggage({ tenant: { value: 'acme' } }))],
    ['a value removed', () => context.active().deleteValue(TENANT)],
    [
      'a context of another implementation',
      () => ({ getValue: () => undefined, setValue: () => ROOT_CONTEXT, deleteValue: () => ROOT_CONTEXT }),
    ],
    [
      'a span that throws when read',
      () =>
        trace.setSpan(context.active(), {
          isRecording: () => false,
          spanContext: () => {
            throw new Error('unreadable');
          },
        } as unknown as Span),
    ],
  ];

  it.each(cases)('%s', (_name, make) => {
    const app = ROOT_CONTEXT.setValue(TENANT, 'acme');
    const seen = context.with(app, () => {
      const next = make();
      return context.with(next, () => context.active() === next);
    });
    expect(seen).toBe(true);
    expect(entered).toBe(2);
  });

  it('a no-op span with no span context over a span context to propagate: entered, so nothing is parented to it', () => {
    const remote = trace.setSpanContext(ROOT_CONTEXT, { ...VALID, isRemote: true });
    const cut = trace.setSpan(remote, trace.wrapSpanContext({ ...VALID, traceId: '0'.repeat(32) }));
    const seen = context.with(remote, () => context.with(cut, () => trace.getSpanContext(context.active())?.traceId));
    expect(seen).toBe('0'.repeat(32));
    expect(entered).toBe(2);
  });

  it('a no-op span under a recording one: entered', () => {
    const parent = trace.setSpan(ROOT_CONTEXT, recordingTracer.startSpan('parent'));
    const child = trace.setSpan(parent, trace.wrapSpanContext({ ...VALID, traceId: '0'.repeat(32) }));
    const seen = context.with(parent, () => context.with(child, () => context.active() === child));
    expect(seen).toBe(true);
    expect(entered).toBe(2);
  });

  it('a function bound to a no-op span context, called from another context: runs without the caller’s values', () => {
    const bound = context.bind(trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ ...VALID, traceId: '0'.repeat(32) })), () =>
      context.active().getValue(TENANT),
    );
    expect(bound()).toBeUndefined();
    expect(entered).toBe(0);
    expect(context.with(ROOT_CONTEXT.setValue(TENANT, 'acme'), bound)).toBeUndefined();
    expect(entered).toBe(2);
  });
});
