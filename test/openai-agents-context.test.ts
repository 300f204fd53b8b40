import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runOpenAIContextAppForSuite } from './support/hooked-suite';
import { OTLP_STATUS_CODE, type OtlpSpan } from './support/otlp-receiver';
import { E2E_DIR } from './support/run-app';

// OpenAI Agents SDK runs whose context must stay apart (test/fixtures/openai-agents/context-app.cjs):
// concurrent runs, the app's attribution around a run, the app's own Runner, a tool making a raw
// openai call under its own attribution, a model over Chat Completions, a failing call. 9 model
// calls, each one span.
const APP = join(E2E_DIR, 'fixtures', 'openai-agents', 'context-app.cjs');
const attr = (s: OtlpSpan, key: string) => s.attributes[key];
const agentOf = (spans: OtlpSpan[], agent: string) => spans.filter((s) => attr(s, 'tokenomics.attribution.agent') === agent);

describe('OpenAI Agents SDK context through the hook', () => {
  const run = runOpenAIContextAppForSuite(APP, 9);

  it('keeps concurrent runs apart: each call carries the agent of its own run', () => {
    // north asked for 7 output tokens, south for 9.
    expect(agentOf(run.spans, 'north').map((s) => attr(s, 'gen_ai.usage.output_tokens'))).toEqual([7]);
    expect(agentOf(run.spans, 'south').map((s) => attr(s, 'gen_ai.usage.output_tokens'))).toEqual([9]);
  });

  it("merges the app's attribution with the agent, also for a Runner of the app's own", () => {
    expect(agentOf(run.spans, 'desk').map((s) => attr(s, 'tokenomics.attribution.tenant'))).toEqual(['acme']);
    expect(agentOf(run.spans, 'own-runner')).toHaveLength(1);
  });

  it("attributes a tool's own client call to the agent running the tool and the tool's attribution", () => {
    const researcher = agentOf(run.spans, 'researcher');
    expect(researcher).toHaveLength(3);
    expect(researcher.filter((s) => attr(s, 'tokenomics.attribution.feature') === 'lookup')).toHaveLength(1);
  });

  it('attributes a model over Chat Completions the same way', () => {
    const [chat] = agentOf(run.spans, 'chat-agent');
    expect(chat.name).toBe('chat gpt-4o-mini');
    expect(run.hookedRequests.filter((r) => r.path.endsWith('/chat/completions'))).toHaveLength(2);
  });

  it('records a failed call once, as an error span of its agent, and the app sees the same error', () => {
    const [failed] = agentOf(run.spans, 'failing');
    expect(failed.status.code).toBe(OTLP_STATUS_CODE.ERROR);
    expect(attr(failed, 'error.type')).toBe('429');
    expect(run.spans.filter((s) => s.status.code === OTLP_STATUS_CODE.ERROR)).toHaveLength(1);
    expect(run.stdout).toContain('failing: RateLimitError 429');
    expect(run.stdout).toBe(run.unhookedStdout);
  });
});
