/**
 * `tokenomics budgets rules|check`, run as a user runs it (`node packages/cli/dist/bin.js budgets ...`):
 * the shipped budget rules are the output for the shipped example file, and bad files fail with
 * file, line, field and value.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'packages', 'cli', 'dist', 'bin.js');
const PROMETHEUS = join(ROOT, 'collector-config', 'prometheus');
const dir = mkdtempSync(join(tmpdir(), 'tokenomics-budgets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function budgets(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'budgets', ...args], { encoding: 'utf8', cwd: PROMETHEUS });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tokenomics budgets', () => {
  it('generates exactly the shipped rules/tokenomics-budgets.rules.yml from budgets.example.yml (regenerate after editing either)', () => {
    const r = budgets(['rules', 'budgets.example.yml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(PROMETHEUS, 'rules', 'tokenomics-budgets.rules.yml'), 'utf8'));
  });

  it('turns each limit into USD per hour: L per hour, L / 24 per day, L / 720 per 30 days', () => {
    const file = join(dir, 'b.yml');
    writeFileSync(
      file,
      'budgets:\n  - { name: h, limit_usd: 3, window: hour, match: { service: a } }\n  - { name: d, limit_usd: 36, window: day, match: { service: b } }\n  - { name: m, limit_usd: 1080, window: 30d, match: { service: c } }\n',
    );
    const r = budgets(['rules', file]);
    expect(r.code).toBe(0);
    const values = [...r.stdout.matchAll(/# (\w): .*\n.*\n {8}expr: vector\(([\d.]+)\)/g)].map((m) => [m[1], Number(m[2])]);
    expect(values).toEqual([
      ['h', 3],
      ['d', 1.5],
      ['m', 1.5],
    ]);
    // only service budgets: the shipped service alerts cover them, no group of their own
    expect(r.stdout).not.toContain('- name: tokenomics-budget-burn');
  });

  it('fails on a bad file with file, line, field and value, and exit status 1', () => {
    const file = join(dir, 'bad.yml');
    writeFileSync(file, 'budgets:\n  - name: x\n    limit_usd: 1\n    window: day\n    action: stop\n');
    for (const sub of ['rules', 'check']) {
      const r = budgets([sub, file]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`${file}:5: budgets[0].action: "stop" is not accepted; accepted: warn or reject\n`);
    }
  });

  it('checks a good file and exits 0; a missing FILE is a usage error', () => {
    expect(budgets(['check', 'budgets.example.yml'])).toMatchObject({ code: 0, stdout: 'budgets.example.yml: 4 budgets ok\n' });
    expect(budgets(['rules']).code).toBe(2);
  });
});
