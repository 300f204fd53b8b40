/**
 * Span dialects without semconv names: OpenInference, older OpenLLMetry and the Vercel AI SDK's own
 * telemetry. Figures by hand from rate-card.ts (USD per million tokens): gpt-4o $2.50 input / $1.25
 * cached input / $10 output; claude-sonnet-4 $3 input / $0.30 cache read / $3.75 cache write / $15
 * output; o4-mini $1.10 / $4.40 (reasoning billed as output).
 */
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { CostEnrichingSpanExporter } from '../src/index';
import { exportBatch, recordSpans, START } from './harness';
import { RateCard } from './rate-card';

async function enrich(build: Parameters<typeof recordSpans>[0]) {
  const book = new RateCard();
  const sink = new InMemorySpanExporter();
  const exporter = new CostEnrichingSpanExporter(sink, { priceBook: book });
  await exportBatch(exporter, recordSpans(build));
  return { spans: sink.getFinishedSpans(), book };
}

describe('OpenInference', () => {
  it('prices an LLM span from llm.token_count.* and llm.model_name (gpt-4o: 200 x $2.50 + 1000 x $1.25 + 300 x $10 per M = $0.00475)', async () => {
    const { spans, book } = await enrich((t) =>
      t('openinference.instrumentation.openai')
        .span('ChatCompletion', {
          'openinference.span.kind': 'LLM',
          'llm.system': 'openai',
          'llm.provider': 'openai',
          'llm.model_name': 'gpt-4o-2024-08-06',
          'llm.token_count.prompt': 1200,
          'llm.token_count.prompt_details.cache_read': 1000,
          'llm.token_count.completion': 300,
          'llm.token_count.total': 1500,
        })
        .end(),
    );
    expect(spans[0].attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.00475, 12);
    expect(book.calls).toEqual([
      {
        usage: { inputTokens: 1200, outputTokens: 300, cacheReadTokens: 1000 },
        opts: { model: 'gpt-4o-2024-08-06', provider: 'openai', operation: 'chat', at: START },
      },
    ]);
  });

  it('prices Anthropic cache write from llm.token_count.prompt_details.cache_write (2000 x $3 + 500 x $0.30 + 1000 x $3.75 + 100 x $15 per M = $0.0114)', async () => {
    const { spans } = await enrich((t) =>
      t('openinference.instrumentation.anthropic')
        .span('Messages', {
          'openinference.span.kind': 'LLM',
          'llm.provider': 'anthropic',
          'llm.model_name': 'claude-sonnet-4',
          'llm.token_count.prompt': 3500,
          'llm.token_count.prompt_details.cache_read': 500,
          'llm.token_count.prompt_details.cache_write': 1000,
          'llm.token_count.completion': 100,
        })
        .end(),
    );
    expect(spans[0].attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.0114, 12);
    expect(spans[0].attributes['tokenomics.cost.cache_write']).toBeCloseTo(0.00375, 12);
  });

  it('leaves CHAIN and AGENT spans untouched (neither priced nor marked unpriced) even when they carry the token totals of their calls', async () => {
    const { spans, book } = await enrich((t) => {
      const agent = t('openinference.instrumentation.langchain').span('AgentExecutor', {
        'openinference.span.kind': 'AGENT',
        'llm.token_count.prompt': 5000,
        'llm.token_count.completion': 800,
      });
      t('openinference.instrumentation.langchain')
        .span(
          'RunnableSequence',
          { 'openinference.span.kind': 'CHAIN', 'llm.token_count.prompt': 5000, 'llm.token_count.completion': 800 },
          agent,
        )
        .end();
      agent.end();
    });
    expect(book.calls).toEqual([]);
    for (const span of spans) {
      expect(span.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
      expect(span.attributes['tokenomics.unpriced']).toBeUndefined();
    }
  });
});

describe('Vercel AI SDK telemetry', () => {
  it('prices the doGenerate span from ai.usage.* (AI SDK 5) and not the ai.generateText span around it (o4-mini: 1000 x $1.10 + 600 x $4.40 per M = $0.00374)', async () => {
    const { spans, book } = await enrich((t) => {
      const outer = t('ai').span('ai.generateText', {
        'ai.operationId': 'ai.generateText',
        'ai.model.id': 'o4-mini',
        'ai.model.provider': 'openai.responses',
        'ai.usage.inputTokens': 1000,
        'ai.usage.outputTokens': 600,
      });
      t('ai')
        .span(
          'ai.generateText.doGenerate',
          {
            'ai.operationId': 'ai.generateText.doGenerate',
            'ai.model.id': 'o4-mini',
            'ai.model.provider': 'openai.responses',
            'ai.usage.inputTokens': 1000,
            'ai.usage.outputTokens': 600,
            'ai.usage.reasoningTokens': 400,
          },
          outer,
        )
        .end();
      outer.end();
    });
    const inner = spans.find((s) => s.name === 'ai.generateText.doGenerate')!;
    const outer = spans.find((s) => s.name === 'ai.generateText')!;
    expect(inner.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.00374, 12);
    expect(outer.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
    expect(outer.attributes['tokenomics.unpriced']).toBeUndefined();
    // The span shows no cache count and o4-mini's cached input is priced differently: the price
    // book is asked once more with the whole input cached, and the input cost is flagged estimated.
    expect(inner.attributes['tokenomics.usage.estimated']).toBe(true);
    expect(book.calls).toEqual([
      {
        usage: { inputTokens: 1000, outputTokens: 600, reasoningTokens: 400 },
        opts: { model: 'o4-mini', provider: 'openai', operation: 'chat', at: START },
      },
      {
        usage: { inputTokens: 1000, cacheReadTokens: 1000, outputTokens: 600, reasoningTokens: 400 },
        opts: { model: 'o4-mini', provider: 'openai', operation: 'chat', at: START },
      },
    ]);
  });

  it('reads AI SDK 4 ai.usage.promptTokens/completionTokens with cached input from ai.usage.cachedInputTokens (gpt-4o: 200 x $2.50 + 800 x $1.25 + 50 x $10 per M = $0.002)', async () => {
    const { spans } = await enrich((t) =>
      t('ai')
        .span('ai.streamText.doStream', {
          'ai.operationId': 'ai.streamText.doStream',
          'ai.model.id': 'gpt-4o',
          'ai.model.provider': 'openai.chat',
          'ai.usage.promptTokens': 1000,
          'ai.usage.cachedInputTokens': 800,
          'ai.usage.completionTokens': 50,
        })
        .end(),
    );
    expect(spans[0].attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.002, 12);
  });
});

describe('older OpenLLMetry releases', () => {
  it('prices llm.usage.prompt_tokens/completion_tokens (gpt-4o: 1000 x $2.50 + 100 x $10 per M = $0.0035)', async () => {
    const { spans } = await enrich((t) =>
      t('opentelemetry.instrumentation.openai')
        .span('openai.chat', {
          'llm.request.type': 'chat',
          'gen_ai.system': 'OpenAI',
          'gen_ai.request.model': 'gpt-4o',
          'llm.usage.prompt_tokens': 1000,
          'llm.usage.completion_tokens': 100,
        })
        .end(),
    );
    expect(spans[0].attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.0035, 12);
  });
});
