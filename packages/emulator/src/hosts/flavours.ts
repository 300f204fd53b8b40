import type { Exchange } from '../exchange';
import type { ChatFlavour, ChatUsage } from '../openai/chat-completions';

/** OpenAI-compatible hosts the emulator can answer as, under `/hosts/<name>/...`. */
export type HostName = 'deepseek' | 'xai' | 'openrouter' | 'perplexity' | 'groq' | 'together' | 'llamacpp';

/** Every host name, in documentation order. */
export const HOST_NAMES: readonly HostName[] = ['deepseek', 'xai', 'openrouter', 'perplexity', 'groq', 'together', 'llamacpp'];

/**
 * What the emulated OpenRouter bills whatever the model, in USD per million tokens: its own figure,
 * deliberately not any price book's, so that a test sees the provider's figure and the book's differ.
 */
export const OPENROUTER_EMULATED_RATES = { input: 0.1, cachedInput: 0.025, output: 0.4 } as const;

/**
 * Perplexity's published Sonar rates (USD per million tokens, and per thousand requests by search
 * context size) the emulated Perplexity reports its `usage.cost` with; for other models it reports
 * no `cost`. https://docs.perplexity.ai/getting-started/pricing
 */
export const PERPLEXITY_EMULATED_RATES: Readonly<
  Record<string, { input: number; output: number; requestPerThousand: Readonly<Record<'low' | 'medium' | 'high', number>> }>
> = {
  sonar: { input: 1, output: 1, requestPerThousand: { low: 5, medium: 8, high: 12 } },
  'sonar-pro': { input: 3, output: 15, requestPerThousand: { low: 6, medium: 10, high: 14 } },
};

function round(value: number): number {
  return Math.round(value * 1e12) / 1e12;
}

/** The search context size a Perplexity request asked for (`web_search_options.search_context_size`), `low` by default. */
function searchContextSize(exchange: Exchange): 'low' | 'medium' | 'high' {
  const options = exchange.fields.web_search_options as Record<string, unknown> | undefined | null;
  const size = options && typeof options === 'object' ? options.search_context_size : undefined;
  return size === 'medium' || size === 'high' ? size : 'low';
}

