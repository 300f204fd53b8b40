import { context } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeSDK } from '@opentelemetry/sdk-node';
import * as chatModels from '@langchain/core/language_models/chat_models';
import * as runnables from '@langchain/core/runnables';
import * as langgraph from '@langchain/langgraph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LangChainInstrumentation } from '../packages/instrumentation/src/langchain/instrumentation';
import { getAttribution } from '../packages/instrumentation/src/genai/attribution';
import { MAX_FRAMEWORK_NAME_LENGTH } from '../packages/instrumentation/src/langchain/attribution-keys';

// LangChainInstrumentation.patchModule on LangChain modules loaded outside the module hooks (as in
// a bundle), in process, with the real OpenTelemetry SDK's context manager: what a run's code sees
// as its attribution. Model calls through real clients are covered by langchain-hook.test.ts.

/** A chat model of the app's own: it answers with a fixed text and notes the attribution it ran in. */
class RecordingChatModel extends chatModels.SimpleChatModel {
  readonly seen: Array<Record<string, string>> = [];
  _llmType() {
    return 'recording';
  }
  async _call() {
    this.seen.push({ ...getAttribution() });
    return 'noted';
  }
}

let sdk: NodeSDK;
const instrumentation = new LangChainInstrumentation();
let patched = 0;

beforeAll(() => {
  sdk = new NodeSDK({ traceExporter: new InMemorySpanExporter(), instrumentations: [] });
  sdk.start();
  patched = instrumentation.patchModule(runnables) + instrumentation.patchModule(chatModels) + instrumentation.patchModule(langgraph);
});

afterAll(async () => {
  instrumentation.disable();
  await sdk.shutdown();
});

const observe = (seen: Array<string | undefined>) =>
  runnables.RunnableLambda.from(async (x: number) => {
    seen.push(getAttribution().chain);
    return x + 1;
  });

describe('LangChain modules patched with patchModule', () => {
  it('patches each module once', () => {
    expect(patched).toBeGreaterThan(0);
    expect(instrumentation.patchModule(runnables) + instrumentation.patchModule(chatModels)).toBe(0);
  });

  it('names the chain by the outermost run, for every step inside it', async () => {
    const seen: Array<string | undefined> = [];
    const inner = observe(seen).withConfig({ runName: 'inner' });
    const outer = runnables.RunnableSequence.from([observe(seen), inner, observe(seen)]).withConfig({ runName: 'pipeline' });
    expect(await outer.invoke(1)).toBe(4);
    expect(seen).toEqual(['pipeline', 'pipeline', 'pipeline']);
    expect(await outer.batch([1, 2])).toEqual([4, 5]);
    const streamed: number[] = [];
    for await (const chunk of await outer.stream(1)) streamed.push(chunk);
    expect(streamed).toEqual([4]);
    expect(seen.slice(3)).toEqual(new Array(9).fill('pipeline'));
  });

  it('takes the run name of the call over the class name, cut to the maximum length', async () => {
    const seen: Array<string | undefined> = [];
    await observe(seen).invoke(1, { runName: 'n'.repeat(300) });
    await runnables.RunnableSequence.from([observe(seen), observe(seen)]).invoke(1);
    expect(seen[0]).toBe('n'.repeat(MAX_FRAMEWORK_NAME_LENGTH));
    expect(seen.slice(1)).toEqual(['RunnableSequence', 'RunnableSequence']);
  });

  it('gives a model call inside a LangGraph node the graph and the node, and a direct model call neither', async () => {
    const model = new RecordingChatModel({});
    const graph = new langgraph.StateGraph(langgraph.MessagesAnnotation)
      .addNode('plan', async (state) => ({ messages: [await model.invoke(state.messages)] }))
      .addEdge(langgraph.START, 'plan')
      .addEdge('plan', langgraph.END)
      .compile();
    await graph.invoke({ messages: [{ role: 'user', content: 'go' }] }, { runName: 'planner' });
    await model.invoke('direct');
    expect(model.seen).toEqual([{ chain: 'planner', graph_node: 'plan' }, {}]);
  });

  it('leaves the context of the code around a run as it was', async () => {
    const before = context.active();
    await observe([]).invoke(1, { runName: 'scoped' });
    expect(context.active()).toBe(before);
    expect(getAttribution()).toEqual({});
  });

  it('changes nothing once disabled', async () => {
    const seen: Array<string | undefined> = [];
    instrumentation.disable();
    try {
      expect(await observe(seen).invoke(1, { runName: 'off' })).toBe(2);
      expect(seen).toEqual([undefined]);
    } finally {
      instrumentation.enable();
    }
  });
});
