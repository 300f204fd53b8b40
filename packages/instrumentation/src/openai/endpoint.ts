/** Where an OpenAI-compatible client sends its requests, and which provider that is. */
export interface Endpoint {
  provider: string;
  serverAddress?: string;
  serverPort?: number;
}

/** Known OpenAI-compatible hosts and their `gen_ai.provider.name`. */
const HOST_PROVIDERS: ReadonlyArray<readonly [suffix: string, provider: string]> = [
  ['api.openai.com', 'openai'],
  ['openai.azure.com', 'azure.ai.openai'],
  ['cognitiveservices.azure.com', 'azure.ai.openai'],
  ['services.ai.azure.com', 'azure.ai.inference'],
  ['api.groq.com', 'groq'],
  ['api.deepseek.com', 'deepseek'],
  ['api.x.ai', 'x_ai'],
  ['api.mistral.ai', 'mistral_ai'],
  ['api.perplexity.ai', 'perplexity'],
  ['api.together.xyz', 'together'],
  ['api.fireworks.ai', 'fireworks'],
  ['openrouter.ai', 'openrouter'],
  ['generativelanguage.googleapis.com', 'gcp.gemini'],
  ['api.cerebras.ai', 'cerebras'],
];

/**
 * Hosts where the `/openai` path is Azure OpenAI: Azure AI Foundry resources (whose `/models`
 * path is the Azure AI Model Inference API) and Azure API Management gateways, which import
 * Azure OpenAI under the `openai` URL suffix.
 */
const AZURE_OPENAI_PATH_HOSTS = ['services.ai.azure.com', 'azure-api.net'];

/** Azure OpenAI's deployment-scoped API (`.../openai/deployments/{deployment}`), on any host or gateway. */
const AZURE_DEPLOYMENTS_PATH = /\/openai\/deployments(\/|$)/;

const cache = new Map<string, Endpoint>();
const MAX_CACHED = 64;

/**
 * Provider and server of a client's base URL. `AzureOpenAI` clients, Azure hosts and base URLs of
 * Azure OpenAI's deployments API (for plain `OpenAI` clients pointed at Azure) are
 * `azure.ai.openai`. Other unknown hosts are OpenAI-compatible servers and are reported as
 * `openai`; port 11434 is Ollama's. Cached per base URL.
 */
export function endpointOf(baseURL: unknown, azure: boolean): Endpoint {
  const key = `${azure ? 'az:' : ''}${typeof baseURL === 'string' ? baseURL : ''}`;
  let endpoint = cache.get(key);
  if (!endpoint) {
    endpoint = parse(typeof baseURL === 'string' ? baseURL : '', azure);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, endpoint);
  }
  return endpoint;
}

function parse(baseURL: string, azure: boolean): Endpoint {
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    return { provider: azure ? 'azure.ai.openai' : 'openai' };
  }
  const host = url.hostname;
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  let provider = azure ? 'azure.ai.openai' : 'openai';
  if (!azure) {
    for (const [suffix, name] of HOST_PROVIDERS) {
      if (host === suffix || host.endsWith(`.${suffix}`)) {
        provider = name;
        break;
      }
    }
    const path = url.pathname;
    if (AZURE_DEPLOYMENTS_PATH.test(path)) provider = 'azure.ai.openai';
    else if (/^\/openai(\/|$)/.test(path) && AZURE_OPENAI_PATH_HOSTS.some((suffix) => host === suffix || host.endsWith(`.${suffix}`))) {
      provider = 'azure.ai.openai';
    }
    if (provider === 'openai' && port === 11434) provider = 'ollama';
  }
  return { provider, serverAddress: host, serverPort: port };
}

/** The first Azure OpenAI API version whose chat and legacy completions accept `stream_options`. */
export const AZURE_STREAM_OPTIONS_SINCE = '2024-09-01';

/**
 * Whether a client's requests may carry `stream_options`. Azure OpenAI rejects the field with a
 * 400 on API versions before {@link AZURE_STREAM_OPTIONS_SINCE} (`2024-06-01`, `2024-02-01`,
 * `2024-08-01-preview`, ...), so the instrumentation must not add it there. The version is the
 * `AzureOpenAI` client's `apiVersion`, or an `api-version` default query parameter of a plain
 * client pointed at Azure; `preview`, `latest` and clients without a version accept it.
 */
export function acceptsStreamOptions(client: unknown): boolean {
  const c = client as { apiVersion?: unknown; _options?: { defaultQuery?: Record<string, unknown> | null } } | null | undefined;
  if (!c || typeof c !== 'object') return true;
  const version = typeof c.apiVersion === 'string' && c.apiVersion !== '' ? c.apiVersion : c._options?.defaultQuery?.['api-version'];
  if (typeof version !== 'string') return true;
  const dated = /^(\d{4}-\d{2}-\d{2})/.exec(version);
  return dated === null || dated[1] >= AZURE_STREAM_OPTIONS_SINCE;
}
