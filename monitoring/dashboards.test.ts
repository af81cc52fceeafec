// The dashboards have the spec's panels, use the template variables in every query, take their
// thresholds from the SLO config, and every query is valid PromQL (parsed by promtool).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SLOS as SLO } from '../src/providers/kubernetes/slo-config.js';
import { DEFAULT_OPTIONS } from './src/options.js';
import { PATHS } from './src/generate.js';
import { concrete, everyTarget, loadBoard, type Board } from './testing/grafana.js';
import { ROOT, read, tool } from './testing/tools.js';

const overview = loadBoard('overview');
const slo = loadBoard('slo');
const red = (b: Board, title: string): number | null | undefined =>
  b.panels.find((p) => p.title === title)?.fieldConfig?.defaults.thresholds?.steps.find((s) => s.color === 'red')?.value;

/** The spec's "Key Panels", in order, with the unit each shows. */
const SPEC_PANELS: [string, string][] = [
  ['Active Workers', 'short'], ['Worker Creation Rate', 'ops'], ['Pod Creation Duration (P95)', 's'], ['API Error Rate', 'percentunit'],
  ['Workers Created/Deleted', 'ops'], ['Pod Creation Duration', 's'], ['Pods by State', 'short'], ['API Request Rate by Endpoint', 'reqps'],
  ['Resource Utilization', 'short'], ['HPA Operations', 'short'], ['Network Policy Violations', 'short'],
];

