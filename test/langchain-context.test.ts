import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runOpenAIContextAppForSuite } from './support/hooked-suite';
import { OTLP_STATUS_CODE, type OtlpSpan } from './support/otlp-receiver';
import { E2E_DIR } from './support/run-app';

// LangChain.js runs whose context must stay apart (test/fixtures/langchain/context-app.cjs):
// concurrent chains, the app's attribution around and over a chain, streamEvents, a failing call
// a raw openai call inside a chain, the Responses API and LangGraph's prebuilt agent. 9 model
// calls, each one span.
const APP = join(E2E_DIR, 'fixtures', 'langchain', 'context-app.cjs');
const attr = (s: OtlpSpan, key: string) => s.attributes[key];
const chainOf = (spans: OtlpSpan[], chain: string) => spans.filter((s) => attr(s, 'tokenomics.attribution.chain') === chain);

describe('LangChain.js context through the hook', () => {
  const run = runOpenAIContextAppForSuite(APP, 9);

  it('keeps concurrent chains apart: each call carries the chain that made it', () => {
    // alpha asked for 7 output tokens, beta for 9.
    expect(chainOf(run.spans, 'alpha').map((s) => attr(s, 'gen_ai.usage.output_tokens'))).toEqual([7]);
    expect(chainOf(run.spans, 'beta').map((s) => attr(s, 'gen_ai.usage.output_tokens'))).toEqual([9]);
  });

  it("merges the app's attribution with the chain, and the app's own chain key wins", () => {
    const [gamma] = chainOf(run.spans, 'gamma');
    expect(attr(gamma, 'tokenomics.attribution.tenant')).toBe('acme');
    expect(chainOf(run.spans, 'billing')).toHaveLength(1);
    expect(chainOf(run.spans, 'delta')).toHaveLength(0);
  });

  it('attributes calls made through streamEvents and raw client calls inside a chain', () => {
    expect(chainOf(run.spans, 'events')).toHaveLength(1);
    expect(chainOf(run.spans, 'raw-client')).toHaveLength(1);
  });

  it('attributes ChatOpenAI over the Responses API once, like Chat Completions', () => {
    expect(run.hookedRequests.filter((r) => r.path.endsWith('/responses'))).toHaveLength(1);
    const [viaResponses] = chainOf(run.spans, 'responses');
    expect(viaResponses.name).toBe('chat gpt-4o-mini');
    expect(attr(viaResponses, 'gen_ai.usage.cost.amount')).toBeGreaterThan(0);
  });

  it("names LangGraph's prebuilt agent and its node when the app loads only @langchain/langgraph/prebuilt", () => {
    expect(chainOf(run.spans, 'helpdesk').map((s) => attr(s, 'tokenomics.attribution.graph_node'))).toEqual(['agent']);
  });

  it('records a failed call once, as an error span of its chain, and the app sees the same error', () => {
    const [failed] = chainOf(run.spans, 'failing');
    expect(failed.status.code).toBe(OTLP_STATUS_CODE.ERROR);
    expect(attr(failed, 'error.type')).toBe('429');
    expect(run.spans.filter((s) => s.status.code === OTLP_STATUS_CODE.ERROR)).toHaveLength(1);
    expect(run.stdout).toContain('failing: RateLimitError 429');
    expect(run.stdout).toBe(run.unhookedStdout);
  });
});
