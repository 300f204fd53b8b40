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

const cache = new Map<string, Endpoint>();
const MAX_CACHED = 64;

/**
 * Provider and server of a client's base URL. Unknown hosts are OpenAI-compatible servers and
 * are reported as `openai`; port 11434 is Ollama's. Cached per base URL.
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
    if (provider === 'openai' && port === 11434) provider = 'ollama';
  }
  return { provider, serverAddress: host, serverPort: port };
}