/** How each host's chat completions differ from OpenAI's, from its API reference. */
export const HOST_FLAVOURS: Readonly<Record<HostName, ChatFlavour>> = {
  // https://api-docs.deepseek.com/api/create-chat-completion: cache hits and misses in their own
  // fields (hit + miss = prompt_tokens), reasoning tokens of deepseek-reasoner in
  // completion_tokens_details; stream usage with stream_options.include_usage.
  deepseek: {
    streamUsage: 'on_request',
    usage: (u: ChatUsage) => ({
      completion_tokens: u.completion_tokens,
      prompt_tokens: u.prompt_tokens,
      prompt_cache_hit_tokens: u.prompt_tokens_details.cached_tokens,
      prompt_cache_miss_tokens: u.prompt_tokens - u.prompt_tokens_details.cached_tokens,
      total_tokens: u.total_tokens,
      completion_tokens_details: { reasoning_tokens: u.completion_tokens_details.reasoning_tokens },
    }),
  },
  // https://docs.x.ai/docs/api-reference#chat-completions and https://docs.x.ai/docs/guides/reasoning:
  // reasoning tokens are reported apart from completion_tokens (total = prompt + completion +
  // reasoning); cached prompt tokens in prompt_tokens_details; num_sources_used for live search.
  xai: {
    streamUsage: 'on_request',
    usage: (u: ChatUsage) => {
      const reasoning = u.completion_tokens_details.reasoning_tokens;
      return {
        prompt_tokens: u.prompt_tokens,
        completion_tokens: u.completion_tokens - reasoning,
        total_tokens: u.total_tokens,
        prompt_tokens_details: {
          text_tokens: u.prompt_tokens,
          audio_tokens: 0,
          image_tokens: 0,
          cached_tokens: u.prompt_tokens_details.cached_tokens,
        },
        completion_tokens_details: {
          reasoning_tokens: reasoning,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
        num_sources_used: 0,
      };
    },
  },
  // https://openrouter.ai/docs/use-cases/usage-accounting: usage always, in the last chunk of a
  // stream; `cost` in credits (USD), cache reads and writes, reasoning tokens.
  openrouter: {
    streamUsage: 'final_chunk',
    usage: (u: ChatUsage) => {
      const cached = u.prompt_tokens_details.cached_tokens;
      const r = OPENROUTER_EMULATED_RATES;
      const cost = round(((u.prompt_tokens - cached) * r.input + cached * r.cachedInput + u.completion_tokens * r.output) / 1e6);
      return {
        prompt_tokens: u.prompt_tokens,
        completion_tokens: u.completion_tokens,
        total_tokens: u.total_tokens,
        cost,
        is_byok: false,
        prompt_tokens_details: { cached_tokens: cached, cache_write_tokens: 0, audio_tokens: 0 },
        cost_details: { upstream_inference_cost: null },
        completion_tokens_details: { reasoning_tokens: u.completion_tokens_details.reasoning_tokens },
      };
    },
  },
  // https://docs.perplexity.ai/api-reference/chat-completions-post: search_context_size, the
  // number of searches, and the cost of the call (tokens plus the request fee of the context size).
  perplexity: {
    streamUsage: 'finish_chunk',
    usage: (u: ChatUsage, exchange: Exchange) => {
      const size = searchContextSize(exchange);
      const usage: Record<string, unknown> = {
        prompt_tokens: u.prompt_tokens,
        completion_tokens: u.completion_tokens,
        total_tokens: u.total_tokens,
        search_context_size: size,
      };
      const model = exchange.fields.model;
      const r = typeof model === 'string' && Object.hasOwn(PERPLEXITY_EMULATED_RATES, model) ? PERPLEXITY_EMULATED_RATES[model] : undefined;
      if (r !== undefined) {
        const inputCost = round((u.prompt_tokens * r.input) / 1e6);
        const outputCost = round((u.completion_tokens * r.output) / 1e6);
        const requestCost = round(r.requestPerThousand[size] / 1000);
        usage.cost = {
          input_tokens_cost: inputCost,
          output_tokens_cost: outputCost,
          request_cost: requestCost,
          total_cost: round(inputCost + outputCost + requestCost),
        };
      }
      const searches = exchange.directives.webSearch;
      if (searches !== undefined) usage.num_search_queries = searches;
      return usage;
    },
    completionFields: () => ({ citations: ['https://example.com/emulated-source'], search_results: [] }),
  },
  // https://console.groq.com/docs/api-reference#chat-create: timings in usage, `x_groq.id`, and a
  // stream's usage in the finish chunk's `x_groq.usage`.
  groq: {
    streamUsage: 'x_groq',
    usage: (u: ChatUsage) => ({
      queue_time: 0.0001,
      prompt_tokens: u.prompt_tokens,
      prompt_time: 0.001,
      completion_tokens: u.completion_tokens,
      completion_time: 0.01,
      total_tokens: u.total_tokens,
      total_time: 0.011,
    }),
    completionFields: (id) => ({ x_groq: { id: `req_${id.slice(9)}` } }),
  },
  // https://docs.together.ai/reference/chat-completions-1: usage on the finish chunk of a stream.
  together: {
    streamUsage: 'finish_chunk',
    usage: (u: ChatUsage) => ({
      prompt_tokens: u.prompt_tokens,
      completion_tokens: u.completion_tokens,
      total_tokens: u.total_tokens,
    }),
  },
  // llama.cpp's llama-server (tools/server/README.md in ggml-org/llama.cpp): OpenAI's usage
  // fields, plus `timings` (prompt and generation counts and speeds) on the completion.
  llamacpp: {
    streamUsage: 'on_request',
    usage: (u: ChatUsage) => ({ completion_tokens: u.completion_tokens, prompt_tokens: u.prompt_tokens, total_tokens: u.total_tokens }),
    completionFields: () => ({
      timings: {
        prompt_n: 12,
        prompt_ms: 30.5,
        prompt_per_token_ms: 2.54,
        prompt_per_second: 393.4,
        predicted_n: 20,
        predicted_ms: 410.2,
        predicted_per_token_ms: 20.51,
        predicted_per_second: 48.76,
      },
    }),
  },
};
