// A fresh install shows 0, never "No data": Hodei with the Kubernetes provider on an empty kube-sim,
// no job ever submitted, scraped by a real Prometheus with the generated rules loaded. Every
// counter and histogram the dashboards and rules read has its series at 0 for its known label
// values, every panel query returns a series, and every rule evaluates without firing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeSim } from '../src/kube-sim/index.js';
import { simSettings, startTestSim } from '../src/providers/kubernetes/testing/sim.js';
import {
  API_ERROR_CODES, FAILURE_REASONS, HPA_OPERATIONS, NAMESPACE_OPERATIONS, STARTUP_PHASES, VIOLATION_SOURCES,
} from '../src/providers/kubernetes/vocabulary.js';
import { startTestServer, type TestServer } from '../test/e2e/harness.js';
import { QUEUES_ROW_TITLE } from './src/dashboards/queues.js';
import { PATHS, generateAll } from './src/generate.js';
import { concrete, everyTarget, loadBoard } from './testing/grafana.js';
import { evaluatedRules, poll, startPrometheusFor, type TestPrometheus } from './testing/prometheus.js';

const NS = 'hodei-fresh';
const SEL = `{namespace="${NS}"}`;
/** Counter/histogram names (a histogram by its _bucket/_count/_sum) that the assets query. */
const queriedCounters = (text: string): Set<string> =>
  new Set([...text.matchAll(/\b(hodei_[a-z_]+?(?:_total|_seconds))(?:_bucket|_count|_sum)?\b/g)].map((m) => m[1] ?? ''));

describe('a fresh install, before any workload', () => {
  let sim: KubeSim;
  let hodei: TestServer;
  let prom: TestPrometheus;
  const files = generateAll();

  beforeAll(async () => {
    sim = await startTestSim({});
    hodei = await startTestServer({ config: { provider: 'kubernetes', kubernetes: simSettings(sim, { namespace: NS }) } });
    prom = await startPrometheusFor(hodei.url, NS, files, PATHS);
  }, 120_000);

  afterAll(async () => {
    await prom?.stop();
    await hodei?.stop();
    await sim?.stop();
  });

  it('has every queried counter and histogram at 0 for each known label value', async () => {
    const assets = [PATHS.overview, PATHS.slo, PATHS.alerts, PATHS.sloRules].map((p) => files[p] ?? '').join('\n');
    const names = [...queriedCounters(assets)].filter((n) => n.startsWith('hodei_kubernetes_'));
    expect(names.length).toBeGreaterThanOrEqual(10);
    const seriesOf = async (expr: string): Promise<Record<string, string>[]> => (await prom.query(expr)).map((s) => ({ ...s.metric, value: s.value[1] }));
    // Each name has series in Prometheus (histograms by their _count), all at 0 (no job ran).
    for (const n of names) {
      const metric = n.endsWith('_seconds') ? `${n}_count` : n;
      const series = await poll(`${metric} scraped`, async () => { const r = await seriesOf(`${metric}${SEL}`); return r.length > 0 ? r : undefined; }, 20_000);
      const nonZero = series.filter((s) => s.value !== '0' && !/api_requests|api_request_duration|namespace_operations/.test(metric));
      expect(nonZero, metric).toEqual([]);
    }
    const labelValues = async (metric: string, label: string): Promise<string[]> =>
      [...new Set((await seriesOf(`${metric}${SEL}`)).map((s) => s[label] ?? ''))].sort();
    const errors = await seriesOf(`hodei_kubernetes_api_request_errors_total${SEL}`);
    expect(errors.filter((s) => s.value === '0').map((s) => s.code ?? '').sort()).toEqual([...API_ERROR_CODES].sort());
    expect(await labelValues('hodei_kubernetes_workers_failed_total', 'reason')).toEqual([...FAILURE_REASONS].sort());
    expect(await labelValues('hodei_kubernetes_hpa_operations_total', 'operation')).toEqual([...HPA_OPERATIONS].sort());
    expect(await labelValues('hodei_kubernetes_network_policy_violations_total', 'source')).toEqual([...VIOLATION_SOURCES].sort());
    expect(await labelValues('hodei_kubernetes_namespace_operations_total', 'operation')).toEqual([...NAMESPACE_OPERATIONS].sort());
    expect(await labelValues('hodei_kubernetes_pod_startup_phase_seconds_count', 'phase')).toEqual([...STARTUP_PHASES].sort());
  }, 60_000);

  it('every panel query of both dashboards returns a series: 0, not "No data"', async () => {
    // Two scrapes at least, so rate() has a window.
    await poll('two scrapes', async () => (await prom.query(`count_over_time(hodei_jobs_queued${SEL}[1m]) >= 2`)).length > 0, 20_000);
    const empty: string[] = [];
    for (const board of [loadBoard('overview'), loadBoard('slo')]) {
      for (const [panel, t] of everyTarget(board)) {
        const result = await prom.query(concrete(t.expr, { namespace: NS, rateInterval: '30s' }));
        if (result.length === 0) empty.push(`${board.uid}/${panel.title}/${t.refId}`);
      }
    }
    expect(empty).toEqual([]);
    expect(Number((await prom.query(concrete(`sum by (operation) (hodei_kubernetes_hpa_operations_total${SEL})`)))[0]?.value[1])).toBe(0);
  }, 60_000);

  it('the Queues & schedules row reads 0 before any job or schedule (P95 panels: no observation yet)', async () => {
    await poll('two scrapes', async () => (await prom.query(`count_over_time(hodei_jobs_queued${SEL}[1m]) >= 2`)).length > 0, 20_000);
    const board = loadBoard('overview');
    const row = board.panels.findIndex((p) => p.type === 'row' && p.title === QUEUES_ROW_TITLE);
    expect(row).toBeGreaterThan(0);
    const values: string[] = [];
    for (const panel of board.panels.slice(row + 1)) {
      for (const t of panel.targets ?? []) {
        const result = await prom.query(concrete(t.expr, { namespace: NS, rateInterval: '30s' }));
        expect(result.length, `${panel.title}/${t.refId}`).toBeGreaterThan(0);
        // A quantile of no observations is NaN (Grafana draws no point); every count is 0.
        for (const r of result) values.push(`${panel.title}/${t.refId}=${t.expr.startsWith('histogram_quantile') ? 'quantile' : r.value[1]}`);
      }
    }
    expect(values.filter((v) => !/=(0|quantile)$/.test(v))).toEqual([]);
    expect(values).toContain('Queued Jobs by Queue/A=0');
    expect(values).toContain('Schedule Runs/A=0');
  }, 60_000);

  it('every rule evaluates; no alert fires on a fresh install', async () => {
    const { broken, active } = await evaluatedRules(prom);
    expect(broken).toEqual([]);
    expect(active).toEqual([]);
  }, 60_000);
});
