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

const TOKEN_TYPE_ORDER = [
  'input',
  'cache_read',
  'cache_write',
  'cache_write_1h',
  'input_audio',
  'output',
  'reasoning',
  'output_audio',
  'request',
];

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
    const model = s.labels.gen_ai_response_model ?? s.labels.gen_ai_request_model ?? 'unknown';
    switch (s.name) {
      case 'tokenomics_tokens_total':
        row(model, s.labels.tokenomics_token_type ?? '?').tokens += s.value;
        break;
      case 'tokenomics_cost_total':
        row(model, s.labels.tokenomics_token_type ?? '?').usd += s.value;
        totalUsd += s.value;
        break;
      case 'gen_ai_client_operation_duration_count':
        calls += s.value;
        if (s.labels.error_type) failedCalls += s.value;
        break;
      case 'tokenomics_calls_unpriced_total':
        unpricedCalls += s.value;
        break;
      case 'tokenomics_calls_estimated_total':
        estimatedCalls += s.value;
        break;
    }
  }
  const sorted = [...rows.values()].sort(
    (a, b) => a.model.localeCompare(b.model) || TOKEN_TYPE_ORDER.indexOf(a.tokenType) - TOKEN_TYPE_ORDER.indexOf(b.tokenType),
  );
  return { rows: sorted, totalUsd, calls, failedCalls, unpricedCalls, estimatedCalls };
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
