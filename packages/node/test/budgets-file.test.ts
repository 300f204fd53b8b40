import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { getBudgetGuard } from '@tokenomics/instrumentation';
import { BudgetsFileError, ConfigError, loadBudgetsFile } from '../src';
import { applyBudgets } from '../src/budgets';

const dir = mkdtempSync(join(tmpdir(), 'budgets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(text: string, ext = 'yml'): string {
  const path = join(dir, `budgets-${++n}.${ext}`);
  writeFileSync(path, text);
  return path;
}

const GOOD = `# budgets
default_output_tokens: 512
budgets:
  - name: fleet-default
    limit_usd: 120
    window: day
  - name: acme-search
    limit_usd: 2.5
    window: hour
    action: reject
    match:
      tenant: acme
      feature: search
      model: gpt-4o-mini
  - name: checkout-month
    limit_usd: 20000
    window: 30d
    action: warn
    match: { service: checkout }
`;

describe('budgets file', () => {
  afterEach(() => applyBudgets({}, undefined, undefined));

  it('reads limits, windows, actions and matches, with warn as the default action', () => {
    expect(loadBudgetsFile(file(GOOD))).toEqual({
      defaultOutputTokens: 512,
      budgets: [
        { name: 'fleet-default', limitUsd: 120, window: 'day', action: 'warn', match: {} },
        {
          name: 'acme-search',
          limitUsd: 2.5,
          window: 'hour',
          action: 'reject',
          match: { tenant: 'acme', feature: 'search', model: 'gpt-4o-mini' },
        },
        { name: 'checkout-month', limitUsd: 20000, window: '30d', action: 'warn', match: { service: 'checkout' } },
      ],
    });
  });

  it.each([
    [
      'budgets:\n  - name: a\n    limit_usd: 1\n    window: week\n',
      4,
      'budgets[0].window',
      '"week" is not accepted; accepted: one of hour, day, 30d',
    ],
    [
      'budgets:\n  - name: a\n    limit_usd: -5\n    window: day\n',
      3,
      'budgets[0].limit_usd',
      '-5 is not accepted; accepted: a non-negative number (USD per window)',
    ],
    ['budgets:\n  - name: a\n    window: day\n', 2, 'budgets[0].limit_usd', 'is missing; accepted: a non-negative number (USD per window)'],
    [
      'budgets:\n  - name: a\n    limit_usd: 1\n    window: day\n    action: block\n',
      5,
      'budgets[0].action',
      '"block" is not accepted; accepted: warn or reject',
    ],
    [
      'budgets:\n  - name: a\n    limit_usd: 1\n    window: day\n  - name: a\n    limit_usd: 2\n    window: hour\n',
      5,
      'budgets[1].name',
      'is the name of an earlier budget; accepted: a name no other budget has',
    ],
    [
      'budgets:\n  - name: a\n    limit_usd: 1\n    window: day\n    match:\n      team: core\n',
      6,
      'budgets[0].match.team',
      'is not a known field; accepted: only the fields service, tenant, feature, model',
    ],
    [
      'budgets:\n  - name: a\n    limit_usd: 1\n    window: day\n    match:\n      tenant: 42\n',
      6,
      'budgets[0].match.tenant',
      '42 is not accepted',
    ],
  ])('rejects a bad file naming file, line, field and value (%#)', (text, line, field, what) => {
    const path = file(text);
    let err: unknown;
    try {
      loadBudgetsFile(path);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BudgetsFileError);
    expect((err as BudgetsFileError).message).toContain(`${path}:${line}: ${field}: ${what}`);
  });

  it('reports YAML syntax errors with their line', () => {
    const path = file('budgets:\n  - name: a\n    limit_usd: [1\n');
    expect(() => loadBudgetsFile(path)).toThrow(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: `));
  });

  it('fails start-up with the variable, file, line, field and value, and turns the guard on for a good file', () => {
    const bad = file('budgets:\n  - name: a\n    limit_usd: 1\n    window: fortnight\n');
    expect(() => applyBudgets({ TOKENOMICS_BUDGETS_FILE: bad }, undefined, 'checkout')).toThrow(ConfigError);
    expect(() => applyBudgets({ TOKENOMICS_BUDGETS_FILE: bad }, undefined, 'checkout')).toThrow(
      `TOKENOMICS_BUDGETS_FILE: ${bad}:4: budgets[0].window: "fortnight" is not accepted`,
    );
    expect(getBudgetGuard()).toBeUndefined();
    applyBudgets({ TOKENOMICS_BUDGETS_FILE: file(GOOD) }, undefined, 'checkout');
    expect([...getBudgetGuard()!.spent().keys()]).toEqual(['fleet-default', 'acme-search', 'checkout-month']);
    applyBudgets({}, undefined, 'checkout');
    expect(getBudgetGuard()).toBeUndefined();
  });
});
