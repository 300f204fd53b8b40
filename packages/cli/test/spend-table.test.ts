/**
 * The demo's spend table: budget use read back from a Prometheus page (the cost counter matched
 * as the guard matches calls, the guard's counters by budget name) and its text rendering.
 */
import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../src/prometheus-text';
import { renderSpendTable, summariseSpend } from '../src/spend-table';
import type { Budget } from '@tokenomics/node';

// A page as the hook's endpoint writes it: three priced calls of two tenants, one warning.
const PAGE = `# TYPE tokenomics_cost_total counter
tokenomics_cost_total{gen_ai_request_model="gpt-4o",gen_ai_response_model="gpt-4o-2024-08-06",tokenomics_attribution_tenant="acme",tokenomics_attribution_feature="search",tokenomics_token_type="input"} 0.0025
tokenomics_cost_total{gen_ai_request_model="gpt-4o",gen_ai_response_model="gpt-4o-2024-08-06",tokenomics_attribution_tenant="acme",tokenomics_attribution_feature="search",tokenomics_token_type="output"} 0.001
tokenomics_cost_total{gen_ai_request_model="gpt-4o-mini",gen_ai_response_model="gpt-4o-mini-2024-07-18",tokenomics_attribution_tenant="acme",tokenomics_attribution_feature="chat",tokenomics_token_type="input"} 0.0003
tokenomics_cost_total{gen_ai_request_model="gpt-4o-mini",gen_ai_response_model="gpt-4o-mini-2024-07-18",tokenomics_attribution_tenant="globex",tokenomics_attribution_feature="chat",tokenomics_token_type="output"} 0.0006
# TYPE tokenomics_budget_warnings_total counter
tokenomics_budget_warnings_total{tokenomics_budget_name="acme-hourly",tokenomics_budget_window="hour"} 2
tokenomics_budget_warnings_total{tokenomics_budget_name="not-in-the-file",tokenomics_budget_window="hour"} 5
# TYPE tokenomics_budget_rejections_total counter
tokenomics_budget_rejections_total{tokenomics_budget_name="search-gpt-4o",tokenomics_budget_window="day"} 1
`;

const budget = (name: string, limitUsd: number, match: Budget['match'], action: Budget['action'] = 'warn'): Budget => ({
  name,
  limitUsd,
  window: 'hour',
  action,
  match,
});

const BUDGETS: Budget[] = [
  budget('acme-hourly', 0.003, { tenant: 'acme' }),
  budget('search-gpt-4o', 0.01, { feature: 'search', model: 'gpt-4o' }, 'reject'),
  budget('chat', 0.001, { feature: 'chat' }),
  budget('this-service', 1, { service: 'shop' }),
  budget('other-service', 1, { service: 'reports' }),
];

describe('spend table budgets', () => {
  it('sums the billed cost each budget counts (tenant, feature, request model, service) and its warnings and rejections', () => {
    const summary = summariseSpend(parsePrometheusText(PAGE), { budgets: BUDGETS, serviceName: 'shop' });
    const byName = new Map(summary.budgets.map((b) => [b.name, b]));
    // acme: 0.0025 + 0.001 + 0.0003
    expect(byName.get('acme-hourly')?.spentUsd).toBeCloseTo(0.0038, 15);
    expect(byName.get('acme-hourly')).toMatchObject({ warnings: 2, rejections: 0, limitUsd: 0.003, action: 'warn', window: 'hour' });
    expect(byName.get('search-gpt-4o')?.spentUsd).toBeCloseTo(0.0035, 15);
    expect(byName.get('search-gpt-4o')).toMatchObject({ warnings: 0, rejections: 1 });
    // chat: 0.0003 (acme) + 0.0006 (globex)
    expect(byName.get('chat')?.spentUsd).toBeCloseTo(0.0009, 15);
    expect(byName.get('this-service')?.spentUsd).toBeCloseTo(0.0044, 15);
    expect(byName.get('other-service')?.spentUsd).toBe(0);
    // A counter of a budget the file does not name is not shown.
    expect(summary.budgets.map((b) => b.name)).toEqual(BUDGETS.map((b) => b.name));
  });

  it('renders each budget as spend of limit with its share, warnings and rejections', () => {
    const summary = summariseSpend(parsePrometheusText(PAGE), { budgets: BUDGETS.slice(0, 2), serviceName: 'shop' });
    const text = renderSpendTable(summary);
    expect(text).toContain('  acme-hourly (warn, per hour): $0.00380000 of $0.00300000 (126.67%), warnings: 2, rejections: 0');
    expect(text).toContain('  search-gpt-4o (reject, per hour): $0.00350000 of $0.01000000 (35.00%), warnings: 0, rejections: 1');
  });

  it('shows no budget section without budgets', () => {
    const summary = summariseSpend(parsePrometheusText(PAGE));
    expect(summary.budgets).toEqual([]);
    expect(renderSpendTable(summary)).not.toContain('budgets');
  });
});
