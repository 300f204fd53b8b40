import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_DIR } from './prometheus';

export const DASHBOARD_PATH = join(CONFIG_DIR, 'grafana/dashboards/tokenomics.json');

export interface DashboardTarget {
  refId: string;
  expr: string;
  datasource?: { type?: string; uid?: string };
  instant?: boolean;
  range?: boolean;
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: DashboardTarget[];
  panels?: DashboardPanel[];
}

export interface Dashboard {
  uid: string;
  panels: DashboardPanel[];
  templating: { list: { name: string; type: string; query: unknown; current?: { value?: unknown } }[] };
}

export function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as Dashboard;
}

/** Every panel, rows' nested panels included; rows themselves are left out. */
export function allPanels(d: Dashboard): DashboardPanel[] {
  const out: DashboardPanel[] = [];
  const walk = (ps: DashboardPanel[]) => {
    for (const p of ps) {
      if (p.type === 'row') walk(p.panels ?? []);
      else out.push(p);
    }
  };
  walk(d.panels);
  return out;
}

/** Every query of the dashboard, keyed "panel title/refId". */
export function panelQueries(d: Dashboard): { key: string; panel: DashboardPanel; target: DashboardTarget }[] {
  return allPanels(d).flatMap((panel) => (panel.targets ?? []).map((target) => ({ key: `${panel.title}/${target.refId}`, panel, target })));
}

/**
 * An expression as Grafana would send it: dashboard variables set to "All" (`.*`), and the
 * interval variables replaced by `window`.
 */
export function substituteVariables(expr: string, window: string, variables: string[]): string {
  let out = expr.replace(/\$__rate_interval|\$__range|\$__interval/g, window);
  for (const v of variables) out = out.replace(new RegExp(`\\$\\{${v}\\}|\\$${v}\\b`, 'g'), '.*');
  if (/\$/.test(out.replace(/"\$1"/g, ''))) throw new Error(`unsubstituted variable in ${out}`);
  return out;
}
