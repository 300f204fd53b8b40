import { price, type Usage } from '@tokenomics/pricing';
import type { Sample } from './prometheus';

/** One call as the workload driver reports it (what the provider answered). */
export interface DriverCall {
  tenant: string;
  feature: string;
  model: string;
  stream: boolean;
  responseModel?: string;
  usage?: {
    prompt_tokens: number;
    completion_tokens: number;
    prompt_tokens_details?: { cached_tokens?: number };
    completion_tokens_details?: { reasoning_tokens?: number };
  };
  error?: { status?: number; name?: string };
}

type Labels = Record<string, string>;
interface Item {
  labels: Labels;
  value: number;
}

/**
 * What the telemetry of a set of calls must add up to, derived from the calls themselves: the
 * usage the provider billed, priced with the price book, split into the token-type partition of
 * docs/TELEMETRY.md; durations from the emulator's timing directives (400 ms before an answer,
 * 700 ms before a stream's first chunk).
 */
export class CallFigures {
  readonly cost: Item[] = [];
  readonly tokens: Item[] = [];
  readonly calls: (Item & { le: number })[] = [];
  readonly firstChunk: (Item & { le: number })[] = [];
  readonly unpriced: Item[] = [];
  readonly estimated: Item[] = [];

  constructor(
    readonly service: string,
    calls: DriverCall[],
  ) {
    for (const c of calls) {
      const base: Labels = {
        service_name: service,
        gen_ai_provider_name: 'openai',
        gen_ai_request_model: c.model,
        tokenomics_attribution_tenant: c.tenant,
        tokenomics_attribution_feature: c.feature,
      };
      const errorType = c.error ? String(c.error.status ?? c.error.name) : '';
      this.calls.push({ labels: { ...base, error_type: errorType }, value: 1, le: c.stream ? 1.28 : 0.64 });
      if (c.stream) this.firstChunk.push({ labels: base, value: 1, le: 1.28 });
      // a failed call without usage was not billed: no tokens, no cost, not unpriced
      if (!c.usage) continue;
      const usage: Usage = {
        inputTokens: c.usage.prompt_tokens,
        outputTokens: c.usage.completion_tokens,
        cacheReadTokens: c.usage.prompt_tokens_details?.cached_tokens ?? 0,
        reasoningTokens: c.usage.completion_tokens_details?.reasoning_tokens ?? 0,
      };
      const parts: Record<string, number> = {
        input: usage.inputTokens! - usage.cacheReadTokens!,
        cache_read: usage.cacheReadTokens!,
        output: usage.outputTokens! - usage.reasoningTokens!,
        reasoning: usage.reasoningTokens!,
      };
      for (const [type, n] of Object.entries(parts)) {
        if (n > 0) this.tokens.push({ labels: { ...base, tokenomics_token_type: type }, value: n });
      }
      const cost = price(usage, { provider: 'openai', model: c.model, responseModel: c.responseModel });
      if (!cost.priced) {
        this.unpriced.push({ labels: { ...base, tokenomics_unpriced_reason: cost.reason }, value: 1 });
        continue;
      }
      for (const [unit, amount] of Object.entries(cost.breakdown)) {
        if ((amount as number) > 0) this.cost.push({ labels: { ...base, tokenomics_token_type: unit }, value: amount as number });
      }
    }
  }
}

/** Sums items by the given labels; labels with empty values are dropped, as Prometheus does. */
export function sumBy(items: Item[], by: string[], scale = 1, filter: (l: Labels) => boolean = () => true): Sample[] {
  const out = new Map<string, Sample>();
  for (const it of items) {
    if (!filter(it.labels)) continue;
    const labels: Labels = {};
    for (const k of by) if (it.labels[k]) labels[k] = it.labels[k];
    const key = JSON.stringify(Object.entries(labels).sort());
    const cur = out.get(key) ?? { labels, value: 0 };
    cur.value += it.value * scale;
    out.set(key, cur);
  }
  return [...out.values()];
}

/** Divides matching samples (same labels); samples without a partner or with a zero divisor are dropped. */
export function divide(a: Sample[], b: Sample[], scale = 1): Sample[] {
  const bs = new Map(b.map((s) => [key(s.labels), s.value]));
  return a.flatMap((s) => {
    const d = bs.get(key(s.labels));
    return d ? [{ labels: s.labels, value: (s.value / d) * scale }] : [];
  });
}

/** `a or 0 * b`: every series of b, with a's value where a has one. */
export function orZero(a: Sample[], b: Sample[]): Sample[] {
  const as = new Map(a.map((s) => [key(s.labels), s.value]));
  return b.map((s) => ({ labels: s.labels, value: as.get(key(s.labels)) ?? 0 }));
}

/** Prometheus' histogram_quantile over classic buckets given as (labels, le, count) items. */
export function quantileBy(q: number, items: (Item & { le: number })[], by: string[], bounds: number[]): Sample[] {
  const groups = new Map<string, { labels: Labels; counts: Map<number, number> }>();
  for (const it of items) {
    const labels: Labels = {};
    for (const k of by) if (it.labels[k]) labels[k] = it.labels[k];
    const k = key(labels);
    const g = groups.get(k) ?? { labels, counts: new Map() };
    g.counts.set(it.le, (g.counts.get(it.le) ?? 0) + it.value);
    groups.set(k, g);
  }
  return [...groups.values()].map(({ labels, counts }) => {
    const les = [...bounds, Infinity];
    let cum = 0;
    const cumulative = les.map((le) => (cum += counts.get(le) ?? 0));
    const total = cumulative.at(-1)!;
    const rank = q * total;
    const i = cumulative.findIndex((c) => c >= rank);
    const upper = les[i];
    const lower = i === 0 ? 0 : les[i - 1];
    const below = i === 0 ? 0 : cumulative[i - 1];
    return { labels, value: lower + (upper - lower) * ((rank - below) / (cumulative[i] - below)) };
  });
}

export function key(labels: Labels): string {
  return JSON.stringify(
    Object.entries(labels)
      .filter(([k]) => k !== '__name__')
      .sort(),
  );
}

/** Compares an instant vector with the expected samples: same label sets, values within 1e-9. */
export function diffVectors(got: Sample[], want: Sample[]): string | undefined {
  const g = new Map(got.map((s) => [key(s.labels), s.value]));
  const w = new Map(want.map((s) => [key(s.labels), s.value]));
  const problems: string[] = [];
  for (const [k, v] of w) {
    if (!g.has(k)) problems.push(`missing ${k} (want ${v})`);
    else if (!close(g.get(k)!, v)) problems.push(`${k}: got ${g.get(k)}, want ${v}`);
  }
  for (const [k, v] of g) if (!w.has(k)) problems.push(`unexpected ${k} = ${v}`);
  return problems.length ? problems.join('\n') : undefined;
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-12 + 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}
