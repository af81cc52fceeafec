// Worker pools on the REAL control plane (test/support/k8s-real-setup.ts): Hodei creates the
// Deployment and HPA with the `hodei` ServiceAccount's rights; the real controller-manager's HPA reads
// pod usage from metrics.k8s.io and the queue depth from external.metrics.k8s.io — both served by the
// simulated nodes through the API server's aggregator (src/kube-sim/remote/metrics-api.ts) — and scales
// the Deployment; the real ReplicaSet controller and scheduler place the pods, whose real agents
// register with the pool's token. Both pools are created at once: the HPA syncs every 15 s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_METRIC } from '../../src/providers/kubernetes/pool-spec.js';
import type { PoolView } from '../../src/providers/kubernetes/pools.js';
import { realCluster } from '../support/k8s-real-context.js';
import { grantWorkerNamespace, kubectl, nodeAdmin } from '../support/k8s-real.js';
import { startTestServer, waitFor, type TestServer } from './harness.js';

const ctx = realCluster('k8s-real pools');
const WAIT = 120_000;
const NS = 'hodei-real-pools';
const POD = { cpu: '100m', memory: '256Mi' };

describe.skipIf(!ctx)('worker pools scaled by the real HPA', () => {
  const c = ctx as NonNullable<typeof ctx>;
  let s: TestServer;
  const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(s.url + path, {
      method, headers: { authorization: `Bearer ${s.token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const pool = async (name: string): Promise<PoolView> => (await api<PoolView>('GET', `/v1/pools/${name}`)).body;
  const settled = (name: string, n: number) => waitFor(`pool ${name} at ${n} registered workers`, async () => {
    const p = await pool(name);
    return p.status.desiredReplicas === n && p.status.readyWorkers === n ? p : undefined;
  }, WAIT);
  const json = <T>(args: string[]): T => JSON.parse(kubectl(c, [...args, '-o', 'json'])) as T;

  beforeAll(async () => {
    grantWorkerNamespace(c, NS);
    // Every pod of the namespace uses its whole CPU request; the queue holds 20 jobs.
    expect((await nodeAdmin(c, 'PUT', `/__sim/pod-metrics/${NS}`, { cpu: POD.cpu })).status).toBe(200);
    expect((await nodeAdmin(c, 'PUT', `/__sim/external-metrics/${NS}/${QUEUE_METRIC}`, { value: 20 })).status).toBe(200);
    s = await startTestServer({ config: { provider: 'kubernetes', workerMode: 'pooled', maxWorkers: 1, kubernetes: {
      kubeconfig: c.kubeconfig, namespace: NS, createNamespace: false, reconcileIntervalMs: 500,
    } } });
    for (const [name, target] of [['cpu', { type: 'cpu', averageUtilization: 30 }], ['queue', { type: 'queue', averageValue: 5 }]] as const) {
      const r = await api('POST', '/v1/pools', { name, min: 1, max: 3, target, resources: POD, scaleDownStabilizationSeconds: 0 });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
  }, WAIT);
  afterAll(async () => {
    await s?.stop();
    await nodeAdmin(c, 'DELETE', `/__sim/pod-metrics/${NS}`).catch(() => undefined);
  }, WAIT);

  it('a CPU pool: 100 % of its request against a 30 % target → the HPA scales to max, then back to min when idle', async () => {
    await settled('cpu', 3);
    // The HPA read the usage through the aggregator, as `kubectl top` does.
    const hpa = json<{ status: { currentMetrics?: { resource?: { current: { averageUtilization?: number } } }[]; conditions: { type: string; reason: string }[] } }>(
      ['get', 'hpa', 'hodei-pool-cpu', '-n', NS]);
    expect(hpa.status.currentMetrics?.[0]?.resource?.current.averageUtilization).toBe(100);
    expect(hpa.status.conditions.find((x) => x.type === 'ScalingLimited')?.reason).toBe('TooManyReplicas');
    expect(kubectl(c, ['top', 'pod', '-n', NS, '-l', 'hodei.io/pool=cpu', '--no-headers']).trim().split('\n')).toHaveLength(3);
    const rescaled = json<{ items: { reason: string; message: string; source?: { component?: string } }[] }>(
      ['get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=hodei-pool-cpu,reason=SuccessfulRescale']).items;
    expect(rescaled.map((e) => e.message)).toContain('New size: 3; reason: cpu resource utilization (percentage of request) above target');

    expect((await nodeAdmin(c, 'PUT', `/__sim/pod-metrics/${NS}`, { cpu: '5m' })).status).toBe(200);
    const idle = await settled('cpu', 1);
    expect(idle.status.conditions.map((x) => x.type)).toEqual(expect.arrayContaining(['AbleToScale', 'ScalingActive']));
  }, 2 * WAIT);

  it('a queue pool: 20 queued jobs at 5 per worker → the HPA scales on the External metric', async () => {
    await settled('queue', 3);
    const hpa = json<{ status: { currentMetrics?: { external?: { metric: { name: string }; current: { averageValue?: string } } }[] } }>(
      ['get', 'hpa', 'hodei-pool-queue', '-n', NS]);
    expect(hpa.status.currentMetrics?.[0]?.external?.metric.name).toBe(QUEUE_METRIC);
    // 20 over the 3 pods it had when it last measured, in the API's quantity format.
    expect(hpa.status.currentMetrics?.[0]?.external?.current.averageValue).toMatch(/^(20|10|6667m)$/);
    expect((await api('DELETE', '/v1/pools/queue')).status).toBe(204);
    await waitFor('queue pool objects gone', async () => json<{ items: unknown[] }>(['get', 'deployments,hpa,pods', '-n', NS, '-l', 'hodei.io/pool=queue']).items.length === 0, WAIT);
  }, 2 * WAIT);
});
