import { OPERATION_CHAT, OPERATION_GENERATE_CONTENT } from '@tokenomics/contract/operations';
import {
  normaliseProviderName,
  PROVIDER_ANTHROPIC,
  PROVIDER_AWS_BEDROCK,
  PROVIDER_GCP_GEMINI,
  PROVIDER_GCP_GEN_AI,
  PROVIDER_GCP_VERTEX_AI,
  PROVIDER_OPENAI,
} from '@tokenomics/contract/providers';

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

/** APIs of `<provider>.<api>` ids that speak the OpenAI wire format (OpenAI and OpenAI-compatible providers). */
const OPENAI_SHAPED_APIS: ReadonlySet<string> = new Set(['chat', 'completion', 'embedding', 'responses']);
const GOOGLE: ReadonlySet<string> = new Set([PROVIDER_GCP_GEMINI, PROVIDER_GCP_VERTEX_AI, PROVIDER_GCP_GEN_AI]);

const cache = new Map<string, ModelProvider>();
const CACHE_LIMIT = 256;

/**
 * The provider of an AI SDK model from its `provider` id (`openai.responses`, `openai.chat`,
 * `anthropic.messages`, `google.generative-ai`, `google.vertex.chat`, `amazon-bedrock`,
 * `<name>.chat` for an OpenAI-compatible provider, ...). The provider name comes from the
 * contract's provider table; an id it does not know (an OpenAI-compatible provider the app named)
 * reports its first segment, lower-cased. The usage family says which vendor normaliser reads the
 * provider's raw usage: Anthropic for the Messages API (also on Vertex AI), Gemini for Google,
 * Converse for Bedrock, OpenAI for the OpenAI and OpenAI-compatible APIs.
 */
export function modelProvider(raw: unknown): ModelProvider {
  const id = typeof raw === 'string' && raw.length > 0 && raw.length <= 128 ? raw : 'unknown';
  const hit = cache.get(id);
  if (hit !== undefined) return hit;
  const resolved = resolve(id);
  if (cache.size < CACHE_LIMIT) cache.set(id, resolved);
  return resolved;
}

function resolve(id: string): ModelProvider {
  const lower = id.trim().toLowerCase();
  const parts = lower.split('.');
  const api = parts[parts.length - 1];
  const known = normaliseProviderName(lower);
  // Not in the provider table: the name the app gave its OpenAI-compatible provider.
  const provider = known === lower && parts.length > 1 ? parts[0] || 'unknown' : known;
  let family: UsageFamily = 'other';
  if (provider === PROVIDER_AWS_BEDROCK) family = 'bedrock';
  else if (api === 'messages' || provider === PROVIDER_ANTHROPIC) family = 'anthropic';
  else if (GOOGLE.has(provider)) family = 'gemini';
  else if (provider === PROVIDER_OPENAI || (parts.length > 1 && OPENAI_SHAPED_APIS.has(api))) family = 'openai';
  const generateOperation = family === 'gemini' ? OPERATION_GENERATE_CONTENT : OPERATION_CHAT;
  return { provider, family, generateOperation };
}