describe('dashboards', () => {
  it("overview has the spec's 11 panels in order, then the API by status code and latency, then the Queues & schedules row; 30 s refresh, units set", () => {
    expect(overview.panels.map((p) => [p.title, p.fieldConfig?.defaults.unit])).toEqual([
      ...SPEC_PANELS, ['API Requests by Status Code', 'reqps'], ['API Request Duration', 's'],
      ['Queues & schedules', undefined], ['Queued Jobs by Queue', 'short'], ['Active Jobs by Queue', 'short'], ['Paused Queues', 'none'],
      ['Oldest Queued Job', 's'], ['Queue Wait vs SLO', 's'], ['Schedule Start Delay vs SLO', 's'], ['Schedule Runs', 'short'],
    ]);
    // An expanded row whose panels follow it at the top level, below every earlier panel.
    const row = overview.panels.findIndex((p) => p.type === 'row');
    const rowPanel = overview.panels[row];
    expect(rowPanel).toMatchObject({ collapsed: false, panels: [], gridPos: { x: 0, w: 24, h: 1 } });
    const bottom = Math.max(...overview.panels.slice(0, row).map((p) => p.gridPos.y + p.gridPos.h));
    expect(rowPanel?.gridPos.y).toBe(bottom);
    for (const p of overview.panels.slice(row + 1)) expect(p.gridPos.y, p.title).toBeGreaterThan(rowPanel?.gridPos.y ?? Infinity);
    const exprs = everyTarget(overview).map(([p, t]) => `${p.title}: ${t.expr}`);
    expect(exprs.find((e) => e.startsWith('API Requests by Status Code'))).toContain('sum by (code)(rate(hodei_kubernetes_api_requests_total{');
    expect(exprs.find((e) => e.startsWith('API Request Duration'))).toContain('hodei_kubernetes_api_request_duration_seconds_bucket{');
    expect(overview.panels.find((p) => p.title === 'Pods by State')?.type).toBe('piechart');
    expect([overview.refresh, slo.refresh]).toEqual(['30s', '30s']);
  });

  it('thresholds are the SLO config values', () => {
    expect(red(overview, 'Pod Creation Duration (P95)')).toBe(SLO.maxPodCreationTime);
    expect(red(overview, 'Pod Creation Duration')).toBe(SLO.maxPodCreationTime);
    expect(red(overview, 'API Error Rate')).toBe(SLO.maxApiErrorRate);
    expect(red(slo, 'Pod Creation Duration vs SLO')).toBe(SLO.maxPodCreationTime);
    expect(red(slo, 'HPA Response Time vs SLO')).toBe(SLO.maxHpaResponseTime);
    expect(red(overview, 'Queue Wait vs SLO')).toBe(SLO.maxQueueWaitTime);
    expect(red(overview, 'Schedule Start Delay vs SLO')).toBe(SLO.maxScheduleStartDelay);
    expect(red(overview, 'Oldest Queued Job')).toBe(DEFAULT_OPTIONS.alerts.queueStalledSeconds);
  });

  it('SLO dashboard shows compliance, budget, burn rate, startup phases and pending reasons', () => {
    expect(slo.panels.map((p) => p.title)).toEqual([
      'SLO Compliance', 'Error Budget Remaining', 'Burn Rate per SLO', 'Pod Creation Duration vs SLO',
      'HPA Response Time vs SLO', 'Pod Startup Phase Breakdown', 'Pending Pods by Reason',
    ]);
    const exprs = everyTarget(slo).map(([, t]) => t.expr).join('\n');
    for (const m of ['hodei_slo_compliant', 'hodei_slo_error_budget_remaining_ratio', 'hodei:slo_error_budget_remaining:ratio', 'hodei:slo_burn_rate:rate1h', 'hodei_kubernetes_pod_startup_phase_seconds', 'hodei_kubernetes_pods_pending']) {
      expect(exprs).toContain(m);
    }
    // Every recorded series a panel reads is produced by the SLO rules.
    const recorded = new Set([...read(PATHS.sloRules).matchAll(/record: (\S+)/g)].map((m) => m[1]));
    for (const name of exprs.match(/hodei:[a-z_:0-9]+/g) ?? []) expect(recorded.has(name), name).toBe(true);
  });

  it.each([['overview', overview], ['slo', slo]] as const)('%s: variables exist and every query uses them and the datasource variable', (_n, b) => {
    expect(b.templating.list.map((v) => [v.name, v.type])).toEqual([['datasource', 'datasource'], ['namespace', 'query'], ['provider', 'query']]);
    for (const [p, t] of everyTarget(b)) {
      expect([p.datasource.uid, t.datasource.uid], p.title).toEqual(['${datasource}', '${datasource}']);
      // Every selector of a Hodei series filters by namespace; provider-labelled ones by provider too.
      for (const m of t.expr.matchAll(/\b(hodei[a-z_:0-9]*)(\{[^}]*\})?/g)) {
        const [, name = '', sel = ''] = m;
        expect(sel, `${p.title}: ${name}`).toContain('namespace=~"$namespace"');
        if (name.startsWith('hodei_kubernetes_')) expect(sel, `${p.title}: ${name}`).toContain('provider=~"$provider"');
      }
    }
  });

  it.each([['overview', overview], ['slo', slo]] as const)('%s: every time series names its lines in a legend table with last and max; pies label slices with state and value', (_n, b) => {
    const series = b.panels.filter((p) => p.type === 'timeseries');
    expect(series.length).toBeGreaterThan(0);
    for (const p of series) {
      expect(p.options.legend, p.title).toMatchObject({ showLegend: true, displayMode: 'table', calcs: ['lastNotNull', 'max'] });
      for (const t of p.targets ?? []) expect(t.legendFormat, `${p.title} ${t.refId}`).toMatch(/\S/);
    }
    for (const p of b.panels.filter((x) => x.type === 'piechart')) {
      expect(p.options.displayLabels, p.title).toEqual(['name', 'value']);
      expect(p.options.legend, p.title).toMatchObject({ showLegend: true, values: ['value', 'percent'] });
      expect((p.targets ?? []).map((t) => t.legendFormat), p.title).toEqual(['{{state}}']);
    }
  });

  it('every panel query is valid PromQL (promtool check rules)', () => {
    const rules = [...everyTarget(overview), ...everyTarget(slo)].map(([p, t], i) => ({ record: `panel:query:${i}`, expr: concrete(t.expr), labels: { panel: p.title } }));
    const file = join(mkdtempSync(join(tmpdir(), 'hodei-panels-')), 'panels.yaml');
    writeFileSync(file, stringify({ groups: [{ name: 'panels', rules }] }));
    const r = tool('promtool', ['check', 'rules', file], { cwd: ROOT });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(`${rules.length} rules found`);
  });
});
