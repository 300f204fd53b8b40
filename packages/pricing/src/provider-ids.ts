/**
 * Provider ids: the price data's provider ids for the `gen_ai.provider.name` values our API speaks
 * and their other spellings (the one table of `@tokenomics/contract`), and the search order used
 * when no provider is given.
 */
import {
  knownProviderName,
  PROVIDER_ALIASES,
  PROVIDER_NAMES,
  priceBookProvider,
  providerNameOfPriceBook,
} from '@tokenomics/contract/providers';

/** A provider spelling resolved to the data provider and the id to report. */
export interface ProviderRef {
  /** Provider id in the price data (`google`, `aws`, ...). */
  dataId: string;
  /** Id reported in costs and listings (`gcp.vertex_ai`, `aws.bedrock`, ...). */
  reportAs: string;
}

/**
 * Resolves a provider spelling. Provider names and their aliases map to their data provider; any
 * other string is taken as a data provider id itself (custom providers from overrides, aggregators
 * such as `openrouter`).
 */
export function providerRef(spelling: string): ProviderRef {
  const name = knownProviderName(spelling);
  if (name !== undefined) return { dataId: priceBookProvider(name), reportAs: name };
  const key = spelling.trim().toLowerCase();
  return { dataId: key, reportAs: providerNameOfPriceBook(key) };
}

/** Every provider spelling `providerRef()` knows, for suggestions. */
export function knownSpellings(): string[] {
  return [...PROVIDER_NAMES, ...PROVIDER_ALIASES.keys()];
}

/** The id reported for a data provider when the caller named none. */
export function reportedId(dataId: string): string {
  return providerNameOfPriceBook(dataId);
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
