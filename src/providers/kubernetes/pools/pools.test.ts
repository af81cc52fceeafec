// Worker pools through kube-sim with real agents: a queue-driven pool (min 1, max 5) scales up
// when 50 jobs are queued, its new workers register with the pool token and drain the queue, it
// scales back to min when idle, and the HPA response time is recorded. The queue depth is pushed
// to the sim's external-metrics endpoint by the test, as a prometheus-adapter would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startTestServer, waitForJob, type TestServer } from '../../../../test/e2e/harness.js';
import type { KubeSim } from '../../../kube-sim/index.js';
import { resolveKubernetesOptions } from '../config.js';
import type { KubernetesProvider } from '../kubernetes-provider.js';
import { HpaResponseTracker, type HpaScaled } from './response.js';
import { poolDeployment, poolHpa, QUEUE_METRIC } from './spec.js';
import { captureExtras, simAdmin, type Captured } from '../../../../test/support/kubernetes/pools.js';
import type { PoolView } from '../../../jobs/pools.js';
import { poll, simSettings, startTestSim } from '../../../../test/support/kubernetes/sim.js';

describe('pool objects (pure)', () => {
  it('builds a restricted Deployment whose agents read the pool token, and an External-metric HPA', () => {
    const o = resolveKubernetesOptions({ namespace: 'ns' });
    const d = poolDeployment(o, 'p1', { min: 2, max: 4, target: { type: 'queue', averageValue: 5 } }, 'http://cp:7070');
    const pod = d.spec?.template.spec;
    const main = pod?.containers[0];
    expect(d.spec?.replicas).toBe(2);
    expect(pod).toMatchObject({ restartPolicy: 'Always', automountServiceAccountToken: false, securityContext: { runAsNonRoot: true } });
    expect(pod?.activeDeadlineSeconds).toBeUndefined();
    expect(main?.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(main?.args).toEqual(['worker', '--server', 'http://cp:7070']);
    expect(pod?.volumes?.find((v) => v.name === 'hodei-token')?.secret?.secretName).toBe('hodei-pool-p1-token');
    expect(main?.env?.find((e) => e.name === 'HODEI_WORKER_TOKEN_FILE')?.value).toBe('/var/run/secrets/hodei/token');
    expect(main?.env?.some((e) => e.name === 'HODEI_WORKER_ID')).toBe(false);
    expect(d.spec?.template.metadata?.labels?.['hodei.io/worker-id']).toBeUndefined();
    expect(poolHpa(o, 'p1', { min: 1, max: 3, target: { type: 'cpu', averageUtilization: 70 } }).spec?.metrics)
      .toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
  });
});

describe('HPA response time (pure)', () => {
  it('measures each desired-count change until that many workers are live; drops unreachable ones', async () => {
    let now = 0;
    let live = 1;
    const done: HpaScaled[] = [];
    const t = new HpaResponseTracker({ count: async () => live, onDone: (e) => done.push(e), now: () => now, intervalMs: 60_000 });
    t.onDesired('p', undefined, 1); // first sighting: no measurement
    t.onDesired('p', 1, 4);
    now = 100;
    t.onDesired('p', 4, 5);
    live = 4;
    now = 300;
    await t.tick();
    expect(done).toEqual([{ pool: 'p', from: 1, to: 4, direction: 'up', durationMs: 300 }]);
    now = 500;
    t.onDesired('p', 5, 2); // the pending 4 → 5 can no longer be reached
    live = 2;
    now = 900;
    await t.tick();
    expect(done.slice(1)).toEqual([{ pool: 'p', from: 5, to: 2, direction: 'down', durationMs: 400 }]);
    t.stop();
  });
});

describe('a queue-driven pool scales with the backlog', () => {
  const NS = 'hodei-pools';
  let sim: KubeSim;
  let s: TestServer;
  let cap: Captured;
  let pushing = true;
  let pusher: Promise<void> | undefined;

  beforeAll(async () => {
    sim = await startTestSim({ hpaSyncMs: 250, hpaDownscaleStabilizationSeconds: 1 });
    // Pooled mode, maxWorkers 1: the pool's worker is the one live worker, so the scheduler only
    // offers jobs to pool workers and never provisions pods of its own (docs/pools.md).
    s = await startTestServer({ config: { provider: 'kubernetes', workerMode: 'pooled', maxWorkers: 1, kubernetes: simSettings(sim, { namespace: NS }) } });
    cap = captureExtras((s.cp.provider as KubernetesProvider).extras);
  });
  afterAll(async () => {
    pushing = false;
    await pusher;
    cap?.off();
    await s?.stop();
    await sim?.stop();
  });

  const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(s.url + path, {
      method, headers: { authorization: `Bearer ${s.token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const pool = async (): Promise<PoolView> => (await api<PoolView>('GET', '/v1/pools/burst')).body;

  it('scales up for 50 queued jobs, drains them, scales back to min, records the HPA response time', async () => {
    const created = await runCli(['pools', 'create', 'burst', '--min', '1', '--max', '5', '--queue-target', '5', '--scale-down-window', '1'],
      { HODEI_URL: s.url, HODEI_API_TOKEN: s.token });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    await poll('first pool worker ready', async () => (await pool()).status.readyWorkers === 1);
    expect(await cap.value('hodei_kubernetes_hpa_operations_total', { operation: 'create' })).toBe(1);

    // The adapter: queue depth (jobs not yet finished) → the HPA's External metric.
    pusher = (async () => {
      while (pushing) {
        const c = await s.cp.store.countJobsByState();
        await simAdmin(sim, 'PUT', `/__sim/external-metrics/${NS}/${QUEUE_METRIC}`, { value: c.queued + c.provisioning + c.assigned + c.running });
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const jobs = await Promise.all(Array.from({ length: 50 }, () => s.client.submit({ command: 'sh', args: ['-c', 'sleep 0.1'] })));
    await poll('scaled up', async () => ((await pool()).status.desiredReplicas ?? 0) > 1, 60_000);
    const done = await Promise.all(jobs.map((j) => waitForJob(s.client, j.id, 120_000)));
    expect(done.map((j) => j.state)).toEqual(jobs.map(() => 'succeeded'));
    const workers = new Set(done.map((j) => j.workerId));
    expect(workers.size).toBeGreaterThan(1);
    for (const id of workers) expect((await s.cp.store.getWorker(id ?? ''))?.ephemeral).toBe(false);

    const idle = await poll('scaled back to min', async () => {
      const p = await pool();
      return p.status.desiredReplicas === 1 && p.status.readyWorkers === 1 ? p : undefined;
    }, 60_000);
    expect(idle.status.conditions.map((c) => c.type)).toEqual(expect.arrayContaining(['AbleToScale', 'ScalingActive']));
    await poll('hpa response recorded', async () =>
      (await cap.value('hodei_kubernetes_hpa_response_duration_seconds', {}, 'hodei_kubernetes_hpa_response_duration_seconds_count')) > 0);
    const up = cap.events.find((e) => e.type === 'hpa.scale_up');
    expect(up?.opts).toMatchObject({ namespace: NS, details: { pool: 'burst', from: 1 } });
    const ups = cap.events.filter((e) => e.type === 'hpa.scale_up').map((e) => e.opts.details as { from: number; to: number });
    expect(ups.every((d) => d.to > d.from && d.to <= 5)).toBe(true);
    expect(up?.opts.durationMs).toBeGreaterThan(0);
    await poll('scale-down response recorded', () => cap.events.some((e) => e.type === 'hpa.scale_down'), 30_000);
    // Scaled-down workers ended as terminated, never failed or lost.
    const gone = (await s.cp.store.listWorkers({ states: ['failed'] })).filter((w) => workers.has(w.id));
    expect(gone).toEqual([]);
  });

  it('updates and deletes a pool (revoking its token, counting each HPA write)', async () => {
    const upd = await api<PoolView>('PATCH', '/v1/pools/burst', { max: 3 });
    expect(upd.status).toBe(200);
    expect(upd.body.spec).toMatchObject({ min: 1, max: 3 });
    const hpa = sim.store.get('autoscaling/v2/horizontalpodautoscalers', NS, 'hodei-pool-burst') as unknown as { spec: { maxReplicas: number } };
    expect(hpa.spec.maxReplicas).toBe(3);
    expect((await api('PATCH', '/v1/pools/burst', { min: 4 })).status).toBe(400); // min > max
    expect((await api('POST', '/v1/pools', { name: 'Bad_Name', min: 1, max: 2, target: { type: 'cpu', averageUtilization: 50 } })).status).toBe(400);
    const list = await runCli(['pools', 'list'], { HODEI_URL: s.url, HODEI_API_TOKEN: s.token });
    expect(list.stdout).toContain('burst');
    expect((await api('DELETE', '/v1/pools/burst')).status).toBe(204);
    expect((await api('GET', '/v1/pools/burst')).status).toBe(404);
    expect(await s.cp.store.listPools()).toEqual([]);
    await poll('pool pods gone', () => sim.store.list('pods', NS).items.length === 0, 30_000);
    await poll('pool workers terminated', async () => (await s.cp.store.countPoolWorkers('burst', ['ready', 'busy'])) === 0);
    expect(await cap.value('hodei_kubernetes_hpa_operations_total', { operation: 'update' })).toBe(1);
    expect(await cap.value('hodei_kubernetes_hpa_operations_total', { operation: 'delete' })).toBe(1);
  });
});
