import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_TOKENOMICS_TOKEN_TYPE,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_TOKENOMICS_CALLS_ESTIMATED,
  METRIC_TOKENOMICS_CALLS_UNPRICED,
  METRIC_TOKENOMICS_COST,
  METRIC_TOKENOMICS_TOKENS,
  prometheusName,
  TOKEN_UNITS,
} from '@tokenomics/contract';
import type { Sample } from './prometheus-text';

/** Spend of one model and token type, as read back from exported metrics. */
export interface SpendRow {
  model: string;
  tokenType: string;
  tokens: number;
  usd: number;
}

export interface SpendSummary {
  rows: SpendRow[];
  totalUsd: number;
  calls: number;
  failedCalls: number;
  unpricedCalls: number;
  estimatedCalls: number;
}

const TOKEN_TYPE_ORDER: readonly string[] = [...TOKEN_UNITS, 'request'];

// Prometheus spellings of the metrics and labels read back.
const TOKENS_TOTAL = `${prometheusName(METRIC_TOKENOMICS_TOKENS)}_total`;
const COST_TOTAL = `${prometheusName(METRIC_TOKENOMICS_COST)}_total`;
const DURATION_COUNT = `${prometheusName(METRIC_GEN_AI_CLIENT_OPERATION_DURATION)}_count`;
const UNPRICED_TOTAL = `${prometheusName(METRIC_TOKENOMICS_CALLS_UNPRICED)}_total`;
const ESTIMATED_TOTAL = `${prometheusName(METRIC_TOKENOMICS_CALLS_ESTIMATED)}_total`;
const LABEL_RESPONSE_MODEL = prometheusName(ATTR_GEN_AI_RESPONSE_MODEL);
const LABEL_REQUEST_MODEL = prometheusName(ATTR_GEN_AI_REQUEST_MODEL);
const LABEL_TOKEN_TYPE = prometheusName(ATTR_TOKENOMICS_TOKEN_TYPE);
const LABEL_ERROR_TYPE = prometheusName(ATTR_ERROR_TYPE);

/** Builds the spend table from `tokenomics_*` and `gen_ai_*` samples scraped from the endpoint. */
export function summariseSpend(samples: Sample[]): SpendSummary {
  const rows = new Map<string, SpendRow>();
  const row = (model: string, tokenType: string): SpendRow => {
    const key = `${model}\u0000${tokenType}`;
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { model, tokenType, tokens: 0, usd: 0 }));
    return r;
  };
  let totalUsd = 0;
  let calls = 0;
  let failedCalls = 0;
  let unpricedCalls = 0;
  let estimatedCalls = 0;
  for (const s of samples) {
    const model = label(s, LABEL_RESPONSE_MODEL) ?? label(s, LABEL_REQUEST_MODEL) ?? 'unknown';
    switch (s.name) {
      case TOKENS_TOTAL:
        row(model, label(s, LABEL_TOKEN_TYPE) ?? '?').tokens += s.value;
        break;
      case COST_TOTAL:
        row(model, label(s, LABEL_TOKEN_TYPE) ?? '?').usd += s.value;
        totalUsd += s.value;
        break;
      case DURATION_COUNT:
        calls += s.value;
        if (label(s, LABEL_ERROR_TYPE)) failedCalls += s.value;
        break;
      case UNPRICED_TOTAL:
        unpricedCalls += s.value;
        break;
      case ESTIMATED_TOTAL:
        estimatedCalls += s.value;
        break;
    }
  }
  const sorted = [...rows.values()].sort(
    (a, b) => a.model.localeCompare(b.model) || TOKEN_TYPE_ORDER.indexOf(a.tokenType) - TOKEN_TYPE_ORDER.indexOf(b.tokenType),
  );
  return { rows: sorted, totalUsd, calls, failedCalls, unpricedCalls, estimatedCalls };
}

/** A label of a scraped sample (own keys only: the text came from an endpoint). */
function label(sample: Sample, name: string): string | undefined {
  return Object.hasOwn(sample.labels, name) ? sample.labels[name] : undefined;
}

/** Fixed-width text rendering of a {@link SpendSummary}. */
export function renderSpendTable(summary: SpendSummary): string {
  const header = ['model', 'token type', 'tokens', 'USD'];
  const body = summary.rows.map((r) => [r.model, r.tokenType, String(r.tokens), formatUsd(r.usd)]);
  const footer = ['total', '', String(summary.rows.reduce((n, r) => n + r.tokens, 0)), formatUsd(summary.totalUsd)];
  const all = [header, ...body, footer];
  const widths = header.map((_, i) => Math.max(...all.map((cells) => cells[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [
    line(header),
    rule,
    ...body.map(line),
    rule,
    line(footer),
    '',
    `calls: ${summary.calls} (failed: ${summary.failedCalls}, unpriced: ${summary.unpricedCalls}, estimated usage: ${summary.estimatedCalls})`,
  ].join('\n');
}

function formatUsd(n: number): string {
  return `$${n.toFixed(8)}`;
}
