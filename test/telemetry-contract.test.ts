/**
 * The hook's telemetry and the exporter's reader speak the one contract (`@tokenomics/contract`):
 * real calls from four client libraries through the hook to the provider emulator, read back over
 * OTLP. Every attribute and metric name the instrumentation emits is a name the contract exports,
 * each metric is declared with the contract's unit, and the exporter's reader, given the spans the
 * instrumentation wrote, reads the same usage, provider and models and prices them to the same cost.
 */
import type { Emulator } from '@tokenomics/emulator';
import { getPriceBook } from '@tokenomics/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Not dependencies of the test workspace: read from the packages' sources.
import * as contract from '../packages/contract/src/index';
import * as exporterNames from '../packages/exporter/src/attribute-names';
import { readGenAiCall } from '../packages/exporter/src/index';
import * as recorderNames from '../packages/instrumentation/src/genai/semconv';
import type { OtlpAttributes, OtlpMetricPoint, OtlpReceiver, OtlpSpan } from './support/otlp-receiver';
import { exampleFlavours, runHookedExample } from './support/examples';

/** Every string the contract exports: the names (and values) it owns. */
const CONTRACT_STRINGS: ReadonlySet<string> = new Set(
  (Object.values(contract) as unknown[]).filter((v): v is string => typeof v === 'string'),
);
/** Name families the contract owns by prefix (`tokenomics.cost.<unit>`, `tokenomics.attribution.<key>`). */
const CONTRACT_PREFIXES = [contract.ATTR_TOKENOMICS_COST_PREFIX, contract.ATTR_TOKENOMICS_ATTRIBUTION_PREFIX];
/** Metric declarations the contract holds, by name. */
const DEFINITIONS = new Map(
  Object.values(contract)
    .filter((v): v is contract.MetricDefinition => typeof v === 'object' && v !== null && 'name' in v && 'unit' in v)
    .map((d) => [d.name, d]),
);

function inContract(name: string): boolean {
  if (CONTRACT_STRINGS.has(name)) return true;
  const prefix = CONTRACT_PREFIXES.find((p) => name.startsWith(p));
  return prefix !== undefined && name.length > prefix.length;
}

interface Run {
  readonly kind: string;
  readonly example: string;
  readonly scope: string;
  readonly spans: number;
  readonly env: (emulator: Emulator) => Record<string, string>;
}

