import { PROVIDER_AZURE_AI_OPENAI } from '@tokenomics/contract/providers';
import { detectCompatibleHost, type CompiledProviderHosts, type StreamUsage } from '../genai/compatible-hosts';

/** Where an OpenAI-compatible client sends its requests, and which provider that is. */
export interface Endpoint {
  provider: string;
  serverAddress?: string | undefined;
  serverPort?: number | undefined;
  /** How the host reports a stream's usage: asked for with `stream_options`, or always. */
  streamUsage: StreamUsage;
  /** The provider is a guess (a default port, or no known host): the response may name the server. */
  guessed: boolean;
}

const defaultCache = new Map<string, Endpoint>();
/** Endpoints of `AzureOpenAI` clients by base URL (always `azure.ai.openai`, whatever the map says). */
const azureCache = new Map<string, Endpoint>();
/** Endpoints by base URL for each user map (a map changes only with the configuration). */
const mapCaches = new WeakMap<CompiledProviderHosts, Map<string, Endpoint>>();
const MAX_CACHED = 64;

/**
 * Provider and server of a client's base URL (see `detectCompatibleHost`: the user's map, known
 * hosts, default ports of self-hosted servers, else `openai`). `AzureOpenAI` clients are always
 * `azure.ai.openai`. Cached per base URL (and per map).
 */
export function endpointOf(baseURL: unknown, azure: boolean, hosts?: CompiledProviderHosts): Endpoint {
  let cache = azure ? azureCache : defaultCache;
  if (hosts !== undefined && !azure) {
    cache = mapCaches.get(hosts) ?? new Map<string, Endpoint>();
    if (cache.size === 0) mapCaches.set(hosts, cache);
  }
  // Keyed by the client's own base URL string: no key is built per call.
  const url = typeof baseURL === 'string' ? baseURL : '';
  let endpoint = cache.get(url);
  if (!endpoint) {
    endpoint = toEndpoint(detectCompatibleHost(url, azure ? undefined : hosts), azure);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(url, endpoint);
  }
  return endpoint;
}

function toEndpoint(host: ReturnType<typeof detectCompatibleHost>, azure: boolean): Endpoint {
  const endpoint: Endpoint = {
    provider: azure ? PROVIDER_AZURE_AI_OPENAI : host.provider,
    streamUsage: azure ? 'on_request' : host.streamUsage,
    guessed: !azure && (host.detectedBy === 'port' || host.detectedBy === 'fallback'),
  };
  if (host.serverAddress !== undefined) endpoint.serverAddress = host.serverAddress;
  if (host.serverPort !== undefined) endpoint.serverPort = host.serverPort;
  return endpoint;
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
