/**
 * Provider names (`gen_ai.provider.name` values), the spellings other sources use for them, and the
 * mapping between provider names and the provider ids of the price book.
 *
 * Rules:
 * - Where the GenAI semantic conventions list a value, that value is the name (`gcp.gemini`,
 *   `aws.bedrock`, `mistral_ai`, ...). For hosts the conventions do not list, the project uses the
 *   values in {@link PROJECT_PROVIDER_NAMES} (lower case, words joined by `_`, as the conventions
 *   spell theirs).
 * - Google: `gcp.gemini` is the Gemini API (generativelanguage.googleapis.com, AI Studio),
 *   `gcp.vertex_ai` is Vertex AI (aiplatform.googleapis.com), and `gcp.gen_ai` is "any Google
 *   generative AI endpoint" for when the backend is unknown. A spelling that names only Google
 *   (`google`, OpenLLMetry's `Google`, `google_genai`, the name of a client that speaks to both
 *   backends) therefore resolves to `gcp.gen_ai`; `gemini` resolves to `gcp.gemini` and `vertex`,
 *   `vertexai`, `vertex_ai` to `gcp.vertex_ai`. All three are priced from the same price-book
 *   provider (`google`).
 */

// --- Values listed by the GenAI semantic conventions ------------------------------------------
/** OpenAI (GenAI semantic conventions value). */
export const PROVIDER_OPENAI = 'openai';
/** Anthropic (GenAI semantic conventions value). */
export const PROVIDER_ANTHROPIC = 'anthropic';
/** Amazon Bedrock (GenAI semantic conventions value). */
export const PROVIDER_AWS_BEDROCK = 'aws.bedrock';
/** Azure OpenAI (GenAI semantic conventions value). */
export const PROVIDER_AZURE_AI_OPENAI = 'azure.ai.openai';
/** Azure AI Inference (GenAI semantic conventions value). */
export const PROVIDER_AZURE_AI_INFERENCE = 'azure.ai.inference';
/** The Gemini API (generativelanguage.googleapis.com, also known as AI Studio). */
export const PROVIDER_GCP_GEMINI = 'gcp.gemini';
/** Vertex AI (aiplatform.googleapis.com). */
export const PROVIDER_GCP_VERTEX_AI = 'gcp.vertex_ai';
/** Any Google generative AI endpoint, when the backend is unknown. */
export const PROVIDER_GCP_GEN_AI = 'gcp.gen_ai';
/** Cohere (GenAI semantic conventions value). */
export const PROVIDER_COHERE = 'cohere';
/** DeepSeek (GenAI semantic conventions value). */
export const PROVIDER_DEEPSEEK = 'deepseek';
/** Groq (GenAI semantic conventions value). */
export const PROVIDER_GROQ = 'groq';
/** IBM watsonx.ai (GenAI semantic conventions value). */
export const PROVIDER_IBM_WATSONX_AI = 'ibm.watsonx.ai';
/** Mistral AI (GenAI semantic conventions value). */
export const PROVIDER_MISTRAL_AI = 'mistral_ai';
/** Moonshot AI (GenAI semantic conventions value). */
export const PROVIDER_MOONSHOT_AI = 'moonshot_ai';
/** Perplexity (GenAI semantic conventions value). */
export const PROVIDER_PERPLEXITY = 'perplexity';
/** xAI (GenAI semantic conventions value). */
export const PROVIDER_X_AI = 'x_ai';

/** Every `gen_ai.provider.name` value the GenAI semantic conventions list. */
export const SEMCONV_PROVIDER_NAMES: readonly string[] = [
  PROVIDER_OPENAI,
  PROVIDER_ANTHROPIC,
  PROVIDER_AWS_BEDROCK,
  PROVIDER_AZURE_AI_OPENAI,
  PROVIDER_AZURE_AI_INFERENCE,
  PROVIDER_GCP_GEMINI,
  PROVIDER_GCP_VERTEX_AI,
  PROVIDER_GCP_GEN_AI,
  PROVIDER_COHERE,
  PROVIDER_DEEPSEEK,
  PROVIDER_GROQ,
  PROVIDER_IBM_WATSONX_AI,
  PROVIDER_MISTRAL_AI,
  PROVIDER_MOONSHOT_AI,
  PROVIDER_PERPLEXITY,
  PROVIDER_X_AI,
];

