// End to end with the Kubernetes provider: Hodei runs jobs as pods on kube-sim, a real Prometheus
// scrapes it with the generated rules loaded. Every panel query of both dashboards is evaluated;
// the counts match the workload; image-pull failures make WorkerCreationFailures fire and an
// injected API error storm makes HighAPIErrorRate fire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeSim } from '../src/kube-sim/index.js';
import { simCounts, simSettings, startTestSim } from '../src/providers/kubernetes/testing/sim.js';
import { startTestServer, waitForJob, type TestServer } from '../test/e2e/harness.js';
import { PATHS, generateAll } from './src/generate.js';
import { concrete, everyTarget, loadBoard } from './testing/grafana.js';
import { poll, startPrometheus, type TestPrometheus } from './testing/prometheus.js';

const NS = 'hodei-mon-k8s';
const shortenFor = (yaml: string): string => yaml.replace(/^(\s+for: )\S+$/gm, '$11s').replace(/^\s+interval: \S+\n/gm, '');
/**
 * Panels this workload cannot fill, and why. Anything else must return data.
 * (The pool never rescales; no violation happened → none is the right answer.)
 */
const NO_DATA_EXPECTED: Record<string, string> = {
  'hodei-overview/Network Policy Violations/A': 'no violation happened',
  'hodei-slo/HPA Response Time vs SLO/A': 'the pool never rescales in this workload',
};

