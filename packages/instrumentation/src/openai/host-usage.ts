import type { Usage } from '@tokenomics/pricing/types';
import { CountReader } from '@tokenomics/pricing/usage-validation';
import { openAIUsage } from './usage';
import {
  BILLED_ITEM_SEARCH_CONTEXT_HIGH,
  BILLED_ITEM_SEARCH_CONTEXT_MEDIUM,
  BILLED_ITEM_WEB_SEARCH,
} from '@tokenomics/contract/operations';
import {
  PROVIDER_DEEPSEEK,
  PROVIDER_OPENAI,
  PROVIDER_OPENROUTER,
  PROVIDER_PERPLEXITY,
  PROVIDER_X_AI,
} from '@tokenomics/contract/providers';

type Obj = Record<string, unknown>;

/**
 * Usage of a chat completion from an OpenAI-compatible host, with the host's own fields read:
 *
 * - DeepSeek: `prompt_cache_hit_tokens` are the cache reads (`prompt_cache_miss_tokens` the rest of
 *   `prompt_tokens`), when `prompt_tokens_details.cached_tokens` is absent
 *   (https://api-docs.deepseek.com/api/create-chat-completion);
 * - xAI: `completion_tokens` leaves the reasoning tokens out when `total_tokens` says so
 *   (prompt + completion + reasoning = total): they are added to the output, of which they are a
 *   subset in our terms (https://docs.x.ai/docs/guides/reasoning);
 * - Perplexity: `num_search_queries` is counted as `web_search` requests, priced when the price
 *   book has a search fee for the model and listed as not charged otherwise; a `search_context_size`
 *   of `medium` or `high` is one `search_context_medium` / `search_context_high` item, the request
 *   fee above the default (`low`) one
 *   (https://docs.perplexity.ai/api-reference/chat-completions-post);
 * - Groq: streamed usage arrives in the last chunk's `x_groq.usage` (read by the stream sink).
 *
 * Everything else reads as OpenAI's usage. Returns undefined when `raw` holds no counts.
 */
export function compatibleUsage(provider: string, raw: unknown): Usage | undefined {
  const usage = openAIUsage(raw);
  if (usage === undefined || usage.invalid !== undefined || provider === PROVIDER_OPENAI) return usage;
  const u = raw as Obj;
  const r = new CountReader();
  switch (provider) {
    case PROVIDER_DEEPSEEK: {
      const hit = r.optional(u.prompt_cache_hit_tokens, 'prompt_cache_hit_tokens');
      if (hit !== undefined && usage.cacheReadTokens === undefined) usage.cacheReadTokens = hit;
      break;
    }
    case PROVIDER_X_AI: {
      const total = r.optional(u.total_tokens, 'total_tokens');
      const reasoning = usage.reasoningTokens;
      const input = usage.inputTokens ?? 0;
      const output = usage.outputTokens ?? 0;
      if (reasoning !== undefined && reasoning > 0 && total !== undefined && total === input + output + reasoning) {
        usage.outputTokens = output + reasoning;
      }
      break;
    }
    case PROVIDER_PERPLEXITY: {
      const requests: Record<string, number> = {};
      const searches = r.optional(u.num_search_queries, 'num_search_queries');
      if (searches !== undefined && searches > 0) requests[BILLED_ITEM_WEB_SEARCH] = searches;
      // The request fee grows with the search context size: medium and high are billed items on
      // top of the default (low) fee.
      const size = Object.hasOwn(u, 'search_context_size') ? u.search_context_size : undefined;
      if (size === 'medium') requests[BILLED_ITEM_SEARCH_CONTEXT_MEDIUM] = 1;
      else if (size === 'high') requests[BILLED_ITEM_SEARCH_CONTEXT_HIGH] = 1;
      if (Object.keys(requests).length > 0) usage.requests = requests;
      break;
    }
    default:
      break;
  }
  return r.finish(usage);
}

/**
 * The cost a host reported for the call, in USD: OpenRouter's `usage.cost` (its credits are US
 * dollars; https://openrouter.ai/docs/use-cases/usage-accounting) and Perplexity's
 * `usage.cost.total_cost` (tokens plus the request fee of the search context size;
 * https://docs.perplexity.ai/api-reference/chat-completions-post). Undefined when the host reports
 * none, or the value is not a finite non-negative number.
 */
export function reportedCostOf(provider: string, raw: unknown): number | undefined {
  if (!raw || typeof raw !== 'object' || !Object.hasOwn(raw, 'cost')) return undefined;
  let cost = (raw as Obj).cost;
  if (provider === PROVIDER_PERPLEXITY) {
    cost = cost && typeof cost === 'object' && Object.hasOwn(cost, 'total_cost') ? (cost as Obj).total_cost : undefined;
  } else if (provider !== PROVIDER_OPENROUTER) return undefined;
  return typeof cost === 'number' && Number.isFinite(cost) && cost >= 0 && cost < 1e6 ? cost : undefined;
}
