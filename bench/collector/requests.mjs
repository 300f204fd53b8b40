// OTLP trace requests for the collector benchmarks: 512 GenAI spans per request, one trace per span,
// in four dialects in equal parts (semconv from the official instrumentation, OpenLLMetry,
// OpenInference, the AI SDK), none of them priced. Shared by collector.bench.mjs and
// collector-enrich.bench.mjs, so both measure the same bytes.

/** GenAI spans per request. */
export const SPANS_PER_REQUEST = 512;

const kv = (key, value) =>
  typeof value === 'string'
    ? { key, value: { stringValue: value } }
    : Number.isInteger(value)
      ? { key, value: { intValue: String(value) } }
      : { key, value: { doubleValue: value } };

export const DIALECTS = [
  {
    scope: '@opentelemetry/instrumentation-openai',
    name: 'chat gpt-4o',
    attrs: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 300,
      'server.address': 'api.openai.com',
    },
  },
  {
    scope: 'opentelemetry.instrumentation.anthropic',
    name: 'anthropic.chat',
    attrs: {
      'gen_ai.system': 'Anthropic',
      'llm.request.type': 'chat',
      'gen_ai.request.model': 'claude-sonnet-4-20250514',
      'gen_ai.usage.prompt_tokens': 1500,
      'gen_ai.usage.cache_read_input_tokens': 1000,
      'gen_ai.usage.completion_tokens': 400,
      'llm.usage.total_tokens': 1900,
    },
  },
  {
    scope: 'openinference.instrumentation.openai',
    name: 'ChatCompletion',
    attrs: {
      'openinference.span.kind': 'LLM',
      'llm.provider': 'openai',
      'llm.model_name': 'gpt-4o-mini-2024-07-18',
      'llm.token_count.prompt': 800,
      'llm.token_count.completion': 120,
    },
  },
  {
    scope: 'ai',
    name: 'ai.generateText.doGenerate',
    attrs: {
      'ai.operationId': 'ai.generateText.doGenerate',
      'ai.model.id': 'gemini-2.5-flash',
      'ai.model.provider': 'google.generative-ai',
      'ai.usage.inputTokens': 2000,
      'ai.usage.outputTokens': 500,
    },
  },
];

const hex = (n, width) => n.toString(16).padStart(width, '0');

/**
 * A request maker: each call returns one encoded `ExportTraceServiceRequest` (protobuf) whose
 * trace and span ids follow the previous request's. `jsonToProtobuf` is the stage's OTLP JSON encoder.
 */
export function requestMaker(jsonToProtobuf) {
  let nextId = 1;
  return function request() {
    const scopes = DIALECTS.map((d) => ({ scope: { name: d.scope, version: '1.0.0' }, spans: [] }));
    for (let i = 0; i < SPANS_PER_REQUEST; i++) {
      const d = i % DIALECTS.length;
      const id = nextId++;
      scopes[d].spans.push({
        traceId: hex(id, 32),
        spanId: hex(id, 16),
        name: DIALECTS[d].name,
        kind: 3,
        startTimeUnixNano: '1764000000000000000',
        endTimeUnixNano: '1764000001000000000',
        attributes: Object.entries(DIALECTS[d].attrs).map(([k, v]) => kv(k, v)),
      });
    }
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [kv('service.name', 'bench'), kv('telemetry.sdk.language', 'python')] },
          scopeSpans: scopes,
        },
      ],
    };
    return Buffer.from(jsonToProtobuf('traces', Buffer.from(JSON.stringify(body))));
  };
}
