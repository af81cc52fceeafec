// Deployment → ReplicaSet → pods, and the HPA scaling a Deployment from an external metric and
// from cpu utilisation, observed only through @kubernetes/client-node (+ the sim's admin API).
import type { V1Deployment, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimClients } from '../../../test/support/kube-sim/clients.js';
import { admin, startSim, waitFor } from '../../../test/support/kube-sim/controllers.js';

let c: SimClients;
const ns = 'pools';
beforeAll(async () => {
  c = await startSim();
  await c.core.createNamespace({ body: { metadata: { name: ns } } });
});
afterAll(async () => { await c?.sim.stop(); });

const deployment = (name: string, replicas: number): V1Deployment => ({
  metadata: { name },
  spec: {
    replicas, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'busybox:1.36', resources: { requests: { cpu: '200m', memory: '64Mi' } } }] } },
  },
});

const readyPods = async (app: string) => (await c.core.listNamespacedPod({ namespace: ns, labelSelector: `app=${app}` }))
  .items.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase === 'Running').length;

async function deploymentAt(name: string, replicas: number): Promise<V1Deployment> {
  return waitFor(`${name} at ${replicas}`, async () => {
    const d = await c.apps.readNamespacedDeployment({ namespace: ns, name });
    const s = d.status;
    return s?.replicas === replicas && s.readyReplicas === replicas && s.availableReplicas === replicas && s.updatedReplicas === replicas && (await readyPods(name)) === replicas ? d : undefined;
  });
}

const hpaCondition = (h: V2HorizontalPodAutoscaler, type: string) => h.status?.conditions?.find((x) => x.type === type);

describe('Deployment → ReplicaSet → pods', () => {
  it('scales up and down, with owner references, template hash and status', async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web', 3) });
    const d = await deploymentAt('web', 3);
    expect(d.status?.observedGeneration).toBe(d.metadata?.generation);
    expect(d.status?.conditions?.find((x) => x.type === 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });

    const rss = await c.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=web' });
    expect(rss.items).toHaveLength(1);
    const rs = rss.items[0];
    const hash = rs?.metadata?.labels?.['pod-template-hash'];
    expect(rs?.metadata?.name).toBe(`web-${hash ?? ''}`);
    expect(rs?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'web', controller: true });
    const pods = await c.core.listNamespacedPod({ namespace: ns, labelSelector: `app=web,pod-template-hash=${hash ?? ''}` });
    expect(pods.items).toHaveLength(3);
    expect(pods.items[0]?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', name: rs?.metadata?.name, controller: true });

    await c.apps.replaceNamespacedDeploymentScale({ namespace: ns, name: 'web', body: { metadata: { name: 'web', namespace: ns }, spec: { replicas: 1 } } });
    await deploymentAt('web', 1);
    await waitFor('scaled-down pods gone', async () => (await c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' })).items.length === 1);
    const rsAfter = await c.apps.readNamespacedReplicaSet({ namespace: ns, name: rs?.metadata?.name ?? '' });
    expect(rsAfter.status?.replicas).toBe(1);
    const ev = await c.core.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.name=${rs?.metadata?.name ?? ''}` });
    expect(ev.items.map((e) => e.reason)).toEqual(expect.arrayContaining(['SuccessfulCreate', 'SuccessfulDelete']));
  });
});

describe('HorizontalPodAutoscaler', () => {
  it('scales a Deployment up and down with an external metric', async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('queue-workers', 1) });
    await deploymentAt('queue-workers', 1);
    await admin(c, 'PUT', `/__sim/external-metrics/${ns}/hodei_queue_depth`, { value: 2 });
    await c.autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace: ns, body: {
      metadata: { name: 'queue-workers' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'queue-workers' }, minReplicas: 1, maxReplicas: 4,
        metrics: [{ type: 'External', external: { metric: { name: 'hodei_queue_depth' }, target: { type: 'AverageValue', averageValue: '2' } } }],
      },
    } });
    const steady = await waitFor('hpa active', async () => {
      const h = await c.autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace: ns, name: 'queue-workers' });
      return hpaCondition(h, 'ScalingActive')?.status === 'True' ? h : undefined;
    });
    expect(steady.status?.desiredReplicas).toBe(1);
    expect(hpaCondition(steady, 'ScalingActive')?.reason).toBe('ValidMetricFound');

    // 20 queued jobs at 2 per worker wants 10 workers: capped at max 4.
    await admin(c, 'PUT', `/__sim/external-metrics/${ns}/hodei_queue_depth`, { value: 20 });
    await deploymentAt('queue-workers', 4);
    const up = await waitFor('hpa sees 4', async () => {
      const h = await c.autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace: ns, name: 'queue-workers' });
      return h.status?.currentReplicas === 4 ? h : undefined;
    });
    expect(up.status?.desiredReplicas).toBe(4);
    expect(up.status?.lastScaleTime).toBeDefined();
    expect(hpaCondition(up, 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'TooManyReplicas' });
    expect(up.status?.currentMetrics?.[0]?.external?.current?.averageValue).toBe('5');

    await admin(c, 'PUT', `/__sim/external-metrics/${ns}/hodei_queue_depth`, { value: 3 });
    await deploymentAt('queue-workers', 2);
    const down = await c.autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace: ns, name: 'queue-workers' });
    expect(hpaCondition(down, 'ScalingLimited')).toMatchObject({ status: 'False', reason: 'DesiredWithinRange' });
    expect(hpaCondition(down, 'AbleToScale')?.status).toBe('True');
    const ev = await c.core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=queue-workers,reason=SuccessfulRescale' });
    expect(ev.items.map((e) => e.message)).toEqual(expect.arrayContaining(['New size: 4; reason: external metric hodei_queue_depth(nil) above target', 'New size: 2; reason: All metrics below target']));
  });

  it('scales on cpu utilisation reported by the sim', async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('cpu-bound', 2) });
    await deploymentAt('cpu-bound', 2);
    await c.autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace: ns, body: {
      metadata: { name: 'cpu-bound' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'cpu-bound' }, minReplicas: 1, maxReplicas: 6,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
      },
    } });
    // Default usage is half the request: exactly on target, nothing changes.
    const h0 = await waitFor('hpa metrics', async () => {
      const h = await c.autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace: ns, name: 'cpu-bound' });
      return h.status?.currentMetrics?.length ? h : undefined;
    });
    expect(h0.status?.currentMetrics?.[0]?.resource?.current?.averageUtilization).toBe(50);
    expect(h0.status?.desiredReplicas).toBe(2);

    // 150% of request on every pod: 2 × 150/50 = 6 replicas.
    await admin(c, 'PUT', `/__sim/pod-metrics/${ns}`, { cpu: '300m' });
    await deploymentAt('cpu-bound', 6);
    const up = await c.autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace: ns, name: 'cpu-bound' });
    expect(hpaCondition(up, 'ScalingActive')?.message).toBe('the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)');

    // 10% of request: ceil(6 × 10/50) = 2.
    await admin(c, 'PUT', `/__sim/pod-metrics/${ns}`, { cpu: '20m' });
    await deploymentAt('cpu-bound', 2);
  });
});
