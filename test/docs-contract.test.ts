import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as contract from '../packages/contract/src/index';
import { E2E_DIR } from './support/run-app';

const ROOT = join(E2E_DIR, '..');
const TELEMETRY = readFileSync(join(ROOT, 'docs', 'TELEMETRY.md'), 'utf8');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** Every string export of the contract whose export name starts with `prefix`. */
function names(prefix: string): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(contract)) if (key.startsWith(prefix) && typeof value === 'string') out.push(value);
  return out.sort();
}

/** Units of the metrics the contract declares (name, unit, description), by metric name. */
function declaredUnits(): Map<string, string> {
  const out = new Map<string, string>();
  for (const value of Object.values(contract)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    const def = value as { name?: unknown; unit?: unknown; description?: unknown };
    if (typeof def.name === 'string' && typeof def.unit === 'string' && typeof def.description === 'string') out.set(def.name, def.unit);
  }
  return out;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether `doc` names `name` in backticks. */
function mentions(doc: string, name: string): boolean {
  // A prefix such as `tokenomics.cost.` goes on (`tokenomics.cost.<unit>`); a name may be shown with a value (`otel.metric.overflow=true`).
  const tail = name.endsWith('.') ? '[^`]*`' : '[`=]';
  return new RegExp(`\`${escape(name)}${tail}`).test(doc);
}

/** The README's "## Metrics" section. */
function readmeMetrics(): string {
  const start = README.indexOf('\n## Metrics\n');
  expect(start, 'README.md has a "## Metrics" section').toBeGreaterThan(-1);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end === -1 ? undefined : end);
}

/**
 * The unit suffix the Collector's Prometheus exporters add (Prometheus OTLP translator, suffixes
 * on): words for the units it knows, a unit in braces or `1` adds nothing, any other unit as written.
 */
function collectorUnitSuffix(unit: string): string {
  if (unit === '' || unit === '1' || /[{}]/.test(unit)) return '';
  const words: Record<string, string> = { s: 'seconds', ms: 'milliseconds', By: 'bytes' };
  return `_${Object.hasOwn(words, unit) ? words[unit] : unit}`;
}

/** Metrics with no series on any route: the pending-points gauge never reports a value. */
const NO_SERIES = new Set([contract.METRIC_TOKENOMICS_INSTRUMENTATION_PENDING_POINTS]);

describe('docs against the telemetry contract', () => {
  it('docs/TELEMETRY.md names every metric, attribute and span event the contract exports', () => {
    const all = [...names('METRIC_'), ...names('ATTR_'), ...names('EVENT_')];
    expect(all.length).toBeGreaterThan(100);
    expect(all.filter((n) => !mentions(TELEMETRY, n))).toEqual([]);
  });

  it("the README's metrics table names every contract metric with its Prometheus name on the hook's endpoint", () => {
    const section = readmeMetrics();
    const missing: string[] = [];
    for (const name of names('METRIC_')) {
      if (!mentions(section, name)) missing.push(name);
      if (NO_SERIES.has(name)) continue;
      const series = new RegExp(`\`${escape(contract.prometheusName(name))}(_total|_bucket)?\``);
      if (!series.test(section)) missing.push(`${name} as ${contract.prometheusName(name)}`);
    }
    expect(missing).toEqual([]);
  });

  it("the README's metrics table gives each metric the hook records its Prometheus name through the Collector (unit suffix added)", () => {
    const section = readmeMetrics();
    const units = declaredUnits();
    const missing: string[] = [];
    for (const name of names('METRIC_')) {
      const unit = units.get(name);
      if (unit === undefined || NO_SERIES.has(name)) continue;
      const expected = contract.prometheusName(name) + collectorUnitSuffix(unit);
      if (!new RegExp(`\`${escape(expected)}(_total|_bucket)?\``).test(section)) missing.push(`${name} as ${expected}`);
    }
    expect(missing).toEqual([]);
    // The cost counter is the one whose name changes: USD is appended as written.
    expect(section).toContain('`tokenomics_cost_USD_total`');
  });
});
