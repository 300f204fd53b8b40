import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_TOKENOMICS_TOKEN_TYPE,
  ATTR_TOKENOMICS_ATTRIBUTION_PREFIX,
  ATTRIBUTION_KEY_FEATURE,
  ATTRIBUTION_KEY_TENANT,
} from '@tokenomics/contract/attributes';
import {
  METRIC_TOKENOMICS_CACHE_SAVINGS,
  METRIC_TOKENOMICS_CACHE_WRITE_PREMIUM,
  METRIC_TOKENOMICS_QUOTA_LIMIT,
  METRIC_TOKENOMICS_QUOTA_REMAINING,
  METRIC_TOKENOMICS_RECONCILIATION_INPUT_TOKENS,
  ATTR_TOKENOMICS_QUOTA_LIMIT_TYPE,
  ATTR_TOKENOMICS_TOKEN_ENCODING,
  ATTR_TOKENOMICS_BUDGET_NAME,
  METRIC_TOKENOMICS_BUDGET_REJECTIONS,
  METRIC_TOKENOMICS_BUDGET_WARNINGS,
} from '@tokenomics/contract/governance';
import {
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_TOKENOMICS_CALLS_ESTIMATED,
  METRIC_TOKENOMICS_CALLS_UNPRICED,
  METRIC_TOKENOMICS_COST,
  METRIC_TOKENOMICS_TOKENS,
  prometheusName,
} from '@tokenomics/contract/metrics';
import { TOKEN_UNITS } from '@tokenomics/contract/tokens';
import type { Budget } from '@tokenomics/node';
import type { Sample } from './prometheus-text';

/** Spend of one model and token type, as read back from exported metrics. */
export interface SpendRow {
  model: string;
  tokenType: string;
  tokens: number;
  usd: number;
}

/** Rate-limit state of one model and limit type, from the provider's response headers. */
export interface QuotaRow {
  model: string;
  limitType: string;
  remaining: number;
  limit: number;
}

/** Local input estimates against billed input tokens, for one model and encoding. */
export interface ReconciliationRow {
  model: string;
  encoding: string;
  calls: number;
  /** Mean of estimated / billed input tokens (1 = exact). */
  meanRatio: number;
}

/** A budget of the budgets file, with the spend and the guard's decisions read back from the metrics. */
export interface BudgetRow {
  name: string;
  window: string;
  action: string;
  /** Limit, USD per window. */
  limitUsd: number;
  /** Billed cost of the calls the budget counts (the whole run, read from `tokenomics.cost`), USD. */
  spentUsd: number;
  /** Calls let through with a warning over this budget. */
  warnings: number;
  /** Calls this budget rejected before they were sent. */
  rejections: number;
}

/** What {@link summariseSpend} needs besides the samples to show budget use. */
export interface SpendOptions {
  /** Budgets the service ran with (from its budgets file). */
  budgets?: readonly Budget[] | undefined;
  /** `service.name` of the service the samples come from, matched by a budget's `match.service`. */
  serviceName?: string | undefined;
}

