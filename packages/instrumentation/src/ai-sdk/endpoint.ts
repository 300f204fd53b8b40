type Obj = Record<string, unknown>;

/** The `server.address` and `server.port` of a model's requests, when its configuration tells them. */
export interface ModelServer {
  serverAddress?: string | undefined;
  serverPort?: number | undefined;
}

const NONE: ModelServer = Object.freeze({});
const servers = new WeakMap<object, ModelServer>();

/**
 * Where a provider package's model sends its requests, read once per model from its configuration:
 * `config.url({ path, modelId })` (OpenAI, OpenAI-compatible), `config.baseURL` (Anthropic,
 * Google) or `config.baseUrl()` (Bedrock). These builders only join strings; anything else, or a
 * model without such a configuration, gives no server. Never throws.
 */
export function modelServer(model: Obj): ModelServer {
  const known = servers.get(model);
  if (known !== undefined) return known;
  let server = NONE;
  try {
    const config = Object.hasOwn(model, 'config') ? model.config : undefined;
    if (config !== null && typeof config === 'object') server = serverOf(baseUrlOf(config as Obj, model.modelId));
  } catch {
    server = NONE;
  }
  servers.set(model, server);
  return server;
}

function baseUrlOf(config: Obj, modelId: unknown): unknown {
  if (typeof config.baseURL === 'string') return config.baseURL;
  if (typeof config.baseUrl === 'function') return (config.baseUrl as () => unknown)();
  if (typeof config.url === 'function') return (config.url as (o: { path: string; modelId: unknown }) => unknown)({ path: '', modelId });
  return undefined;
}

function serverOf(base: unknown): ModelServer {
  if (typeof base !== 'string' || base.length === 0 || base.length > 2048) return NONE;
  const url = new URL(base);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return NONE;
  return { serverAddress: url.hostname, serverPort: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80 };
}
