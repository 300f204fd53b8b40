import { PROVIDER_AWS_BEDROCK, PROVIDER_GCP_VERTEX_AI } from '@tokenomics/contract/providers';

/** Which provider and server an Anthropic client talks to. */
export interface AnthropicEndpoint {
  provider: string;
  serverAddress?: string;
  serverPort?: number;
}

type Obj = Record<string, unknown>;

/** Provider of the platform clients that share the `@anthropic-ai/sdk` resources, by class name. */
const CLIENT_CLASS_PROVIDERS: Record<string, string> = {
  AnthropicBedrock: PROVIDER_AWS_BEDROCK,
  AnthropicVertex: PROVIDER_GCP_VERTEX_AI,
};

const servers = new Map<string, Pick<AnthropicEndpoint, 'serverAddress' | 'serverPort'>>();
const MAX_CACHED = 64;

/**
 * Provider and server of an Anthropic client (`Anthropic`, `AnthropicBedrock`, `AnthropicVertex`).
 * The provider is the one the SDK itself reports (`_genAIProviderName`, SDK 1.x), else the
 * platform client's class, else `anthropic`; the server comes from the client's base URL.
 */
export function endpointOf(client: unknown): AnthropicEndpoint {
  const c = (client && typeof client === 'object' ? client : {}) as Obj;
  const endpoint: AnthropicEndpoint = { provider: providerOf(c), ...serverOf(c.baseURL) };
  return endpoint;
}

function providerOf(client: Obj): string {
  const reported = client._genAIProviderName;
  if (typeof reported === 'string' && reported.length > 0) return reported;
  for (let proto = Object.getPrototypeOf(client); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const name = (proto.constructor as { name?: unknown } | undefined)?.name;
    if (typeof name === 'string' && name in CLIENT_CLASS_PROVIDERS) return CLIENT_CLASS_PROVIDERS[name];
  }
  return 'anthropic';
}

function serverOf(baseURL: unknown): Pick<AnthropicEndpoint, 'serverAddress' | 'serverPort'> {
  if (typeof baseURL !== 'string') return {};
  let server = servers.get(baseURL);
  if (!server) {
    server = {};
    try {
      const url = new URL(baseURL);
      server = {
        serverAddress: url.hostname,
        serverPort: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
      };
    } catch {
      /* not a URL: no server attributes */
    }
    if (servers.size >= MAX_CACHED) servers.clear();
    servers.set(baseURL, server);
  }
  return server;
}
