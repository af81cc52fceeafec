// Pod failure modes with the status fields a real cluster shows: Unschedulable, ErrImagePull →
// ImagePullBackOff, OOMKilled, DeadlineExceeded, exceeded quota; plus a normal completion.
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, type SimClients } from '../../../test/support/kube-sim/clients.js';
import { startSim, waitFor } from '../../../test/support/kube-sim/controllers.js';

let c: SimClients;
const ns = 'failures';
beforeAll(async () => {
  c = await startSim();
  await c.core.createNamespace({ body: { metadata: { name: ns } } });
});
afterAll(async () => { await c?.sim.stop(); });

const pod = (name: string, extra: { image?: string; cpu?: string; annotations?: Record<string, string>; deadline?: number; restartPolicy?: string } = {}) => ({
  metadata: { name, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
  spec: {
    restartPolicy: extra.restartPolicy ?? 'Never',
    ...(extra.deadline ? { activeDeadlineSeconds: extra.deadline } : {}),
    containers: [{ name: 'main', image: extra.image ?? 'busybox:1.36', resources: { requests: { cpu: extra.cpu ?? '100m', memory: '32Mi' } } }],
  },
});

async function until(name: string, what: string, pred: (p: V1Pod) => boolean): Promise<V1Pod> {
  return waitFor(what, async () => { const p = await c.core.readNamespacedPod({ namespace: ns, name }); return pred(p) ? p : undefined; });
}

async function reasons(name: string): Promise<string[]> {
  const ev = await c.core.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.name=${name}` });
  return ev.items.map((e) => `${e.type}/${e.reason}`);
}

describe('pod lifecycle and failures', () => {
  it('a simulated container completes: Succeeded, terminated Completed, Ready=False/PodCompleted', async () => {
    await c.core.createNamespacedPod({ namespace: ns, body: pod('ok', { annotations: { 'sim.hodei.io/run-seconds': '0.05' } }) });
    const p = await until('ok', 'Succeeded', (x) => x.status?.phase === 'Succeeded');
    const t = p.status?.containerStatuses?.[0]?.state?.terminated;
    expect(t?.reason).toBe('Completed');
    expect(t?.exitCode).toBe(0);
    expect(p.status?.conditions?.find((x) => x.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
  });

  it('exit code annotation: Failed with terminated Error', async () => {
    await c.core.createNamespacedPod({ namespace: ns, body: pod('exit3', { annotations: { 'sim.hodei.io/exit-code': '3' } }) });
    const p = await until('exit3', 'Failed', (x) => x.status?.phase === 'Failed');
    expect(p.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
  });

  it('restartPolicy OnFailure: a failing container restarts with CrashLoopBackOff and restartCount', async () => {
    await c.core.createNamespacedPod({ namespace: ns, body: pod('crash', { restartPolicy: 'OnFailure', annotations: { 'sim.hodei.io/exit-code': '1', 'sim.hodei.io/run-seconds': '0.01' } }) });
    const p = await until('crash', 'restarted twice', (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2);
    const cs = p.status?.containerStatuses?.[0];
    expect(cs?.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(p.status?.phase).toBe('Running');
    expect(await reasons('crash')).toContain('Warning/BackOff');
  });

  it('a pod created with spec.nodeName skips the scheduler and still reports PodScheduled', async () => {
    await c.core.createNamespacedPod({ namespace: ns, body: { ...pod('pinned'), spec: { ...pod('pinned').spec, nodeName: 'kube-sim-node-2' } } });
    const p = await until('pinned', 'Succeeded', (x) => x.status?.phase === 'Succeeded');
    expect(p.status?.hostIP).toBe('10.0.0.3');
    expect(p.status?.conditions?.find((x) => x.type === 'PodScheduled')?.status).toBe('True');
  });

  it('unschedulable: Pending, PodScheduled=False/Unschedulable with the real message, FailedScheduling; retried when room frees', async () => {
    await c.core.createNamespacedPod({ namespace: ns, body: pod('huge', { cpu: '64' }) });
    const p = await until('huge', 'Unschedulable', (x) => x.status?.conditions?.some((k) => k.reason === 'Unschedulable') ?? false);
    expect(p.status?.phase).toBe('Pending');
    expect(p.status?.conditions?.find((x) => x.type === 'PodScheduled')).toMatchObject({
      status: 'False', reason: 'Unschedulable', message: '0/4 nodes are available: 4 Insufficient cpu.',
    });
    expect(await reasons('huge')).toContain('Warning/FailedScheduling');

    // Fill one node's cpu (8 cores) with 6, then ask for 4: waits until the 6-core pod ends.
    await c.core.createNamespacedPod({ namespace: ns, body: { ...pod('big', { cpu: '6', annotations: { 'sim.hodei.io/run-seconds': '0.5' } }), spec: { ...pod('big').spec, nodeSelector: { 'kubernetes.io/hostname': 'kube-sim-node-1' }, containers: [{ name: 'main', image: 'busybox:1.36', resources: { requests: { cpu: '6' } } }] } } });
    await until('big', 'big running', (x) => x.status?.phase === 'Running');
    await c.core.createNamespacedPod({ namespace: ns, body: { ...pod('waits'), spec: { ...pod('waits').spec, nodeSelector: { 'kubernetes.io/hostname': 'kube-sim-node-1' }, containers: [{ name: 'main', image: 'busybox:1.36', resources: { requests: { cpu: '4' } } }] } } });
    const w = await until('waits', 'waits unschedulable', (x) => x.status?.conditions?.some((k) => k.reason === 'Unschedulable') ?? false);
    expect(w.status?.conditions?.find((x) => x.type === 'PodScheduled')?.message).toBe("0/4 nodes are available: 1 Insufficient cpu, 3 node(s) didn't match Pod's node affinity/selector.");
    const bound = await until('waits', 'waits scheduled after big finished', (x) => x.spec?.nodeName === 'kube-sim-node-1');
    expect(bound.status?.conditions?.find((x) => x.type === 'PodScheduled')?.status).toBe('True');
  });

  it('image pull failure: ErrImagePull then ImagePullBackOff, pod stays Pending, Failed/BackOff events', async () => {
    await c.core.createNamespacedPod({ namespace: ns, body: pod('nopull', { image: 'no-such-registry.example/x:1' }) });
    const p = await until('nopull', 'ImagePullBackOff', (x) => x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff');
    expect(p.status?.phase).toBe('Pending');
    expect(p.status?.containerStatuses?.[0]?.state?.waiting?.message).toBe('Back-off pulling image "no-such-registry.example/x:1"');
    expect(p.status?.conditions?.find((x) => x.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
    const r = await reasons('nopull');
    expect(r).toEqual(expect.arrayContaining(['Normal/Pulling', 'Warning/Failed', 'Normal/BackOff']));
    const ev = await c.core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=nopull,reason=Failed' });
    expect(ev.items.map((e) => e.message)).toContain('Error: ErrImagePull');
  });

  it('OOMKilled (annotation): Failed, terminated OOMKilled exit 137', async () => {
    await c.core.createNamespacedPod({ namespace: ns, body: pod('oom', { annotations: { 'sim.hodei.io/oom': 'true' } }) });
    const p = await until('oom', 'Failed', (x) => x.status?.phase === 'Failed');
    expect(p.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
  });

  it('OOMKilled (real process): the agent over a 16Mi memory limit is killed by the RSS sampler', async () => {
    const body = { metadata: { name: 'oom-real' }, spec: { restartPolicy: 'Never', containers: [{
      name: 'agent', image: 'hodei-worker:dev', args: ['worker', '--server', 'http://127.0.0.1:9'],
      env: [{ name: 'HODEI_WORKER_TOKEN', value: 'unused' }], resources: { limits: { memory: '16Mi' } },
    }] } };
    await c.core.createNamespacedPod({ namespace: ns, body });
    const p = await until('oom-real', 'Failed', (x) => x.status?.phase === 'Failed');
    expect(p.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
  });

  it('activeDeadlineSeconds: Failed with reason DeadlineExceeded, container killed', async () => {
    await c.core.createNamespacedPod({ namespace: ns, body: pod('deadline', { deadline: 1, restartPolicy: 'Always' }) });
    const p = await until('deadline', 'DeadlineExceeded', (x) => x.status?.reason === 'DeadlineExceeded' && x.status.containerStatuses?.[0]?.state?.terminated !== undefined);
    expect(p.status?.phase).toBe('Failed');
    expect(p.status?.message).toBe('Pod was active on the node longer than the specified deadline');
    expect(p.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(143);
    expect(await reasons('deadline')).toEqual(expect.arrayContaining(['Normal/DeadlineExceeded', 'Normal/Killing']));
  });

  it('quota exceeded is refused at admission with 403 (sanity check; admission is the API server\'s)', async () => {
    await c.core.createNamespacedResourceQuota({ namespace: ns, body: { metadata: { name: 'q' }, spec: { hard: { 'requests.cpu': '200' , pods: '100' } } } });
    await c.core.createNamespacedResourceQuota({ namespace: ns, body: { metadata: { name: 'gpu' }, spec: { hard: { 'requests.nvidia.com/gpu': '0' } } } });
    const body = { metadata: { name: 'gpu-pod' }, spec: { containers: [{ name: 'main', image: 'busybox:1.36', resources: { requests: { 'nvidia.com/gpu': '1' }, limits: { 'nvidia.com/gpu': '1' } } }] } };
    const err = await apiError(c.core.createNamespacedPod({ namespace: ns, body }));
    expect(err.code).toBe(403);
    expect(err.body.message).toContain('exceeded quota: gpu');
  });
});