const RUNS: Run[] = [
  {
    kind: 'openai',
    example: 'openai',
    scope: '@tokenomics/instrumentation-openai',
    spans: 7,
    env: (emulator) => ({ OPENAI_BASE_URL: emulator.openaiBaseURL, OPENAI_API_KEY: 'sk-e2e-secret-000' }),
  },
  {
    // with the opt-in, so the deprecated names the instrumentation can emit are checked too
    kind: 'anthropic with OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai/dup',
    example: 'anthropic',
    scope: '@tokenomics/instrumentation-anthropic',
    spans: 7,
    env: (emulator) => ({
      ANTHROPIC_BASE_URL: emulator.anthropicBaseURL,
      ANTHROPIC_API_KEY: 'sk-ant-e2e-secret-000',
      OTEL_SEMCONV_STABILITY_OPT_IN: 'gen_ai/dup',
    }),
  },
  {
    kind: 'google-genai',
    example: 'gemini',
    scope: '@tokenomics/instrumentation-google-genai',
    spans: 9,
    env: (emulator) => ({ GEMINI_BASE_URL: emulator.geminiBaseURL, GEMINI_API_KEY: 'gemini-e2e-secret-000' }),
  },
  {
    kind: 'bedrock-runtime',
    example: 'bedrock',
    scope: '@tokenomics/instrumentation-bedrock-runtime',
    spans: 8,
    env: (emulator) => ({
      BEDROCK_ENDPOINT: emulator.bedrockEndpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'bedrock-e2e-secret-000',
      AWS_MAX_ATTEMPTS: '1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    }),
  },
];

function numberAttr(attrs: OtlpAttributes, key: string): number | undefined {
  const v = attrs[key];
  return typeof v === 'number' ? v : undefined;
}

function stringAttr(attrs: OtlpAttributes, key: string): string | undefined {
  const v = attrs[key];
  return typeof v === 'string' ? v : undefined;
}

describe.each(RUNS)('the hook emits only contract names: $kind', (run) => {
  let emulator: Emulator;
  let receiver: OtlpReceiver;
  let spans: OtlpSpan[];
  let points: OtlpMetricPoint[];

  beforeAll(async () => {
    // The CommonJS flavour: the ESM one emits the same telemetry (see the per-client hook tests).
    const [{ app, protocol }] = exampleFlavours(run.example);
    ({ emulator, receiver, spans } = await runHookedExample({ app, protocol, env: run.env, scope: run.scope, spans: run.spans }));
    points = receiver.metricNames().flatMap((name) => receiver.metricPoints(name));
  }, 60_000);

  afterAll(async () => {
    await receiver?.close();
    await emulator?.close();
  });

  it('names every span attribute of the instrumentation with a name the contract exports', () => {
    const names = new Set(spans.flatMap((s) => Object.keys(s.attributes)));
    expect(names.size).toBeGreaterThan(10);
    expect([...names].filter((n) => !inContract(n))).toEqual([]);
    expect(names).toContain(contract.ATTR_GEN_AI_PROVIDER_NAME);
    expect(names).toContain(contract.ATTR_GEN_AI_USAGE_COST_AMOUNT);
  });

  it('names every metric and metric attribute with a name the contract exports, declared with the contract unit and description', () => {
    const metricNames = new Set(points.map((p) => p.name));
    expect(metricNames).toContain(contract.METRIC_TOKENOMICS_COST);
    expect(metricNames).toContain(contract.METRIC_GEN_AI_CLIENT_TOKEN_USAGE);
    expect([...metricNames].filter((n) => !inContract(n))).toEqual([]);
    const attributeNames = new Set(points.flatMap((p) => Object.keys(p.attributes)));
    expect([...attributeNames].filter((n) => !inContract(n))).toEqual([]);
    for (const p of points) {
      const definition = DEFINITIONS.get(p.name);
      if (definition === undefined) continue;
      expect({ name: p.name, unit: p.unit, description: p.description }).toEqual({
        name: p.name,
        unit: definition.unit,
        description: definition.description,
      });
    }
  });

  it('labels tokenomics.tokens points only with token units of the contract partition', () => {
    const units = new Set(
      points.filter((p) => p.name === contract.METRIC_TOKENOMICS_TOKENS).map((p) => p.attributes[contract.ATTR_TOKENOMICS_TOKEN_TYPE]),
    );
    expect(units.size).toBeGreaterThan(0);
    expect([...units].filter((u) => !(contract.TOKEN_UNITS as readonly unknown[]).includes(u))).toEqual([]);
  });

  it("gives the exporter's reader the usage, provider and models the instrumentation wrote, priced to the same cost", () => {
    const priced = spans.filter((s) => numberAttr(s.attributes, contract.ATTR_GEN_AI_USAGE_COST_AMOUNT) !== undefined);
    expect(priced.length).toBeGreaterThan(0);
    const book = getPriceBook();
    for (const span of priced) {
      const attrs = span.attributes;
      const reading = readGenAiCall(attrs as never, 'another-instrumentation', () => {
        throw new Error(`the exporter found an invalid value on ${span.name}`);
      });
      expect(reading.kind, span.name).toBe('call');
      if (reading.kind !== 'call') continue;
      const { call } = reading;
      expect(call.provider).toBe(stringAttr(attrs, contract.ATTR_GEN_AI_PROVIDER_NAME));
      expect(call.requestModel).toBe(stringAttr(attrs, contract.ATTR_GEN_AI_REQUEST_MODEL));
      expect(call.responseModel).toBe(stringAttr(attrs, contract.ATTR_GEN_AI_RESPONSE_MODEL));
      expect(call.estimated).toBe(attrs[contract.ATTR_TOKENOMICS_USAGE_ESTIMATED] === true);
      const written: contract.Usage = {};
      const count = (key: string, field: keyof contract.Usage) => {
        const n = numberAttr(attrs, key);
        if (n !== undefined && n > 0) (written as Record<string, number>)[field] = n;
      };
      count(contract.ATTR_GEN_AI_USAGE_INPUT_TOKENS, 'inputTokens');
      count(contract.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, 'outputTokens');
      count(contract.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, 'cacheReadTokens');
      count(contract.ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS, 'cacheWriteTokens');
      count(contract.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, 'reasoningTokens');
      const read = Object.fromEntries(Object.entries(call.usage).filter(([, v]) => typeof v === 'number' && v > 0));
      expect(read, span.name).toEqual(written);
      // The usage the reader saw, priced by the same book, is the cost the instrumentation wrote
      // (unless the span carries units the semconv attributes cannot say, e.g. a 1-hour cache write).
      const breakdownUnits = Object.keys(attrs)
        .filter((k) => k.startsWith(contract.ATTR_TOKENOMICS_COST_PREFIX))
        .map((k) => k.slice(contract.ATTR_TOKENOMICS_COST_PREFIX.length));
      if (breakdownUnits.some((u) => !['input', 'cache_read', 'cache_write', 'output', 'reasoning'].includes(u))) continue;
      const opts: contract.PriceOptions = { model: call.requestModel ?? call.responseModel ?? '' };
      if (call.responseModel !== undefined) opts.responseModel = call.responseModel;
      if (call.provider !== undefined) opts.provider = call.provider;
      if (call.serviceTier !== undefined) opts.serviceTier = call.serviceTier;
      opts.estimated = call.estimated;
      const cost = book.price(call.usage, opts);
      expect(cost.priced, span.name).toBe(true);
      if (cost.priced) expect(cost.amount).toBeCloseTo(numberAttr(attrs, contract.ATTR_GEN_AI_USAGE_COST_AMOUNT) ?? Number.NaN, 12);
    }
  });
});

describe('the instrumentation and the exporter take their names from the contract', () => {
  it.each([
    ['the recorder (instrumentation/src/genai/semconv)', recorderNames],
    ["the exporter's reader (exporter/src/attribute-names)", exporterNames],
  ])('%s holds no name the contract does not export', (_, names) => {
    const strings = Object.entries(names).filter((e): e is [string, string] => typeof e[1] === 'string');
    expect(strings.length).toBeGreaterThan(20);
    expect(strings.filter(([, v]) => !CONTRACT_STRINGS.has(v))).toEqual([]);
  });
});