// --- Project values for hosts the conventions do not list -----------------------------------
/** Ollama (local server, OpenAI-compatible or its own API). */
export const PROVIDER_OLLAMA = 'ollama';
/** Together AI. */
export const PROVIDER_TOGETHER_AI = 'together_ai';
/** OpenRouter (a router: the model id names the upstream provider). */
export const PROVIDER_OPENROUTER = 'openrouter';
/** Fireworks AI. */
export const PROVIDER_FIREWORKS_AI = 'fireworks_ai';
/** A vLLM server. */
export const PROVIDER_VLLM = 'vllm';
/** A llama.cpp server. */
export const PROVIDER_LLAMA_CPP = 'llama_cpp';
/** LM Studio's local server. */
export const PROVIDER_LM_STUDIO = 'lm_studio';
/** A LiteLLM proxy. */
export const PROVIDER_LITELLM = 'litellm';
/** Cerebras Inference. */
export const PROVIDER_CEREBRAS = 'cerebras';

/** Project `gen_ai.provider.name` values for hosts the conventions do not list (yet). */
export const PROJECT_PROVIDER_NAMES: readonly string[] = [
  PROVIDER_OLLAMA,
  PROVIDER_TOGETHER_AI,
  PROVIDER_OPENROUTER,
  PROVIDER_FIREWORKS_AI,
  PROVIDER_VLLM,
  PROVIDER_LLAMA_CPP,
  PROVIDER_LM_STUDIO,
  PROVIDER_LITELLM,
  PROVIDER_CEREBRAS,
];

/** Every provider name the project writes: the conventions' values, then the project's. */
export const PROVIDER_NAMES: readonly string[] = [...SEMCONV_PROVIDER_NAMES, ...PROJECT_PROVIDER_NAMES];

const NAMES: ReadonlySet<string> = new Set(PROVIDER_NAMES);

/**
 * Other spellings of provider names, lower-cased, to the provider name: deprecated `gen_ai.system`
 * values, OpenLLMetry / Traceloop display names, Vercel AI SDK provider ids (the part before the
 * API in `<provider>.<api>`), client library and price-book ids.
 */
export const PROVIDER_ALIASES: ReadonlyMap<string, string> = new Map([
  // deprecated gen_ai.system values
  ['az.ai.openai', PROVIDER_AZURE_AI_OPENAI],
  ['az.ai.inference', PROVIDER_AZURE_AI_INFERENCE],
  ['gemini', PROVIDER_GCP_GEMINI],
  ['vertex_ai', PROVIDER_GCP_VERTEX_AI],
  ['xai', PROVIDER_X_AI],
  // Google without a backend: the conventions' value for an unknown Google endpoint
  ['google', PROVIDER_GCP_GEN_AI],
  ['google_genai', PROVIDER_GCP_GEN_AI],
  ['google-genai', PROVIDER_GCP_GEN_AI],
  ['vertex', PROVIDER_GCP_VERTEX_AI],
  ['vertexai', PROVIDER_GCP_VERTEX_AI],
  ['vertex ai', PROVIDER_GCP_VERTEX_AI],
  // display names and other spellings
  ['aws', PROVIDER_AWS_BEDROCK],
  ['bedrock', PROVIDER_AWS_BEDROCK],
  ['amazon_bedrock', PROVIDER_AWS_BEDROCK],
  ['azure', PROVIDER_AZURE_AI_OPENAI],
  ['azure openai', PROVIDER_AZURE_AI_OPENAI],
  ['azure_openai', PROVIDER_AZURE_AI_OPENAI],
  ['mistral', PROVIDER_MISTRAL_AI],
  ['mistralai', PROVIDER_MISTRAL_AI],
  ['x-ai', PROVIDER_X_AI],
  ['moonshot', PROVIDER_MOONSHOT_AI],
  ['moonshotai', PROVIDER_MOONSHOT_AI],
  ['watsonx', PROVIDER_IBM_WATSONX_AI],
  ['together', PROVIDER_TOGETHER_AI],
  ['togetherai', PROVIDER_TOGETHER_AI],
  ['together ai', PROVIDER_TOGETHER_AI],
  ['fireworks', PROVIDER_FIREWORKS_AI],
  ['fireworksai', PROVIDER_FIREWORKS_AI],
  ['llamacpp', PROVIDER_LLAMA_CPP],
  ['llama.cpp', PROVIDER_LLAMA_CPP],
  ['llama-cpp', PROVIDER_LLAMA_CPP],
  ['lmstudio', PROVIDER_LM_STUDIO],
  ['lm-studio', PROVIDER_LM_STUDIO],
  ['open-router', PROVIDER_OPENROUTER],
  // price-book provider ids of hosts without a provider name
  ['zhipu', 'zhipuai'],
  // Vercel AI SDK provider ids
  ['amazon-bedrock', PROVIDER_AWS_BEDROCK],
  ['azure-openai', PROVIDER_AZURE_AI_OPENAI],
  ['google.generative-ai', PROVIDER_GCP_GEMINI],
  ['google.vertex', PROVIDER_GCP_VERTEX_AI],
]);

