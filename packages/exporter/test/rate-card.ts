import type { BillingUnit, Cost, PriceOptions, Usage } from '@tokenomics/pricing';

/**
 * A small price book for tests, holding published list prices (USD per million tokens) so that the
 * exporter's tests pin exact figures independently of the bundled price data. It records every call
 * so tests can assert what the exporter asked for.
 *
 * Rates (provider pricing pages):
 * - openai gpt-4o: $2.50 input, $1.25 cached input, $10.00 output; priority tier $4.25 / $2.125 / $17.00
 * - openai o4-mini: $1.10 input, $0.275 cached input, $4.40 output (reasoning billed as output)
 * - anthropic claude-sonnet-4: $3.00 input, $0.30 cache read, $3.75 cache write (5 min), $15.00 output
 * - gcp.gemini gemini-2.5-pro: $1.25 input / $10.00 output for calls up to 200k input tokens,
 *   $2.50 / $15.00 above
 */
interface Rates {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
}

const M = 1_000_000;

const MODELS: Record<string, { provider: string; rates: (usage: Usage, tier: string) => Rates }> = {
  'gpt-4o': {
    provider: 'openai',
    rates: (_u, tier) =>
      tier === 'priority'
        ? { input: 4.25, cacheRead: 2.125, cacheWrite: 4.25, output: 17 }
        : { input: 2.5, cacheRead: 1.25, cacheWrite: 2.5, output: 10 },
  },
  'o4-mini': { provider: 'openai', rates: () => ({ input: 1.1, cacheRead: 0.275, cacheWrite: 1.1, output: 4.4 }) },
  'claude-sonnet-4': { provider: 'anthropic', rates: () => ({ input: 3, cacheRead: 0.3, cacheWrite: 3.75, output: 15 }) },
  'gemini-2.5-pro': {
    provider: 'gcp.gemini',
    rates: (u) =>
      (u.inputTokens ?? 0) > 200_000
        ? { input: 2.5, cacheRead: 0.625, cacheWrite: 2.5, output: 15 }
        : { input: 1.25, cacheRead: 0.31, cacheWrite: 1.25, output: 10 },
  },
};

/** Strip a dated-snapshot suffix (`-2024-08-06`, `-20250514`). */
function resolve(model: string): string {
  return model.replace(/-(\d{4}-\d{2}-\d{2}|\d{8})$/, '');
}

export interface RecordedCall {
  usage: Usage;
  opts: PriceOptions;
}

export class RateCard {
  readonly version = 'test-2025.06';
  readonly calls: RecordedCall[] = [];

  price(usage: Usage, opts: PriceOptions): Cost {
    this.calls.push({ usage: { ...usage }, opts: { ...opts } });
    // Like the real price book: the reported response model wins when it is known.
    const reported = (opts as { responseModel?: string }).responseModel;
    const model = reported !== undefined && MODELS[resolve(reported)] !== undefined ? reported : opts.model;
    const entry = MODELS[resolve(model)];
    if (entry === undefined) {
      return {
        priced: false,
        reason: 'unknown_model',
        detail: `no price for ${model}`,
        priceBookVersion: this.version,
        estimated: !!opts.estimated,
      };
    }
    const tier = opts.serviceTier === 'priority' ? 'priority' : 'standard';
    const r = entry.rates(usage, tier);
    const cacheRead = usage.cacheReadTokens ?? 0;
    const cacheWrite = usage.cacheWriteTokens ?? 0;
    const reasoning = usage.reasoningTokens ?? 0;
    const tokens: Partial<Record<BillingUnit, number>> = {
      input: (usage.inputTokens ?? 0) - cacheRead - cacheWrite,
      cache_read: cacheRead,
      cache_write: cacheWrite,
      output: (usage.outputTokens ?? 0) - reasoning,
      reasoning,
    };
    const perToken: Partial<Record<BillingUnit, number>> = {
      input: r.input,
      cache_read: r.cacheRead,
      cache_write: r.cacheWrite,
      output: r.output,
      reasoning: r.output,
    };
    const breakdown: Partial<Record<BillingUnit, number>> = {};
    let amount = 0;
    for (const unit of Object.keys(tokens) as BillingUnit[]) {
      const n = tokens[unit] ?? 0;
      if (n === 0) {
        delete tokens[unit];
        continue;
      }
      const cost = (n * (perToken[unit] as number)) / M;
      breakdown[unit] = cost;
      amount += cost;
    }
    return {
      priced: true,
      amount,
      currency: 'USD',
      breakdown,
      tokens,
      priceBookVersion: this.version,
      provider: entry.provider,
      matchedModel: resolve(model),
      serviceTier: tier,
      estimated: !!opts.estimated,
    };
  }
}