export interface SpendSummary {
  rows: SpendRow[];
  totalUsd: number;
  calls: number;
  failedCalls: number;
  unpricedCalls: number;
  estimatedCalls: number;
  /** What cache reads saved against the uncached input price (USD). */
  cacheSavingsUsd: number;
  /** What cache writes cost above the uncached input price (USD). */
  cacheWritePremiumUsd: number;
  quota: QuotaRow[];
  reconciliation: ReconciliationRow[];
  budgets: BudgetRow[];
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
const CACHE_SAVINGS_TOTAL = `${prometheusName(METRIC_TOKENOMICS_CACHE_SAVINGS)}_total`;
const CACHE_WRITE_PREMIUM_TOTAL = `${prometheusName(METRIC_TOKENOMICS_CACHE_WRITE_PREMIUM)}_total`;
const QUOTA_REMAINING = prometheusName(METRIC_TOKENOMICS_QUOTA_REMAINING);
const QUOTA_LIMIT = prometheusName(METRIC_TOKENOMICS_QUOTA_LIMIT);
const RECONCILIATION_SUM = `${prometheusName(METRIC_TOKENOMICS_RECONCILIATION_INPUT_TOKENS)}_sum`;
const RECONCILIATION_COUNT = `${prometheusName(METRIC_TOKENOMICS_RECONCILIATION_INPUT_TOKENS)}_count`;
const LABEL_LIMIT_TYPE = prometheusName(ATTR_TOKENOMICS_QUOTA_LIMIT_TYPE);
const LABEL_ENCODING = prometheusName(ATTR_TOKENOMICS_TOKEN_ENCODING);
const BUDGET_WARNINGS_TOTAL = `${prometheusName(METRIC_TOKENOMICS_BUDGET_WARNINGS)}_total`;
const BUDGET_REJECTIONS_TOTAL = `${prometheusName(METRIC_TOKENOMICS_BUDGET_REJECTIONS)}_total`;
const LABEL_BUDGET_NAME = prometheusName(ATTR_TOKENOMICS_BUDGET_NAME);
const LABEL_TENANT = prometheusName(ATTR_TOKENOMICS_ATTRIBUTION_PREFIX + ATTRIBUTION_KEY_TENANT);
const LABEL_FEATURE = prometheusName(ATTR_TOKENOMICS_ATTRIBUTION_PREFIX + ATTRIBUTION_KEY_FEATURE);

/** Builds the spend table from `tokenomics_*` and `gen_ai_*` samples scraped from the endpoint. */
export function summariseSpend(samples: Sample[], options: SpendOptions = {}): SpendSummary {
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
  let cacheSavingsUsd = 0;
  let cacheWritePremiumUsd = 0;
  const quota = new Map<string, QuotaRow>();
  const quotaRow = (s: Sample): QuotaRow => {
    const model = label(s, LABEL_REQUEST_MODEL) ?? 'unknown';
    const limitType = label(s, LABEL_LIMIT_TYPE) ?? '?';
    const key = `${model}\u0000${limitType}`;
    let r = quota.get(key);
    if (!r) quota.set(key, (r = { model, limitType, remaining: 0, limit: 0 }));
    return r;
  };
  const reconciled = new Map<string, { model: string; encoding: string; sum: number; count: number }>();
  const reconciledRow = (s: Sample) => {
    const model = label(s, LABEL_REQUEST_MODEL) ?? 'unknown';
    const encoding = label(s, LABEL_ENCODING) ?? '?';
    const key = `${model}\u0000${encoding}`;
    let r = reconciled.get(key);
    if (!r) reconciled.set(key, (r = { model, encoding, sum: 0, count: 0 }));
    return r;
  };
  const budgets = new Map<string, { row: BudgetRow; budget: Budget }>();
  for (const budget of options.budgets ?? []) {
    const { name, window, action, limitUsd } = budget;
    budgets.set(name, { budget, row: { name, window, action, limitUsd, spentUsd: 0, warnings: 0, rejections: 0 } });
  }
  const budgetRow = (s: Sample) => {
    const name = label(s, LABEL_BUDGET_NAME);
    return name === undefined ? undefined : budgets.get(name)?.row;
  };
  for (const s of samples) {
    const model = label(s, LABEL_RESPONSE_MODEL) ?? label(s, LABEL_REQUEST_MODEL) ?? 'unknown';
    switch (s.name) {
      case TOKENS_TOTAL:
        row(model, label(s, LABEL_TOKEN_TYPE) ?? '?').tokens += s.value;
        break;
      case COST_TOTAL:
        row(model, label(s, LABEL_TOKEN_TYPE) ?? '?').usd += s.value;
        totalUsd += s.value;
        for (const { budget, row: b } of budgets.values()) if (counts(budget, s, options.serviceName)) b.spentUsd += s.value;
        break;
      case BUDGET_WARNINGS_TOTAL: {
        const b = budgetRow(s);
        if (b) b.warnings += s.value;
        break;
      }
      case BUDGET_REJECTIONS_TOTAL: {
        const b = budgetRow(s);
        if (b) b.rejections += s.value;
        break;
      }
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
      case CACHE_SAVINGS_TOTAL:
        cacheSavingsUsd += s.value;
        break;
      case CACHE_WRITE_PREMIUM_TOTAL:
        cacheWritePremiumUsd += s.value;
        break;
      case QUOTA_REMAINING:
        quotaRow(s).remaining = s.value;
        break;
      case QUOTA_LIMIT:
        quotaRow(s).limit = s.value;
        break;
      case RECONCILIATION_SUM:
        reconciledRow(s).sum += s.value;
        break;
      case RECONCILIATION_COUNT:
        reconciledRow(s).count += s.value;
        break;
    }
  }
  const sorted = [...rows.values()].sort(
    (a, b) => a.model.localeCompare(b.model) || TOKEN_TYPE_ORDER.indexOf(a.tokenType) - TOKEN_TYPE_ORDER.indexOf(b.tokenType),
  );
  const byModel = <T extends { model: string }>(a: T, b: T) => a.model.localeCompare(b.model);
  return {
    rows: sorted,
    totalUsd,
    calls,
    failedCalls,
    unpricedCalls,
    estimatedCalls,
    cacheSavingsUsd,
    cacheWritePremiumUsd,
    quota: [...quota.values()].sort((a, b) => byModel(a, b) || a.limitType.localeCompare(b.limitType)),
    reconciliation: [...reconciled.values()]
      .filter((r) => r.count > 0)
      .map((r) => ({ model: r.model, encoding: r.encoding, calls: r.count, meanRatio: r.sum / r.count }))
      .sort(byModel),
    budgets: [...budgets.values()].map((b) => b.row),
  };
}

/** Whether `budget` counts the cost sample `s` (as the guard matches calls: request model, tenant, feature, service). */
function counts(budget: Budget, s: Sample, serviceName: string | undefined): boolean {
  const m = budget.match;
  if (m.service !== undefined && m.service !== serviceName) return false;
  if (m.model !== undefined && m.model !== label(s, LABEL_REQUEST_MODEL)) return false;
  if (m.tenant !== undefined && m.tenant !== label(s, LABEL_TENANT)) return false;
  if (m.feature !== undefined && m.feature !== label(s, LABEL_FEATURE)) return false;
  return true;
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
    `cache savings: ${formatUsd(summary.cacheSavingsUsd)} (cache writes above the input price: ${formatUsd(summary.cacheWritePremiumUsd)})`,
    ...(summary.quota.length ? ['', 'quota headroom (from the rate-limit headers):'] : []),
    ...summary.quota.map(
      (q) =>
        `  ${q.model} ${q.limitType}: ${q.remaining} of ${q.limit} left${q.limit > 0 ? ` (${((100 * q.remaining) / q.limit).toFixed(2)}%)` : ''}`,
    ),
    ...(summary.reconciliation.length ? ['', 'local input estimates against billed input tokens (1 = exact):'] : []),
    ...summary.reconciliation.map((r) => `  ${r.model} ${r.encoding}: ${r.calls} calls, mean ratio ${r.meanRatio.toFixed(4)}`),
    ...(summary.budgets.length ? ['', 'budgets (in-process guard; billed spend of this run against each limit):'] : []),
    ...summary.budgets.map(
      (b) =>
        `  ${b.name} (${b.action}, per ${b.window}): ${formatUsd(b.spentUsd)} of ${formatUsd(b.limitUsd)}${
          b.limitUsd > 0 ? ` (${((100 * b.spentUsd) / b.limitUsd).toFixed(2)}%)` : ''
        }, warnings: ${b.warnings}, rejections: ${b.rejections}`,
    ),
  ].join('\n');
}

function formatUsd(n: number): string {
  return `$${n.toFixed(8)}`;
}