/**
 * The provider name of a spelling when it is a provider name or a known alias (case and surrounding
 * space ignored), else `undefined`. No prefix matching: see {@link normaliseProviderName}.
 */
export function knownProviderName(spelling: string): string | undefined {
  const lower = spelling.trim().toLowerCase();
  if (NAMES.has(lower)) return lower;
  return PROVIDER_ALIASES.get(lower);
}

const normalised = new Map<string, string>();
const NORMALISED_LIMIT = 256;

/**
 * The `gen_ai.provider.name` value for a provider string from any source: a provider name, an alias,
 * or a Vercel AI SDK style `<provider>.<api>[...]` id (the longest known prefix wins). Any other
 * string is returned lower-cased (the price book may still know it as a provider id).
 */
export function normaliseProviderName(raw: string): string {
  const hit = normalised.get(raw);
  if (hit !== undefined) return hit;
  const resolved = resolveWithPrefixes(raw.trim().toLowerCase());
  if (normalised.size < NORMALISED_LIMIT) normalised.set(raw, resolved);
  return resolved;
}

function resolveWithPrefixes(lower: string): string {
  const known = knownProviderName(lower);
  if (known !== undefined) return known;
  const parts = lower.split('.');
  for (let n = parts.length - 1; n >= 1; n--) {
    const prefix = knownProviderName(parts.slice(0, n).join('.'));
    if (prefix !== undefined) return prefix;
  }
  return lower;
}

/** Values of the deprecated `gen_ai.system` that differ from the `gen_ai.provider.name` value. */
const DEPRECATED_SYSTEM_NAMES: ReadonlyMap<string, string> = new Map([
  [PROVIDER_GCP_GEMINI, 'gemini'],
  [PROVIDER_GCP_VERTEX_AI, 'vertex_ai'],
  [PROVIDER_AZURE_AI_OPENAI, 'az.ai.openai'],
  [PROVIDER_AZURE_AI_INFERENCE, 'az.ai.inference'],
]);

/** The deprecated `gen_ai.system` value for a `gen_ai.provider.name` value (emitted only with the opt-in). */
export function deprecatedSystemName(provider: string): string {
  return DEPRECATED_SYSTEM_NAMES.get(provider) ?? provider;
}

// --- Price book ---------------------------------------------------------------------------------

/** Provider names whose price-book provider id differs from the name. */
const PRICE_BOOK_PROVIDER: ReadonlyMap<string, string> = new Map([
  [PROVIDER_GCP_GEMINI, 'google'],
  [PROVIDER_GCP_VERTEX_AI, 'google'],
  [PROVIDER_GCP_GEN_AI, 'google'],
  [PROVIDER_AWS_BEDROCK, 'aws'],
  [PROVIDER_AZURE_AI_OPENAI, 'azure'],
  [PROVIDER_AZURE_AI_INFERENCE, 'azure'],
  [PROVIDER_MISTRAL_AI, 'mistral'],
  [PROVIDER_X_AI, 'x-ai'],
  [PROVIDER_MOONSHOT_AI, 'moonshotai'],
  [PROVIDER_TOGETHER_AI, 'together'],
  [PROVIDER_FIREWORKS_AI, 'fireworks'],
]);

/**
 * Price-book provider id -> the provider name reported for it when the caller named no provider.
 * Google's price-book entries are the Gemini API's list prices, hence `gcp.gemini`.
 */
const NAME_OF_PRICE_BOOK_PROVIDER: ReadonlyMap<string, string> = new Map([
  ['google', PROVIDER_GCP_GEMINI],
  ['aws', PROVIDER_AWS_BEDROCK],
  ['azure', PROVIDER_AZURE_AI_OPENAI],
  ['mistral', PROVIDER_MISTRAL_AI],
  ['x-ai', PROVIDER_X_AI],
  ['moonshotai', PROVIDER_MOONSHOT_AI],
  ['together', PROVIDER_TOGETHER_AI],
  ['fireworks', PROVIDER_FIREWORKS_AI],
]);

/** The price-book provider id of a provider name (the name itself when they are spelled alike). */
export function priceBookProvider(providerName: string): string {
  return PRICE_BOOK_PROVIDER.get(providerName) ?? providerName;
}

/** The provider name reported for a price-book provider id (the id itself when they are spelled alike). */
export function providerNameOfPriceBook(priceBookId: string): string {
  return NAME_OF_PRICE_BOOK_PROVIDER.get(priceBookId) ?? priceBookId;
}
