/**
 * Provider ids: the OpenTelemetry `gen_ai.provider.name` values our API speaks, the ids of the
 * price data, other common spellings, and the search order used when no provider is given.
 */

/** `[spelling, data provider id, id reported back]`. Spellings are matched lower-cased. */
const SPELLINGS: [string, string, string][] = [
  ['openai', 'openai', 'openai'],
  ['anthropic', 'anthropic', 'anthropic'],
  ['gcp.gemini', 'google', 'gcp.gemini'],
  ['gcp.vertex_ai', 'google', 'gcp.vertex_ai'],
  ['gcp.gen_ai', 'google', 'gcp.gen_ai'],
  ['google', 'google', 'gcp.gemini'],
  ['gemini', 'google', 'gcp.gemini'],
  ['google_genai', 'google', 'gcp.gemini'],
  ['vertex_ai', 'google', 'gcp.vertex_ai'],
  ['vertexai', 'google', 'gcp.vertex_ai'],
  ['vertex', 'google', 'gcp.vertex_ai'],
  ['aws.bedrock', 'aws', 'aws.bedrock'],
  ['aws', 'aws', 'aws.bedrock'],
  ['bedrock', 'aws', 'aws.bedrock'],
  ['amazon_bedrock', 'aws', 'aws.bedrock'],
  ['azure.ai.openai', 'azure', 'azure.ai.openai'],
  ['azure.ai.inference', 'azure', 'azure.ai.inference'],
  ['az.ai.openai', 'azure', 'azure.ai.openai'],
  ['az.ai.inference', 'azure', 'azure.ai.inference'],
  ['azure', 'azure', 'azure.ai.openai'],
  ['azure_openai', 'azure', 'azure.ai.openai'],
  ['mistral_ai', 'mistral', 'mistral_ai'],
  ['mistral', 'mistral', 'mistral_ai'],
  ['mistralai', 'mistral', 'mistral_ai'],
  ['x_ai', 'x-ai', 'x_ai'],
  ['x-ai', 'x-ai', 'x_ai'],
  ['xai', 'x-ai', 'x_ai'],
  ['cohere', 'cohere', 'cohere'],
  ['groq', 'groq', 'groq'],
  ['deepseek', 'deepseek', 'deepseek'],
  ['perplexity', 'perplexity', 'perplexity'],
  ['together_ai', 'together', 'together'],
  ['togetherai', 'together', 'together'],
  ['fireworks_ai', 'fireworks', 'fireworks'],
  ['moonshot', 'moonshotai', 'moonshotai'],
  ['zhipu', 'zhipuai', 'zhipuai'],
];

/** Data provider id -> id we report when the caller gave none (OpenTelemetry spelling where one exists). */
const REPORTED: Record<string, string> = {
  google: 'gcp.gemini',
  aws: 'aws.bedrock',
  azure: 'azure.ai.openai',
  mistral: 'mistral_ai',
  'x-ai': 'x_ai',
};

/** A provider spelling resolved to the data provider and the id to report. */
export interface ProviderRef {
  /** Provider id in the price data (`google`, `aws`, ...). */
  dataId: string;
  /** Id reported in costs and listings (`gcp.vertex_ai`, `aws.bedrock`, ...). */
  reportAs: string;
}

const BY_SPELLING = new Map<string, ProviderRef>(SPELLINGS.map(([s, dataId, reportAs]) => [s, { dataId, reportAs }]));

/**
 * Resolves a provider spelling. Known spellings map to their data provider; any other string is
 * taken as a data provider id itself (custom providers from overrides, aggregators such as
 * `openrouter`).
 */
export function providerRef(spelling: string): ProviderRef {
  const key = spelling.trim().toLowerCase();
  const known = BY_SPELLING.get(key);
  if (known) return known;
  return { dataId: key, reportAs: REPORTED[key] ?? key };
}

/** Every provider spelling `providerRef()` knows, for suggestions. */
export function knownSpellings(): string[] {
  return SPELLINGS.map(([s]) => s);
}

/** The id reported for a data provider when the caller named none. */
export function reportedId(dataId: string): string {
  return REPORTED[dataId] ?? dataId;
}

/** First-party providers, searched first (in this order) when no provider is given. */
const FIRST_PARTY = [
  'openai',
  'anthropic',
  'google',
  'mistral',
  'cohere',
  'deepseek',
  'x-ai',
  'perplexity',
  'moonshotai',
  'zhipuai',
  'zai',
  'minimax',
  'voyageai',
  'arcee',
  'groq',
  'cerebras',
  'aws',
  'azure',
];

/** Resellers and routers: searched last, after every first-party provider. */
const RESELLERS = new Set([
  'openrouter',
  'together',
  'fireworks',
  'novita',
  'avian',
  'baseten',
  'cloudflare',
  'doubleword',
  'quicksilverpro',
  'ovhcloud',
  'modal',
  'github-copilot',
  'cursor',
  'typesafe',
]);

/** Sort key for the provider-less search: first-party, then others, then resellers. */
export function searchRank(dataId: string, dataOrder: number): number {
  const i = FIRST_PARTY.indexOf(dataId);
  if (i >= 0) return i;
  if (RESELLERS.has(dataId) || dataId.startsWith('huggingface')) return 20_000 + dataOrder;
  return 10_000 + dataOrder;
}
