// The tracker on its own, with a fake clock: one end report per worker, the pending timeout (and
// its guard against a stale view), the startup breakdown and adoption.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../observability/logger.js';
import type { ProviderEvents } from '../../provider.js';
import type { KubernetesProviderEventMap } from '../events.js';
import type { PodJson } from './pod-status.js';
import { WorkerTracker, type WorkerInfo } from './worker-tracker.js';

function setup(registered: Record<string, string> = {}, startFailureGraceMs?: number) {
  let now = 1_000_000;
  const events = new EventEmitter<ProviderEvents>();
  const k8s = new EventEmitter<KubernetesProviderEventMap>();
  const out: string[] = [];
  const deleted: string[] = [];
  events.on('worker.failed', (e) => out.push(`failed ${e.workerId} ${e.reason}`));
  events.on('worker.exited', (e) => out.push(`exited ${e.workerId} ${e.exitCode} ${e.reason}`));
  const ready: number[] = [];
  k8s.on('pod.ready', (e) => ready.push(e.durationMs));
  const tracker = new WorkerTracker({
    events, k8sEvents: k8s, logger: silentLogger(), pendingTimeoutMs: 5000, now: () => now, ...(startFailureGraceMs !== undefined ? { startFailureGraceMs } : {}),
    lookupWorker: async (id): Promise<WorkerInfo | null> => (registered[id] ? { state: 'busy', registeredAt: registered[id] ?? null, jobId: 'j' } : null),
    onEnded: () => undefined, deletePod: (t) => deleted.push(t.workerId),
  });
  const flush = () => new Promise((r) => setImmediate(r));
  return { tracker, out, deleted, ready, flush, advance: (ms: number) => { now += ms; }, now: () => now };
}

const pod = (workerId: string, status: PodJson['status'], uid = 'u1'): PodJson => ({
  metadata: { name: `hodei-${workerId}`, namespace: 'ns', uid, labels: { 'hodei.io/worker-id': workerId, 'hodei.io/job-id': 'j' }, creationTimestamp: new Date(0).toISOString() },
  spec: { containers: [{ name: 'worker' }] },
  status,
});
const running = { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }], containerStatuses: [{ name: 'worker', imageID: 'x', state: { running: {} } }] };

describe('WorkerTracker', () => {
  it('fails a container stuck on an image pull after the start-failure grace, named by the pull, well before the pending timeout', async () => {
    const { tracker, out, deleted, advance, flush } = setup({}, 3000);
    const pulling = (reason: string) => pod('w9', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }],
      containerStatuses: [{ name: 'worker', state: { waiting: { reason, message: 'pull access denied' } } }] });
    tracker.expect({ workerId: 'w9', jobId: 'j', namespace: 'ns', pod: 'hodei-w9' });
    tracker.onPod(pulling('ErrImagePull'));
    advance(2000);
    tracker.onPod(pulling('ImagePullBackOff'));
    await tracker.tick();
    await flush();
    expect(out).toEqual([]); // 2 s < the 3 s grace: a registry blip may still clear
    advance(1500); // 3.5 s: past the grace (counted from the first failure), short of the 5 s pending timeout
    await tracker.tick();
    await flush();
    expect(out).toEqual(['failed w9 ImagePullBackOff']);
    expect(deleted).toEqual(['w9']);
  });

  it('names what a pod waits on when its agent never registered; AgentNeverRegistered only for a container that ran', () => {
    const { tracker } = setup();
    tracker.expect({ workerId: 'a', jobId: 'j', namespace: 'ns', pod: 'hodei-a' });
    tracker.onPod(pod('a', { phase: 'Pending', containerStatuses: [{ name: 'worker', state: { waiting: { reason: 'InvalidImageName' } } }] }));
    expect(tracker.registrationFailure('a')?.reason).toBe('InvalidImageName');
    tracker.expect({ workerId: 'b', jobId: 'j', namespace: 'ns', pod: 'hodei-b' });
    tracker.onPod(pod('b', { phase: 'Pending', containerStatuses: [{ name: 'worker', state: { waiting: { reason: 'ContainerCreating' } } }] }));
    expect(tracker.registrationFailure('b')).toEqual({ reason: 'PodPending', message: 'pod hodei-b still Pending (ContainerCreating)' });
    tracker.expect({ workerId: 'c', jobId: 'j', namespace: 'ns', pod: 'hodei-c' });
    tracker.onPod(pod('c', running));
    expect(tracker.registrationFailure('c')?.reason).toBe('AgentNeverRegistered');
  });

  it('reports the end of a worker once, however many updates say so', async () => {
    const { tracker, out, flush } = setup();
    tracker.expect({ workerId: 'w1', jobId: 'j', namespace: 'ns', pod: 'hodei-w1' });
    tracker.markAgentRegistered('w1');
    const failed = pod('w1', { phase: 'Failed', reason: 'Evicted', message: 'node pressure' });
    tracker.onPod(failed);
    tracker.onPod({ ...failed, metadata: { ...failed.metadata, resourceVersion: '9' } });
    tracker.onDelete(failed);
    await flush();
    expect(out).toEqual(['failed w1 Evicted']);
  });

  it('fails a pod Pending past the timeout with the pending reason, and deletes it', async () => {
    const { tracker, out, deleted, advance, flush } = setup();
    tracker.expect({ workerId: 'w2', jobId: 'j', namespace: 'ns', pod: 'hodei-w2' });
    tracker.onPod(pod('w2', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'Insufficient cpu' }] }));
    advance(4000);
    await tracker.tick();
    await flush();
    expect(out).toEqual([]);
    advance(2000);
    await tracker.tick();
    await flush();
    expect(out).toEqual(['failed w2 Unschedulable']);
    expect(deleted).toEqual(['w2']);
  });

  it('does not fail a "pending" worker whose agent the control plane saw register (stale view)', async () => {
    const { tracker, out, advance, flush } = setup({ w3: new Date().toISOString() });
    tracker.expect({ workerId: 'w3', jobId: 'j', namespace: 'ns', pod: 'hodei-w3' });
    advance(10_000);
    await tracker.tick();
    await flush();
    expect(out).toEqual([]);
  });

  it('completes the startup breakdown from the control plane for its own pods only', async () => {
    const { tracker, ready, advance, now } = setup({ w4: new Date(1_000_000 + 1500).toISOString(), w5: new Date(1_000_000).toISOString() });
    tracker.expect({ workerId: 'w4', jobId: 'j', namespace: 'ns', pod: 'hodei-w4' });
    advance(1000);
    tracker.onPod(pod('w4', running));
    tracker.onPod(pod('w5', running, 'u5')); // found in the cluster: adopted
    advance(1000);
    await tracker.tick();
    expect(ready).toEqual([1500]);
    const b = tracker.workers.get('w4')?.startup;
    expect(b).toEqual({ createdAt: 1_000_000, scheduledAt: now() - 1000, imagePulledAt: now() - 1000, containerStartedAt: now() - 1000, agentRegisteredAt: 1_001_500 });
    expect(tracker.workers.get('w5')?.ours).toBe(false);
  });

  it('reports a pod deleted by someone else as an exit named by the reason given (PodDeleted by default)', async () => {
    const { tracker, out, flush } = setup();
    tracker.onPod(pod('w6', running));
    tracker.onDelete(pod('w6', running));
    tracker.onPod(pod('w7', running, 'u7'));
    tracker.onDelete(pod('w7', running, 'u7'), 'NamespaceDeleted');
    await flush();
    expect(out).toEqual(['exited w6 null PodDeleted', 'exited w7 null NamespaceDeleted']);
  });
});
