import { PROVIDER_GCP_GEMINI, PROVIDER_GCP_VERTEX_AI } from '@tokenomics/contract/providers';

/** Where a `@google/genai` client sends its requests, and which provider that is. */
export interface GeminiEndpoint {
  /** `gcp.vertex_ai` for a Vertex AI client (`vertexai: true`), else `gcp.gemini`. */
  provider: typeof PROVIDER_GCP_GEMINI | typeof PROVIDER_GCP_VERTEX_AI;
  serverAddress?: string;
  serverPort?: number;
}

interface ApiClientLike {
  isVertexAI?: () => boolean;
  getBaseUrl?: () => string;
}

/** The endpoint of the API client a `Models` module holds. Never throws. */
export function geminiEndpoint(models: unknown): GeminiEndpoint {
  const apiClient = (models as { apiClient?: ApiClientLike } | null)?.apiClient;
  let vertex = false;
  let baseUrl: string | undefined;
  try {
    vertex = apiClient?.isVertexAI?.() === true;
    baseUrl = apiClient?.getBaseUrl?.();
  } catch {
    // an unconfigured client: the provider is still known
  }
  const endpoint: GeminiEndpoint = { provider: vertex ? PROVIDER_GCP_VERTEX_AI : PROVIDER_GCP_GEMINI };
  if (typeof baseUrl === 'string') {
    try {
      const url = new URL(baseUrl);
      endpoint.serverAddress = url.hostname;
      endpoint.serverPort = url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
    } catch {
      // not a URL: leave the server out
    }
  }
  return endpoint;
}
