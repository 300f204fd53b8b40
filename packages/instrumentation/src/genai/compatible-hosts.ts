/**
 * Which provider an OpenAI-compatible base URL belongs to. One module for every client that
 * speaks OpenAI's wire format to someone else (the `openai` client with another `baseURL`, the
 * Vercel AI SDK's openai-compatible provider, ...): the provider name it gets on telemetry, and
 * how the host reports the usage of a stream.
 *
 * Detection, in order:
 * 1. the user's map ({@link ProviderHostEntry}, from `TOKENOMICS_PROVIDER_HOSTS` or the
 *    `providerHosts` option): the longest base URL that is a prefix of the client's wins;
 * 2. a known public host, by host name (the host or a subdomain of it);
 * 3. a self-hosted server on its default port: Ollama 11434, LM Studio 1234, LiteLLM proxy 4000,
 *    vLLM 8000, llama.cpp's `llama-server` 8080 (a guess: any other server on one of these ports
 *    gets the same name; the map corrects it);
 * 4. otherwise `openai`: an OpenAI-compatible server we cannot name. It is priced from OpenAI's
 *    prices only when the model id resolves to an OpenAI model (`llama-3.1-8b` there is unpriced
 *    with `unknown_model`, never priced as some OpenAI model).
 *
 * After 3 or 4, the response may still name the server ({@link selfHostedProviderOf}: llama.cpp's
 * `timings`, Ollama's `fp_ollama` fingerprint, vLLM's `prompt_logprobs`, LM Studio's `stats`).
 */

import {
  PROVIDER_AZURE_AI_INFERENCE,
  PROVIDER_AZURE_AI_OPENAI,
  PROVIDER_CEREBRAS,
  PROVIDER_DEEPSEEK,
  PROVIDER_FIREWORKS_AI,
  PROVIDER_GCP_GEMINI,
  PROVIDER_GROQ,
  PROVIDER_LITELLM,
  PROVIDER_LLAMA_CPP,
  PROVIDER_LM_STUDIO,
  PROVIDER_MISTRAL_AI,
  PROVIDER_OLLAMA,
  PROVIDER_OPENAI,
  PROVIDER_OPENROUTER,
  PROVIDER_PERPLEXITY,
  PROVIDER_TOGETHER_AI,
  PROVIDER_VLLM,
  PROVIDER_X_AI,
} from '@tokenomics/contract/providers';

/**
 * How a host reports the usage of a streamed chat completion:
 * - `on_request`: only when asked with `stream_options.include_usage` (OpenAI and most servers);
 *   the instrumentation asks for it and hides the extra chunk from the app;
 * - `always`: in the last chunk without being asked (`usage`, or Groq's `x_groq.usage`); the
 *   request goes out as the app wrote it.
 */
export type StreamUsage = 'on_request' | 'always';

/** How the provider of a base URL was decided. */
export type HostDetection = 'configured' | 'host' | 'port' | 'fallback';

/** What a base URL tells about the host behind it. */
export interface CompatibleHost {
  /** The `gen_ai.provider.name` of calls to this host. */
  provider: string;
  /** `server.address`, when the base URL could be read. */
  serverAddress?: string | undefined;
  /** `server.port` (the scheme's default when the URL gives none). */
  serverPort?: number | undefined;
  streamUsage: StreamUsage;
  detectedBy: HostDetection;
}

/** One entry of the user's base-URL map. */
export interface ProviderHostEntry {
  /** A base URL (`https://llm.internal.example/v1`) or a host with an optional port and path (`10.0.0.5:4000`). */
  baseURL: string;
  /** The provider name calls to it get. */
  provider: string;
}

