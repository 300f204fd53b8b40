/**
 * The provider and API family of an AI SDK model, from its `provider` string
 * (`openai.responses`, `openai.chat`, `anthropic.messages`, `google.generative-ai`,
 * `google.vertex.chat`, `amazon-bedrock`, `<name>.chat` for OpenAI-compatible providers, ...).
 *
 * The spellings below are the AI SDK's provider ids, mapped to `gen_ai.provider.name` values.
 * TODO(contract): move to the provider alias table of `@tokenomics/contract` once it has the AI
 * SDK ids; kept in this one place until then.
 */

/** The wire format a provider's raw usage is in, which says how to read it. */
export type UsageFamily = 'openai' | 'anthropic' | 'gemini' | 'bedrock' | 'other';

/** What the instrumentation records about the model of a call. */
export interface ModelProvider {
  /** `gen_ai.provider.name` value. */
  provider: string;
  family: UsageFamily;
  /** `gen_ai.operation.name` of a language model call. */
  generateOperation: string;
}

const OPENAI: ModelProvider = { provider: 'openai', family: 'openai', generateOperation: 'chat' };
const AZURE_OPENAI: ModelProvider = { provider: 'azure.ai.openai', family: 'openai', generateOperation: 'chat' };
const ANTHROPIC: ModelProvider = { provider: 'anthropic', family: 'anthropic', generateOperation: 'chat' };
const GEMINI: ModelProvider = { provider: 'gcp.gemini', family: 'gemini', generateOperation: 'generate_content' };
const VERTEX: ModelProvider = { provider: 'gcp.vertex_ai', family: 'gemini', generateOperation: 'generate_content' };
const VERTEX_ANTHROPIC: ModelProvider = { provider: 'gcp.vertex_ai', family: 'anthropic', generateOperation: 'chat' };
const BEDROCK: ModelProvider = { provider: 'aws.bedrock', family: 'bedrock', generateOperation: 'chat' };

/** First segments (or longer prefixes) of AI SDK provider ids, lower-cased. */
const KNOWN: ReadonlyMap<string, ModelProvider> = new Map([
  ['openai', OPENAI],
  ['azure', AZURE_OPENAI],
  ['azure-openai', AZURE_OPENAI],
  ['anthropic', ANTHROPIC],
  ['google.generative-ai', GEMINI],
  ['google.vertex', VERTEX],
  ['vertex.anthropic', VERTEX_ANTHROPIC],
  ['amazon-bedrock', BEDROCK],
  ['bedrock', BEDROCK],
  ['mistral', { provider: 'mistral_ai', family: 'other', generateOperation: 'chat' }],
  ['xai', { provider: 'x_ai', family: 'openai', generateOperation: 'chat' }],
  ['groq', { provider: 'groq', family: 'openai', generateOperation: 'chat' }],
  ['deepseek', { provider: 'deepseek', family: 'openai', generateOperation: 'chat' }],
  ['cohere', { provider: 'cohere', family: 'other', generateOperation: 'chat' }],
  ['perplexity', { provider: 'perplexity', family: 'openai', generateOperation: 'chat' }],
  ['togetherai', { provider: 'together', family: 'openai', generateOperation: 'chat' }],
  ['fireworks', { provider: 'fireworks', family: 'openai', generateOperation: 'chat' }],
]);

const cache = new Map<string, ModelProvider>();
const CACHE_LIMIT = 256;

/**
 * The provider of an AI SDK model `provider` string. A known id (or its longest known prefix)
 * maps to its `gen_ai.provider.name`; any other `<name>.<api>` (an OpenAI-compatible provider
 * named by the app) reports `<name>` lower-cased, with OpenAI-shaped usage when its API is `chat`,
 * `completion`, `embedding` or `responses`.
 */
export function modelProvider(raw: unknown): ModelProvider {
  const id = typeof raw === 'string' && raw.length > 0 ? raw : 'unknown';
  const hit = cache.get(id);
  if (hit !== undefined) return hit;
  const resolved = resolve(id.trim().toLowerCase());
  if (cache.size < CACHE_LIMIT) cache.set(id, resolved);
  return resolved;
}

const OPENAI_SHAPED_APIS = new Set(['chat', 'completion', 'embedding', 'responses']);

function resolve(lower: string): ModelProvider {
  const parts = lower.split('.');
  for (let n = parts.length; n >= 1; n--) {
    const known = KNOWN.get(parts.slice(0, n).join('.'));
    if (known !== undefined) return known;
  }
  const name = parts[0] || 'unknown';
  const api = parts[1];
  return { provider: name, family: api !== undefined && OPENAI_SHAPED_APIS.has(api) ? 'openai' : 'other', generateOperation: 'chat' };
}