describe('monitoring on a real Prometheus scraping Hodei with the Kubernetes provider', () => {
  let sim: KubeSim;
  let hodei: TestServer;
  let prom: TestPrometheus;
  const value = async (expr: string): Promise<number> => Number((await prom.query(expr))[0]?.value[1] ?? NaN);

  beforeAll(async () => {
    sim = await startTestSim();
    hodei = await startTestServer({ config: { provider: 'kubernetes', kubernetes: simSettings(sim, { namespace: NS, pendingTimeoutMs: 8000 }) } });
    const files = generateAll();
    prom = await startPrometheus({
      scrape: [{ job: 'hodei', targets: [new URL(hodei.url).host], labels: { namespace: NS } }],
      ruleFiles: { 'alerts.yaml': shortenFor(files[PATHS.alerts] ?? ''), 'slo.yaml': shortenFor(files[PATHS.sloRules] ?? '') },
    });
    await prom.waitForTargetsUp('hodei');
  }, 120_000);

  afterAll(async () => {
    await prom?.stop();
    await hodei?.stop();
    await sim?.stop();
  });

  it('worker counts in Prometheus equal what the workload did', async () => {
    const jobs = await Promise.all([
      ...Array.from({ length: 5 }, () => hodei.client.submit({ command: 'true', retries: 0 })),
      ...Array.from({ length: 2 }, () => hodei.client.submit({ command: 'true', retries: 0, image: 'registry.invalid/no-such-image:1' })),
    ]);
    const ended = await Promise.all(jobs.map((j) => waitForJob(hodei.client, j.id, 60_000)));
    expect(ended.map((j) => j.state).sort(), JSON.stringify(ended.map((j) => [j.state, j.reason, j.message]))).toEqual(['failed', 'failed', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
    const sel = `{namespace="${NS}"}`;
    // Prometheus holds what Hodei exports (summed over label sets) ...
    const exported = async (name: string): Promise<number> => {
      const text = await (await fetch(`${hodei.url}/metrics`)).text();
      return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `)).reduce((a, l) => a + Number(l.split(' ').pop()), 0);
    };
    const names = ['hodei_kubernetes_workers_created_total', 'hodei_kubernetes_workers_failed_total', 'hodei_kubernetes_pod_creation_duration_seconds_count', 'hodei_kubernetes_api_requests_total'];
    const both = async (): Promise<string> => JSON.stringify(await Promise.all(names.map(async (n) => [n, await exported(n), await value(`sum(${n}${sel})`)])));
    const scraped = await poll('Prometheus equal to /metrics', async () => {
      const r = JSON.parse(await both()) as [string, number, number][];
      // Every failure counted: the two image-pull jobs.
      return r.every(([, e, p]) => e === p) && r[1]?.[1] === 2 ? Object.fromEntries(r.map(([n, e]) => [n, e])) : undefined;
    }, 20_000).catch(async (e: Error) => { throw new Error(`${e.message}: [name, /metrics, prometheus] ${await both()}`); });
    // ... and that is what the workload did: 2 image-pull failures, one creation sample per worker,
    // workers only from pods the sim really created (a worker may run several jobs).
    const podsCreated = simCounts(sim).requests['create pods 201'] ?? 0;
    // The reason is the pull failure (the provider's vocabulary; 'Unknown' would mean a mapping gap).
    const reasons = (await prom.query(`hodei_kubernetes_workers_failed_total${sel}`)).map((f) => f.metric.reason);
    for (const r of reasons) expect(['ImagePullBackOff', 'ErrImagePull'], JSON.stringify(ended.map((j) => [j.reason, j.message]))).toContain(r);
    const created = scraped.hodei_kubernetes_workers_created_total ?? 0;
    expect(scraped.hodei_kubernetes_pod_creation_duration_seconds_count).toBe(created);
    expect(created).toBeGreaterThanOrEqual(1);
    expect(created).toBeLessThanOrEqual(podsCreated - 2);
    expect(scraped.hodei_kubernetes_api_requests_total).toBeGreaterThan(podsCreated);
    expect(await value(`sum(hodei_jobs_finished_total{namespace="${NS}",result="succeeded"})`)).toBe(5);
    // 2 of 7 creations failed (> 5 %): the spec's WorkerCreationFailures alert fires on real data.
    await poll('WorkerCreationFailures firing', async () =>
      (await prom.rules()).find((r) => r.name === 'WorkerCreationFailures' && r.state === 'firing'), 30_000);
  }, 120_000);

  it('every rule evaluates without error on real provider data', async () => {
    const rules = await poll('every rule evaluated', async () => {
      const r = await prom.rules();
      return r.length > 0 && r.every((x) => x.health !== 'unknown') ? r : undefined;
    }, 30_000);
    expect(rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError ?? r.health}`)).toEqual([]);
  }, 60_000);

  it('every panel query of both dashboards returns data (except the listed ones)', async () => {
    // A worker pool (Deployment + HPA) so the HPA panels have something to show. Created after the
    // image-pull jobs: a pool worker would take them (it ignores the job's image).
    const pool = await fetch(`${hodei.url}/v1/pools`, {
      method: 'POST', headers: { authorization: `Bearer ${hodei.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'p1', min: 1, max: 2, target: { type: 'cpu', averageUtilization: 80 } }),
    });
    expect(pool.status, await pool.text()).toBe(201);
    const hpaPanel = loadBoard('overview').panels.find((p) => p.title === 'HPA Operations')?.targets[0]?.expr ?? '';
    const created = await poll('HPA Operations panel shows the pool creation', async () => {
      const r = await prom.query(concrete(hpaPanel, { namespace: NS, rateInterval: '5m' }));
      return r.length > 0 ? r : undefined;
    }, 30_000);
    expect(created.reduce((a, s) => a + Number(s.value[1]), 0)).toBeGreaterThanOrEqual(1);
    const empty: string[] = [];
    for (const board of [loadBoard('overview'), loadBoard('slo')]) {
      for (const [panel, t] of everyTarget(board)) {
        const r = await prom.query(concrete(t.expr, { namespace: NS, rateInterval: '5m' }));
        if (r.length === 0) empty.push(`${board.uid}/${panel.title}/${t.refId}`);
      }
    }
    expect(empty).toEqual(Object.keys(NO_DATA_EXPECTED));
    // The SLO view from Prometheus rules exists for what happened (API, workers, pods).
    const burn = await prom.query(`hodei:slo_burn_rate:rate1h{namespace="${NS}"}`);
    expect(burn.map((s) => s.metric.slo).sort()).toEqual(['api_error_rate', 'pod_creation_time', 'worker_creation_success_rate']);
  }, 60_000);

  it('an API error storm makes HighAPIErrorRate fire (for: shortened in the test copy)', async () => {
    sim.admin.setFaults({ rules: [{ verbs: ['create'], resources: ['pods'], error: { code: 503 } }] });
    try {
      const jobs = await Promise.all(Array.from({ length: 2 }, () => hodei.client.submit({ command: 'true', retries: 0 })));
      const alert = await poll('HighAPIErrorRate firing', async () =>
        (await prom.rules()).find((r) => r.name === 'HighAPIErrorRate' && r.state === 'firing'), 60_000);
      expect(alert.health).toBe('ok');
      expect(await value(`sum(rate(hodei_kubernetes_api_request_errors_total{namespace="${NS}"}[5m]))`)).toBeGreaterThan(0);
      await Promise.all(jobs.map((j) => waitForJob(hodei.client, j.id, 60_000)));
    } finally {
      sim.admin.clearFaults();
    }
  }, 120_000);
});
