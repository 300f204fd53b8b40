import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeSDK } from '@opentelemetry/sdk-node';
import * as agents from '@openai/agents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIAgentsInstrumentation } from '../packages/instrumentation/src/openai-agents/instrumentation';
import { getAttribution, withAttribution } from '../packages/instrumentation/src/genai/attribution';
import { MAX_FRAMEWORK_NAME_LENGTH } from '../packages/instrumentation/src/langchain/attribution-keys';

// OpenAIAgentsInstrumentation.patchModule on the Agents SDK loaded outside the module hooks (as in a
// bundle), in process, with the real OpenTelemetry SDK's context manager and a model of the app's
// own: the attribution each model call runs in. Calls through the openai client are covered by
// openai-agents-hook.test.ts; any model the SDK calls gets the same attribution (a client whose
// instrumentation records it carries it).

type Reply = { handoffTo?: string };

/** A model that notes the attribution of each call and hands off (once) or answers. */
class RecordingModel {
  readonly seen: Array<Record<string, string>> = [];
  constructor(private readonly replies: Reply[]) {}

  async getResponse() {
    this.seen.push({ ...getAttribution() });
    const reply = this.replies.shift() ?? {};
    const output = reply.handoffTo
      ? [
          {
            type: 'function_call',
            callId: `call_${this.seen.length}`,
            name: `transfer_to_${reply.handoffTo}`,
            arguments: '{}',
            status: 'completed',
          },
        ]
      : [{ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'done' }] }];
    return { usage: new agents.Usage({ requests: 1, inputTokens: 3, outputTokens: 2, totalTokens: 5 }), output };
  }

  getStreamedResponse(): AsyncIterable<never> {
    return {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('not streamed in this test')) }),
    };
  }
}

let sdk: NodeSDK;
const instrumentation = new OpenAIAgentsInstrumentation();
let patched = 0;

beforeAll(() => {
  agents.setTracingDisabled(true);
  sdk = new NodeSDK({ traceExporter: new InMemorySpanExporter(), instrumentations: [] });
  sdk.start();
  patched = instrumentation.patchModule(agents);
});

afterAll(async () => {
  instrumentation.disable();
  await sdk.shutdown();
});

const agent = (name: string, model: RecordingModel, handoffs: agents.Agent[] = []) =>
  new agents.Agent({ name, instructions: 'x', model: model as unknown as agents.Model, handoffs });

describe('the Agents SDK patched with patchModule', () => {
  it('patches the Runner once', () => {
    expect(patched).toBe(2);
    expect(instrumentation.patchModule(agents)).toBe(0);
  });

  it('attributes each model call to the agent making it, the agent handed to after a handoff', async () => {
    const model = new RecordingModel([{ handoffTo: 'refunds' }, {}]);
    const refunds = agent('refunds', model);
    const result = await agents.run(agent('triage', model, [refunds]), 'refund please');
    expect(result.lastAgent?.name).toBe('refunds');
    expect(model.seen).toEqual([{ agent: 'triage' }, { agent: 'refunds' }]);
  });

  it("keeps the app's keys, and its own agent key wins", async () => {
    const model = new RecordingModel([{}, {}]);
    await withAttribution({ tenant: 'acme' }, () => agents.run(agent('desk', model), 'hi'));
    await withAttribution({ agent: 'named-by-app' }, () => agents.run(agent('desk', model), 'hi'));
    expect(model.seen).toEqual([{ tenant: 'acme', agent: 'desk' }, { agent: 'named-by-app' }]);
  });

  it('leaves the attribution of the code around a run as it was', async () => {
    await agents.run(agent('scoped', new RecordingModel([{}])), 'hi');
    expect(getAttribution()).toEqual({});
  });

  it('cuts a long agent name to the maximum length', async () => {
    const model = new RecordingModel([{}]);
    await agents.run(agent('a'.repeat(300), model), 'hi');
    expect(model.seen).toEqual([{ agent: 'a'.repeat(MAX_FRAMEWORK_NAME_LENGTH) }]);
  });

  it('changes nothing once disabled', async () => {
    const model = new RecordingModel([{}]);
    instrumentation.disable();
    try {
      await agents.run(agent('off', model), 'hi');
      expect(model.seen).toEqual([{}]);
    } finally {
      instrumentation.enable();
    }
  });
});
