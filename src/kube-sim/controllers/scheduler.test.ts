// Scheduling rules: nodeSelector, taints vs tolerations, extended resources (nvidia.com/gpu) and
// capacity counted from bound pods; the messages kube-scheduler gives when nothing fits.
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimClients } from '../../../test/support/kube-sim/clients.js';
import { startSim, waitFor } from '../../../test/support/kube-sim/controllers.js';

let c: SimClients;
const ns = 'sched';
beforeAll(async () => {
  c = await startSim({
    nodes: 2, nodeCpu: '2', nodeMemory: '4Gi',
    nodeSpecs: [{}, { name: 'gpu-node', gpus: 2, labels: { accel: 'gpu' }, taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }] }],
  });
  await c.core.createNamespace({ body: { metadata: { name: ns } } });
});
afterAll(async () => { await c?.sim.stop(); });

const pod = (name: string, spec: Partial<NonNullable<V1Pod['spec']>>, requests: Record<string, string> = {}): V1Pod => ({
  metadata: { name },
  spec: { containers: [{ name: 'main', image: 'busybox:1.36', resources: { requests, limits: requests['nvidia.com/gpu'] ? { 'nvidia.com/gpu': requests['nvidia.com/gpu'] } : {} } }], ...spec },
});

async function placed(name: string): Promise<V1Pod> {
  return waitFor(`${name} decided`, async () => {
    const p = await c.core.readNamespacedPod({ namespace: ns, name });
    return p.spec?.nodeName || p.status?.conditions?.some((x) => x.reason === 'Unschedulable') ? p : undefined;
  });
}
const message = (p: V1Pod) => p.status?.conditions?.find((x) => x.type === 'PodScheduled')?.message;

describe('scheduler', () => {
  it('keeps pods off tainted nodes unless they tolerate the taint', async () => {
    await c.core.createNamespacedPod({ namespace: ns, body: pod('plain', { nodeSelector: { accel: 'gpu' } }) });
    expect(message(await placed('plain'))).toBe('0/2 nodes are available: 1 node(s) didn\'t match Pod\'s node affinity/selector, 1 node(s) had untolerated taint {gpu: true}.');
    await c.core.createNamespacedPod({ namespace: ns, body: pod('tolerant', { nodeSelector: { accel: 'gpu' }, tolerations: [{ key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }] }) });
    expect((await placed('tolerant')).spec?.nodeName).toBe('gpu-node');
  });

  it('counts extended resources and frees them when a pod goes', async () => {
    const tol = { tolerations: [{ key: 'gpu', operator: 'Exists' as const }] };
    await c.core.createNamespacedPod({ namespace: ns, body: pod('gpu-a', tol, { 'nvidia.com/gpu': '2' }) });
    expect((await placed('gpu-a')).spec?.nodeName).toBe('gpu-node');
    await c.core.createNamespacedPod({ namespace: ns, body: pod('gpu-b', tol, { 'nvidia.com/gpu': '1' }) });
    expect(message(await placed('gpu-b'))).toBe('0/2 nodes are available: 2 Insufficient nvidia.com/gpu.');
    await c.core.deleteNamespacedPod({ namespace: ns, name: 'gpu-a', gracePeriodSeconds: 0 });
    await waitFor('gpu-b bound once gpu-a is gone', async () => (await c.core.readNamespacedPod({ namespace: ns, name: 'gpu-b' })).spec?.nodeName === 'gpu-node');
  });

  it('sums container requests and reports several shortages', async () => {
    await c.core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'greedy' }, spec: { containers: [
      { name: 'a', image: 'busybox:1.36', resources: { requests: { cpu: '1500m', memory: '3Gi' } } },
      { name: 'b', image: 'busybox:1.36', resources: { requests: { cpu: '1', memory: '2Gi' } } },
    ] } } });
    // Like kube-scheduler, the "<count> <reason>" parts are sorted as strings.
    expect(message(await placed('greedy'))).toBe('0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 node(s) had untolerated taint {gpu: true}.');
  });
});
