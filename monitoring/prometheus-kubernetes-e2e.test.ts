// End to end with the Kubernetes provider: Hodei runs jobs as pods on kube-sim, a real Prometheus
// scrapes it with the generated rules loaded. The workload covers every panel: jobs (successes,
// image-pull failures, egress refused by the network policy), a queue-driven worker pool the HPA
// scales up, and a connection of a pool pod the network layer denies. Every panel query of both
// dashboards returns data and the values match the workload; WorkerCreationFailures and
// NetworkPolicyViolations fire on that data, and an injected API error storm makes HighAPIErrorRate fire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeSim } from '../src/kube-sim/index.js';
import { QUEUE_METRIC } from '../src/providers/kubernetes/pools/spec.js';
import { simAdmin } from '../test/support/kubernetes/pools.js';
import type { PoolView } from '../src/jobs/pools.js';
import { simCounts, simSettings, startTestSim } from '../test/support/kubernetes/sim.js';
import { startTestServer, waitForJob, type TestServer } from '../test/e2e/harness.js';
import { PATHS, generateAll } from './src/generate.js';
import { concrete, everyTarget, loadBoard } from '../test/support/monitoring/grafana.js';
import { poll, startPrometheusFor, type PromSample, type TestPrometheus } from '../test/support/monitoring/prometheus.js';

const NS = 'hodei-mon-k8s';
const SEL = `{namespace="${NS}"}`;
/** Series → value, keyed by one label. */
const byLabel = (r: PromSample[], label: string): Record<string, number> => Object.fromEntries(r.map((s) => [s.metric[label] ?? '', Number(s.value[1])] as const).sort(([a], [b]) => a.localeCompare(b)));