/** Known public hosts: host name suffix, provider, stream usage. */
const KNOWN_HOSTS: ReadonlyArray<readonly [suffix: string, provider: string, streamUsage: StreamUsage]> = [
  ['api.openai.com', PROVIDER_OPENAI, 'on_request'],
  ['openai.azure.com', PROVIDER_AZURE_AI_OPENAI, 'on_request'],
  ['cognitiveservices.azure.com', PROVIDER_AZURE_AI_OPENAI, 'on_request'],
  ['services.ai.azure.com', PROVIDER_AZURE_AI_INFERENCE, 'on_request'],
  // https://openrouter.ai/docs/use-cases/usage-accounting: usage in the last chunk, always.
  ['openrouter.ai', PROVIDER_OPENROUTER, 'always'],
  // https://api-docs.deepseek.com/api/create-chat-completion: stream_options.include_usage.
  ['api.deepseek.com', PROVIDER_DEEPSEEK, 'on_request'],
  // https://docs.x.ai/docs/api-reference#chat-completions: stream_options.include_usage.
  ['api.x.ai', PROVIDER_X_AI, 'on_request'],
  // https://console.groq.com/docs/api-reference#chat-create: usage in the last chunk's x_groq.
  ['api.groq.com', PROVIDER_GROQ, 'always'],
  // https://docs.together.ai/reference/chat-completions-1: usage in the last chunk.
  ['api.together.xyz', PROVIDER_TOGETHER_AI, 'always'],
  ['api.together.ai', PROVIDER_TOGETHER_AI, 'always'],
  // https://docs.fireworks.ai/api-reference/post-chatcompletions: usage in the last chunk.
  ['api.fireworks.ai', PROVIDER_FIREWORKS_AI, 'always'],
  // https://docs.perplexity.ai/api-reference/chat-completions-post: usage on the chunks.
  ['api.perplexity.ai', PROVIDER_PERPLEXITY, 'always'],
  // https://docs.mistral.ai/api/#tag/chat: usage in the last chunk.
  ['api.mistral.ai', PROVIDER_MISTRAL_AI, 'always'],
  ['generativelanguage.googleapis.com', PROVIDER_GCP_GEMINI, 'on_request'],
  ['api.cerebras.ai', PROVIDER_CEREBRAS, 'on_request'],
];

/** Default ports of self-hosted OpenAI-compatible servers. */
const DEFAULT_PORTS: ReadonlyMap<number, string> = new Map([
  [11434, PROVIDER_OLLAMA],
  [1234, PROVIDER_LM_STUDIO],
  [4000, PROVIDER_LITELLM],
  [8000, PROVIDER_VLLM],
  [8080, PROVIDER_LLAMA_CPP],
]);

/**
 * Hosts where the `/openai` path is Azure OpenAI: Azure AI Foundry resources and Azure API
 * Management gateways, which import Azure OpenAI under the `openai` URL suffix.
 */
const AZURE_OPENAI_PATH_HOSTS = ['services.ai.azure.com', 'azure-api.net'];
/** Azure OpenAI's deployment-scoped API (`.../openai/deployments/{deployment}`), on any host or gateway. */
const AZURE_DEPLOYMENTS_PATH = /\/openai\/deployments(\/|$)/;

/** A provider name the map accepts. */
const PROVIDER_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;

/**
 * The provider behind an OpenAI-compatible base URL, with the `server.*` attributes of a call to
 * it. `hosts` is the user's map (checked first). Never throws: a base URL that cannot be read is
 * `openai` without a server address.
 *
 * @example
 * detectCompatibleHost('https://api.deepseek.com').provider; // 'deepseek'
 * detectCompatibleHost('http://gpu-01:8000/v1').provider; // 'vllm'
 */
export function detectCompatibleHost(baseURL: unknown, hosts?: CompiledProviderHosts): CompatibleHost {
  const text = typeof baseURL === 'string' ? baseURL : baseURL instanceof URL ? baseURL.href : '';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { provider: PROVIDER_OPENAI, streamUsage: 'on_request', detectedBy: 'fallback' };
  }
  const host = url.hostname;
  const serverPort = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const base = { serverAddress: host, serverPort };
  const configured = hosts?.match(url, serverPort);
  if (configured !== undefined) {
    return { ...base, provider: configured, streamUsage: streamUsageOf(configured), detectedBy: 'configured' };
  }
  const path = url.pathname;
  if (AZURE_DEPLOYMENTS_PATH.test(path) || (/^\/openai(\/|$)/.test(path) && AZURE_OPENAI_PATH_HOSTS.some((s) => isUnder(host, s)))) {
    return { ...base, provider: PROVIDER_AZURE_AI_OPENAI, streamUsage: 'on_request', detectedBy: 'host' };
  }
  for (const [suffix, provider, streamUsage] of KNOWN_HOSTS) {
    if (isUnder(host, suffix)) return { ...base, provider, streamUsage, detectedBy: 'host' };
  }
  const byPort = url.port ? DEFAULT_PORTS.get(serverPort) : undefined;
  if (byPort !== undefined) return { ...base, provider: byPort, streamUsage: 'on_request', detectedBy: 'port' };
  return { ...base, provider: PROVIDER_OPENAI, streamUsage: 'on_request', detectedBy: 'fallback' };
}

