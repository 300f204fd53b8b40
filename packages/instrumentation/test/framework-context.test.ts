import { context, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAttribution, mergeAttribution, setLiveAttribution, withAttribution } from '../src/genai/attribution';
import { bindAsyncIterator } from '../src/langchain/bound-iterator';
import { frameworkAttributionRead, noteMetricAttributionKeys } from '../src/genai/framework-attribution';
import { frameworkName, MAX_FRAMEWORK_NAME_LENGTH } from '../src/langchain/attribution-keys';

// The context plumbing of the framework instrumentations (LangChain, Agents SDK), on the real
// OpenTelemetry context manager. Their behaviour with the frameworks themselves is proven end to
// end in test/langchain-*.test.ts and test/openai-agents-*.test.ts.

const manager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  manager.enable();
  context.setGlobalContextManager(manager);
});
afterAll(() => {
  context.disable();
});

describe('live attribution', () => {
  it('is read when asked, so a handoff inside one context changes the agent of later calls', () => {
    const cell = { agent: 'triage' };
    const ctx = setLiveAttribution(ROOT_CONTEXT, () => ({ agent: cell.agent }));
    expect(getAttribution(ctx)).toEqual({ agent: 'triage' });
    cell.agent = 'refunds';
    expect(getAttribution(ctx)).toEqual({ agent: 'refunds' });
  });

  it("gives way to the app's own keys and keeps them", () => {
    const ctx = setLiveAttribution(mergeAttribution(ROOT_CONTEXT, { tenant: 'acme', agent: 'mine' }), () => ({
      agent: 'framework',
      step: '2',
    }));
    expect(getAttribution(ctx)).toEqual({ tenant: 'acme', agent: 'mine', step: '2' });
  });

  it('is not frozen into a nested withAttribution: the nested scope still follows the framework', () => {
    const cell = { agent: 'triage' };
    const ctx = setLiveAttribution(ROOT_CONTEXT, () => ({ agent: cell.agent }));
    context.with(ctx, () =>
      withAttribution({ feature: 'lookup' }, () => {
        cell.agent = 'refunds';
        expect(getAttribution()).toEqual({ agent: 'refunds', feature: 'lookup' });
      }),
    );
  });

  it('falls back to the fixed attribution when the source throws or reports nothing', () => {
    const base = mergeAttribution(ROOT_CONTEXT, { tenant: 'acme' });
    expect(
      getAttribution(
        setLiveAttribution(base, () => {
          throw new Error('broken framework state');
        }),
      ),
    ).toEqual({ tenant: 'acme' });
    expect(getAttribution(setLiveAttribution(base, () => undefined))).toEqual({ tenant: 'acme' });
  });

  it('returns a frozen snapshot, so a call keeps the values it started with', () => {
    const cell = { agent: 'a' };
    const snapshot = getAttribution(setLiveAttribution(ROOT_CONTEXT, () => ({ agent: cell.agent })));
    cell.agent = 'b';
    expect(snapshot).toEqual({ agent: 'a' });
    expect(Object.isFrozen(snapshot)).toBe(true);
  });
});

describe('bindAsyncIterator', () => {
  async function* numbers(seen: Array<string | undefined>) {
    for (let i = 0; i < 3; i++) {
      seen.push(getAttribution().chain);
      yield i;
    }
    return 'done';
  }

  it('runs every step in the bound context, whoever steps it, and yields the same values', async () => {
    const seen: Array<string | undefined> = [];
    const bound = bindAsyncIterator(numbers(seen), mergeAttribution(ROOT_CONTEXT, { chain: 'graph' }));
    const values: number[] = [];
    await withAttribution({ chain: 'reader' }, async () => {
      for await (const n of bound) values.push(n);
    });
    expect(values).toEqual([0, 1, 2]);
    expect(seen).toEqual(['graph', 'graph', 'graph']);
  });

  it('enters no context for a step taken in the context it was bound to', async () => {
    const ctx = mergeAttribution(ROOT_CONTEXT, { chain: 'graph' });
    const seen: Array<string | undefined> = [];
    const bound = bindAsyncIterator(numbers(seen), ctx);
    const entered: unknown[] = [];
    const withContext = manager.with.bind(manager);
    manager.with = ((c: Context, ...rest: unknown[]) => {
      entered.push(c);
      return (withContext as (...a: unknown[]) => unknown)(c, ...rest);
    }) as typeof manager.with;
    try {
      await context.with(ctx, async () => {
        entered.length = 0;
        for await (const _ of bound) void _;
      });
    } finally {
      manager.with = withContext;
    }
    expect(seen).toEqual(['graph', 'graph', 'graph']);
    expect(entered).toEqual([]);
  });

  it('passes return and throw through to the generator', async () => {
    const bound = bindAsyncIterator(numbers([]), ROOT_CONTEXT);
    expect(await bound.next()).toEqual({ value: 0, done: false });
    expect(await bound.return('stopped')).toEqual({ value: 'stopped', done: true });
    const other = bindAsyncIterator(numbers([]), ROOT_CONTEXT);
    await other.next();
    await expect(other.throw(new Error('cancel'))).rejects.toThrow('cancel');
  });

  it('is still an async generator to checks on its prototype, and leaves non-iterators alone', () => {
    const gen = numbers([]);
    const bound = bindAsyncIterator(gen, ROOT_CONTEXT);
    expect(Object.getPrototypeOf(bound)).toBe(Object.getPrototypeOf(gen));
    expect(bound[Symbol.asyncIterator]()).toBe(bound);
    const promise = Promise.resolve(1);
    expect(bindAsyncIterator(promise, ROOT_CONTEXT)).toBe(promise);
    expect(bindAsyncIterator(undefined, ROOT_CONTEXT)).toBeUndefined();
  });
});

describe('frameworkName', () => {
  it('keeps non-empty strings, cut to the maximum length, and nothing else', () => {
    expect(frameworkName('ticket-graph')).toBe('ticket-graph');
    expect(frameworkName('x'.repeat(500))).toHaveLength(MAX_FRAMEWORK_NAME_LENGTH);
    for (const value of ['', 42, null, undefined, { toString: () => 'x' }]) expect(frameworkName(value)).toBeUndefined();
  });
});

describe('frameworkAttributionRead', () => {
  it('reads a framework key only with a tracer provider registered, or as a metric attribution key', () => {
    expect(frameworkAttributionRead('chain', {})).toBe(false);
    expect(frameworkAttributionRead('chain', { attributionKeys: ['tenant', 'feature'] })).toBe(false);
    expect(frameworkAttributionRead('chain', { attributionKeys: ['tenant', 'chain'] })).toBe(true);

    // A recorder's keys count for every framework instrumentation.
    noteMetricAttributionKeys(new Set(['tenant', 'graph_node']));
    expect(frameworkAttributionRead('graph_node', {})).toBe(true);
    expect(frameworkAttributionRead('agent', {})).toBe(false);

    trace.setGlobalTracerProvider(new BasicTracerProvider());
    try {
      expect(frameworkAttributionRead('agent', {})).toBe(true);
      expect(frameworkAttributionRead('chain', { attributionKeys: [] })).toBe(true);
    } finally {
      trace.disable();
    }
    expect(frameworkAttributionRead('agent', {})).toBe(false);
  });
});