describe('monitoring on a real Prometheus scraping Hodei with the Kubernetes provider', () => {
  let sim: KubeSim;
  let hodei: TestServer;
  let prom: TestPrometheus;
  const value = async (expr: string): Promise<number> => Number((await prom.query(expr))[0]?.value[1] ?? NaN);
  const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(hodei.url + path, {
      method, headers: { authorization: `Bearer ${hodei.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };

  beforeAll(async () => {
    sim = await startTestSim({ hpaSyncMs: 250 });
    hodei = await startTestServer({
      config: {
        provider: 'kubernetes',
        kubernetes: simSettings(sim, { namespace: NS, pendingTimeoutMs: 8000, networkPolicy: { enabled: true, egressAllow: [{ cidr: '10.20.0.0/16', ports: [443] }] } }),
      },
    });
    prom = await startPrometheusFor(hodei.url, NS, generateAll(), PATHS);
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
      // Egress outside the allow-list: refused at admission, before any Secret or pod exists.
      hodei.client.submit({ command: 'true', retries: 0, egress: [{ cidr: '203.0.113.0/24', port: 443 }] }),
    ]);
    const ended = await Promise.all(jobs.map((j) => waitForJob(hodei.client, j.id, 60_000)));
    const seen = JSON.stringify(ended.map((j) => [j.state, j.reason, j.message]));
    expect(ended.map((j) => j.state), seen).toEqual([...Array<string>(5).fill('succeeded'), 'failed', 'failed', 'failed']);
    expect(ended[7]?.reason, seen).toBe('NetworkPolicyViolation');
    // Prometheus holds what Hodei exports (summed over label sets) ...
    const exported = async (name: string): Promise<number> => {
      const text = await (await fetch(`${hodei.url}/metrics`)).text();
      return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `)).reduce((a, l) => a + Number(l.split(' ').pop()), 0);
    };
    const names = ['hodei_kubernetes_workers_created_total', 'hodei_kubernetes_workers_failed_total', 'hodei_kubernetes_pod_creation_duration_seconds_count', 'hodei_kubernetes_api_requests_total'];
    const both = async (): Promise<string> => JSON.stringify(await Promise.all(names.map(async (n) => [n, await exported(n), await value(`sum(${n}${SEL})`)])));
    const scraped = await poll('Prometheus equal to /metrics', async () => {
      const r = JSON.parse(await both()) as [string, number, number][];
      // Every failure counted: two image pulls, one admission refusal.
      return r.every(([, e, p]) => e === p) && r[1]?.[1] === 3 ? Object.fromEntries(r.map(([n, e]) => [n, e])) : undefined;
    }, 20_000).catch(async (e: Error) => { throw new Error(`${e.message}: [name, /metrics, prometheus] ${await both()}`); });
    // ... and that is what the workload did. Failures by reason (every reason's series exists at 0):
    // the pull failure (the provider's vocabulary; 'Unknown' would mean a mapping gap) and the refusal.
    const { ImagePullBackOff = 0, ErrImagePull = 0, ...others } = byLabel(await prom.query(`hodei_kubernetes_workers_failed_total${SEL} > 0`), 'reason');
    expect(ImagePullBackOff + ErrImagePull, seen).toBe(2);
    expect(others, seen).toEqual({ NetworkPolicyViolation: 1 });
    // One pod per job (ephemeral workers): 5 that ran, 2 that never pulled their image, none for the refused job.
    expect(simCounts(sim).requests['create pods 201']).toBe(7);
    // Created = the pods whose agent registered, i.e. exactly the 5 successful jobs' pods; one creation sample each.
    expect(scraped.hodei_kubernetes_workers_created_total).toBe(5);
    expect(scraped.hodei_kubernetes_pod_creation_duration_seconds_count).toBe(5);
    expect(scraped.hodei_kubernetes_api_requests_total).toBeGreaterThan(7);
    expect(await value(`sum(hodei_jobs_finished_total{namespace="${NS}",result="succeeded"})`)).toBe(5);
    expect(byLabel(await prom.query(`hodei_kubernetes_network_policy_violations_total${SEL}`), 'source')).toEqual({ admission: 1, cni: 0 }); // every source exists at 0 from the first scrape
    // 3 of 8 creations failed (> 5 %): the spec's WorkerCreationFailures alert fires on real data.
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

  it('a queue-driven pool scales up (HPA operations and response time), a pool pod\'s denied connection is a violation', async () => {
    // Created after the jobs above: an idle pool worker takes queued jobs at registration.
    const created = await api<PoolView>('POST', '/v1/pools', { name: 'p1', min: 1, max: 3, target: { type: 'queue', averageValue: 5 } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const pool = async (): Promise<PoolView> => (await api<PoolView>('GET', '/v1/pools/p1')).body;
    // The HPA has settled at min (its first desired count is a baseline, not a rescale) ...
    await poll('pool at min with its worker ready', async () => {
      const s = (await pool()).status;
      return s.desiredReplicas === 1 && s.readyWorkers === 1;
    }, 30_000);
    // ... then the adapter reports a backlog of 15 (what prometheus-adapter would serve from
    // hodei_jobs_queued): 15 / averageValue 5 → 3 replicas, the pool's max.
    const pushed = await simAdmin(sim, 'PUT', `/__sim/external-metrics/${NS}/${QUEUE_METRIC}`, { value: 15 });
    expect(pushed.status, JSON.stringify(pushed.body)).toBeLessThan(300);
    await poll('pool scaled up with 3 workers ready', async () => {
      const s = (await pool()).status;
      return s.desiredReplicas === 3 && s.readyWorkers === 3;
    }, 60_000);

    // A pool pod tries to reach a destination outside the allow-list; the network layer denies it.
    const pod = sim.store.list('pods', NS).items.find((p) => p.metadata.labels?.['hodei.io/pool'] === 'p1' && (p.status as { phase?: string } | undefined)?.phase === 'Running');
    expect(pod).toBeDefined();
    const report = await simAdmin(sim, 'POST', '/__sim/connections', { namespace: NS, pod: pod?.metadata.name, direction: 'egress', host: '198.51.100.7', port: 443, protocol: 'TCP' });
    expect(report.body).toMatchObject({ allowed: false });

    // One violation per source, one HPA create and one scale-up with its response time.
    const want = { violations: { admission: 1, cni: 1 }, ops: { create: 1, delete: 0, scale_down: 0, scale_up: 1, update: 0 }, responses: 1 };
    const got = async () => ({
      violations: byLabel(await prom.query(`hodei_kubernetes_network_policy_violations_total${SEL}`), 'source'),
      ops: byLabel(await prom.query(`hodei_kubernetes_hpa_operations_total${SEL}`), 'operation'),
      responses: await value(`sum(hodei_kubernetes_hpa_response_duration_seconds_count${SEL})`),
    });
    await poll('violations and HPA operations scraped', async () => JSON.stringify(await got()) === JSON.stringify(want), 30_000)
      .catch(async (e: Error) => { throw new Error(`${e.message}: ${JSON.stringify(await got())}`); });
    expect(await value(`sum(hodei_kubernetes_network_policy_violations_total${SEL})`)).toBe(2);
    const alert = await poll('NetworkPolicyViolations pending or firing', async () =>
      (await prom.rules()).find((r) => r.name === 'NetworkPolicyViolations' && (r.state === 'pending' || r.state === 'firing')), 30_000);
    expect(alert.health).toBe('ok');
    // Pool workers are not ephemeral workers of the provider: created stays the 5 job pods.
    expect(await value(`sum(hodei_kubernetes_workers_created_total${SEL})`)).toBe(5);
  }, 120_000);

  it('every panel query of both dashboards returns data matching the workload', async () => {
    const panel = async (board: 'overview' | 'slo', title: string): Promise<PromSample[]> => {
      const expr = loadBoard(board).panels.find((p) => p.title === title)?.targets?.[0]?.expr ?? '';
      return prom.query(concrete(expr, { namespace: NS, rateInterval: '5m' }));
    };
    expect(byLabel(await panel('overview', 'Network Policy Violations'), 'source')).toEqual({ admission: 1, cni: 1 });
    expect(byLabel(await panel('overview', 'HPA Operations'), 'operation')).toEqual({ create: 1, delete: 0, scale_down: 0, scale_up: 1, update: 0 });
    const hpaP95 = await panel('slo', 'HPA Response Time vs SLO');
    expect(hpaP95).toHaveLength(1);
    expect(Number(hpaP95[0]?.value[1])).toBeGreaterThan(0);
    const empty: string[] = [];
    for (const board of [loadBoard('overview'), loadBoard('slo')]) {
      for (const [p, t] of everyTarget(board)) {
        const r = await prom.query(concrete(t.expr, { namespace: NS, rateInterval: '5m' }));
        // Data, not just NaN (a rate of nothing over nothing).
        // No schedule in this workload: its start delay is asserted in queue-alerts-e2e.test.ts.
        if (p.title === 'Schedule Start Delay vs SLO') continue;
        if (!r.some((s) => !Number.isNaN(Number(s.value[1])))) empty.push(`${board.uid}/${p.title}/${t.refId}: ${JSON.stringify(r)}`);
      }
    }
    expect(empty).toEqual([]);
    // The SLO view from Prometheus rules exists for what happened (API, workers, pods, HPA, queue
    // waits; schedule punctuality at 0 from its zero-valued histogram); the
    // recording rules run one evaluation behind the scrape.
    const slos = ['api_error_rate', 'hpa_response_time', 'pod_creation_time', 'queue_wait_time', 'schedule_punctuality', 'worker_creation_success_rate'];
    const burning = async (): Promise<string[]> => (await prom.query(`hodei:slo_burn_rate:rate1h{namespace="${NS}"}`)).map((s) => s.metric.slo ?? '').sort();
    await poll('a burn rate per SLO', async () => JSON.stringify(await burning()) === JSON.stringify(slos), 10_000)
      .catch(async (e: Error) => { throw new Error(`${e.message}: ${JSON.stringify(await burning())}`); });
  }, 60_000);

  it('an API error storm makes HighAPIErrorRate fire (for: shortened in the test copy)', async () => {
    sim.admin.setFaults({ rules: [{ verbs: ['create'], resources: ['pods'], error: { code: 503 } }] });
    try {
      const jobs = await Promise.all(Array.from({ length: 2 }, () => hodei.client.submit({ command: 'true', retries: 0 })));
      const alert = await poll('HighAPIErrorRate firing', async () =>
        (await prom.rules()).find((r) => r.name === 'HighAPIErrorRate' && r.state === 'firing'), 60_000);
      expect(alert.health).toBe('ok');
      expect(await value(`sum(rate(hodei_kubernetes_api_request_errors_total{namespace="${NS}"}[5m]))`)).toBeGreaterThan(0);
      // A failing API is a passing failure: the jobs wait and are provisioned again once it heals.
      sim.admin.clearFaults();
      for (const j of jobs) expect((await waitForJob(hodei.client, j.id, 90_000)).state).toBe('succeeded');
    } finally {
      sim.admin.clearFaults();
    }
  }, 180_000);
});