/** How a provider named in the map streams usage: as the known host of that name does. */
function streamUsageOf(provider: string): StreamUsage {
  for (const [, name, streamUsage] of KNOWN_HOSTS) if (name === provider) return streamUsage;
  return 'on_request';
}

function isUnder(host: string, suffix: string): boolean {
  return host === suffix || host.endsWith(`.${suffix}`);
}

/** One map entry, ready to match. */
interface CompiledEntry {
  /** `https:`, `http:`, or undefined for any scheme. */
  protocol: string | undefined;
  hostname: string;
  /** Undefined: any port. */
  port: number | undefined;
  /** Path prefix without a trailing slash (`''` for the whole host). */
  path: string;
  provider: string;
}

/** The user's base-URL map, checked and ready to match. Build it with {@link compileProviderHosts}. */
export class CompiledProviderHosts {
  /** @internal */
  constructor(private readonly entries: readonly CompiledEntry[]) {}

  /** Number of entries. */
  get size(): number {
    return this.entries.length;
  }

  /** The provider of the longest entry that matches `url`, if any. */
  match(url: URL, port: number): string | undefined {
    let best: CompiledEntry | undefined;
    const path = url.pathname.replace(/\/+$/, '');
    for (const e of this.entries) {
      if (e.hostname !== url.hostname) continue;
      if (e.protocol !== undefined && e.protocol !== url.protocol) continue;
      if (e.port !== undefined && e.port !== port) continue;
      if (e.path !== '' && path !== e.path && !path.startsWith(`${e.path}/`)) continue;
      if (!best || e.path.length > best.path.length || (e.port !== undefined && best.port === undefined)) best = e;
    }
    return best?.provider;
  }
}

/** A bad entry in the provider-host map; the message names the source, the entry and what is accepted. */
export class ProviderHostsError extends Error {
  constructor(
    /** What was read: `TOKENOMICS_PROVIDER_HOSTS`, `providerHosts`, ... */
    readonly source: string,
    /** The entry at fault, as written. */
    readonly entry: string,
    /** What is wrong with it, e.g. `has an invalid provider "Bad Name"`. */
    readonly reason: string,
  ) {
    super(`${source}: entry "${entry}" ${reason}; accepted: ${PROVIDER_HOSTS_ACCEPTED}`);
    this.name = 'ProviderHostsError';
  }
}

/** What an entry of the map must look like, for error messages. */
export const PROVIDER_HOSTS_ACCEPTED =
  "comma-separated <base URL>=<provider>, e.g. https://llm.internal.example/v1=vllm or 10.0.0.5:4000=litellm, where the base URL is an http(s) URL or a host with an optional port and path, and the provider is lower-case letters, digits, '.', '_' or '-' starting with a letter";

/**
 * Reads the text form of the map: comma-separated `<base URL>=<provider>` entries (whitespace
 * and empty entries ignored), e.g. `https://llm.internal.example/v1=vllm,10.0.0.5:4000=litellm`.
 *
 * @param source - what to name in errors, e.g. `TOKENOMICS_PROVIDER_HOSTS`.
 * @throws ProviderHostsError naming `source`, the entry and what is accepted.
 */
export function parseProviderHosts(text: string, source: string): ProviderHostEntry[] {
  const entries: ProviderHostEntry[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const eq = entry.lastIndexOf('=');
    if (eq <= 0) throw new ProviderHostsError(source, entry, `has no '=<provider>'`);
    entries.push({ baseURL: entry.slice(0, eq).trim(), provider: entry.slice(eq + 1).trim() });
  }
  compileProviderHosts(entries, source);
  return entries;
}

