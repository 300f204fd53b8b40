/**
 * Provider names as `gen_ai.provider.name` spells them, from whatever a source wrote: the current
 * semconv value, the deprecated `gen_ai.system` values (`az.ai.openai`, `vertex_ai`, `gemini`, ...),
 * OpenLLMetry's display names (`OpenAI`, `Anthropic`, `AWS`, `Google`, ...) and the Vercel AI SDK's
 * `<provider>.<api>` ids (`openai.chat`, `anthropic.messages`, ...).
 */

/** Current `gen_ai.provider.name` well-known values. */
const CURRENT = new Set([
  'anthropic',
  'aws.bedrock',
  'azure.ai.inference',
  'azure.ai.openai',
  'cohere',
  'deepseek',
  'gcp.gemini',
  'gcp.gen_ai',
  'gcp.vertex_ai',
  'groq',
  'ibm.watsonx.ai',
  'mistral_ai',
  'openai',
  'perplexity',
  'x_ai',
]);

/** Older or foreign spellings, lower-cased, to the current value. */
const ALIASES: ReadonlyMap<string, string> = new Map([
  // deprecated gen_ai.system values
  ['az.ai.openai', 'azure.ai.openai'],
  ['az.ai.inference', 'azure.ai.inference'],
  ['gemini', 'gcp.gemini'],
  ['vertex_ai', 'gcp.vertex_ai'],
  ['xai', 'x_ai'],
  // OpenLLMetry / Traceloop display names
  ['aws', 'aws.bedrock'],
  ['bedrock', 'aws.bedrock'],
  ['azure', 'azure.ai.openai'],
  ['azure openai', 'azure.ai.openai'],
  ['azure_openai', 'azure.ai.openai'],
  ['google', 'gcp.vertex_ai'],
  ['vertexai', 'gcp.vertex_ai'],
  ['vertex ai', 'gcp.vertex_ai'],
  ['mistralai', 'mistral_ai'],
  ['mistral', 'mistral_ai'],
  // Vercel AI SDK provider ids (first segment of `<provider>.<api>`)
  ['amazon-bedrock', 'aws.bedrock'],
  ['azure-openai', 'azure.ai.openai'],
  ['google.generative-ai', 'gcp.gemini'],
  ['google.vertex', 'gcp.vertex_ai'],
]);

const cache = new Map<string, string>();
const CACHE_LIMIT = 256;

/**
 * The `gen_ai.provider.name` value for a provider string from any source, or the lower-cased input
 * when it is not a known spelling (the price book may still know it).
 */
export function normaliseProviderName(raw: string): string {
  const hit = cache.get(raw);
  if (hit !== undefined) return hit;
  const resolved = resolve(raw.trim().toLowerCase());
  if (cache.size < CACHE_LIMIT) cache.set(raw, resolved);
  return resolved;
}

function resolve(lower: string): string {
  if (CURRENT.has(lower)) return lower;
  const alias = ALIASES.get(lower);
  if (alias !== undefined) return alias;
  // Vercel AI SDK style `<provider>.<api>[.<more>]`: try the longest known prefix.
  const parts = lower.split('.');
  for (let n = parts.length - 1; n >= 1; n--) {
    const prefix = parts.slice(0, n).join('.');
    if (CURRENT.has(prefix)) return prefix;
    const prefixAlias = ALIASES.get(prefix);
    if (prefixAlias !== undefined) return prefixAlias;
  }
  return lower;
}