/**
 * Checks the map and makes it ready to match. Accepts entries, or an object of base URL to
 * provider (the `providerHosts` option of `start()`).
 *
 * @param source - what to name in errors, e.g. `start({ providerHosts })`.
 * @throws ProviderHostsError naming `source`, the entry and what is accepted.
 */
export function compileProviderHosts(
  hosts: readonly ProviderHostEntry[] | Readonly<Record<string, string>>,
  source: string,
): CompiledProviderHosts {
  const list: ProviderHostEntry[] = Array.isArray(hosts)
    ? (hosts as readonly ProviderHostEntry[]).slice()
    : Object.keys(hosts).map((baseURL) => ({ baseURL, provider: (hosts as Record<string, string>)[baseURL] }));
  const compiled: CompiledEntry[] = [];
  for (const { baseURL, provider } of list) {
    // Credentials in a URL are never repeated in a message.
    const shown = `${String(baseURL)}=${String(provider)}`.replace(/\/\/[^/@\s]*@/, '//REDACTED@');
    if (typeof provider !== 'string' || !PROVIDER_NAME.test(provider)) {
      throw new ProviderHostsError(source, shown, `has an invalid provider ${JSON.stringify(provider)}`);
    }
    if (typeof baseURL !== 'string' || baseURL.trim() === '') {
      throw new ProviderHostsError(source, shown, `has no base URL`);
    }
    const text = baseURL.trim();
    const schemeGiven = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
    let url: URL;
    try {
      url = new URL(schemeGiven ? text : `http://${text}`);
    } catch {
      throw new ProviderHostsError(source, shown, `has a base URL that is not a URL or host`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ProviderHostsError(source, shown, `has a base URL with scheme ${url.protocol} (http or https only)`);
    }
    if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
      throw new ProviderHostsError(source, shown, `has a base URL with a query, fragment or credentials`);
    }
    compiled.push({
      protocol: schemeGiven ? url.protocol : undefined,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : schemeGiven ? (url.protocol === 'https:' ? 443 : 80) : undefined,
      path: url.pathname.replace(/\/+$/, ''),
      provider,
    });
  }
  return new CompiledProviderHosts(compiled);
}

const COMPILED = new WeakMap<object, CompiledProviderHosts>();

/**
 * The `providerHosts` option of an instrumentation's configuration, compiled once per object.
 * Undefined when none is given.
 *
 * @throws ProviderHostsError for a bad entry, naming the `providerHosts` option.
 */
export function providerHostsOf(
  hosts: Readonly<Record<string, string>> | readonly ProviderHostEntry[] | undefined,
): CompiledProviderHosts | undefined {
  if (hosts === undefined || hosts === null || typeof hosts !== 'object') return undefined;
  let compiled = COMPILED.get(hosts);
  if (!compiled) {
    compiled = compileProviderHosts(hosts, 'providerHosts');
    COMPILED.set(hosts, compiled);
  }
  return compiled.size > 0 ? compiled : undefined;
}

/**
 * The self-hosted server a chat completion (or a streamed chunk of one) comes from, by the fields
 * only that server puts in it, or undefined:
 * - llama.cpp's `llama-server`: a `timings` object (prompt and generation speeds);
 * - Ollama's OpenAI-compatible endpoint: `system_fingerprint` `fp_ollama`;
 * - vLLM: the `prompt_logprobs` or `kv_transfer_params` fields of its chat completions;
 * - LM Studio: a `stats` object next to the usage.
 *
 * Used for calls whose base URL named no provider, or only by a default port: the response
 * corrects the guess. Reads own fields only; never throws.
 */
export function selfHostedProviderOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const own = (key: string) => Object.hasOwn(b, key);
  if (own('timings') && b.timings !== null && typeof b.timings === 'object') return PROVIDER_LLAMA_CPP;
  if (own('system_fingerprint') && b.system_fingerprint === 'fp_ollama') return PROVIDER_OLLAMA;
  if (own('kv_transfer_params') || own('prompt_logprobs')) return PROVIDER_VLLM;
  if (own('stats') && b.stats !== null && typeof b.stats === 'object' && !Array.isArray(b.stats)) return PROVIDER_LM_STUDIO;
  return undefined;
}
