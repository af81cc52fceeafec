// The provider's reconcile pass against kube-sim: leftover token Secrets (no live pod) are deleted
// once old enough, a Secret of a live pod is kept, ended pods follow the retention policy, and an
// orphan (its worker is not live in the control plane) is deleted.
import { EventEmitter } from 'node:events';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeSim } from '../../../kube-sim/index.js';
import { silentLogger } from '../../../observability/logger.js';
import { KubeClient } from '../client/client.js';
import type { KubernetesProviderEventMap } from '../events.js';
import { ProviderGc, shouldDelete } from './gc.js';
import { PodInformer } from './informer.js';
import { ownedSelector } from '../labels.js';
import { PodOps } from './pod-ops.js';
import type { PodJson } from './pod-status.js';
import { poll, startTestSim } from '../../../../test/support/kubernetes/sim.js';
import { WorkerTracker } from './worker-tracker.js';

const NS = 'gc';
let sim: KubeSim;
let client: KubeClient;

beforeAll(async () => {
  sim = await startTestSim();
  sim.admin.apply('namespaces', { metadata: { name: NS } });
  const kc = new KubeConfig();
  kc.loadFromFile(sim.kubeconfig);
  client = new KubeClient({ kubeConfig: kc });
});
afterAll(async () => {
  client?.close();
  await sim?.stop();
});

const labels = (workerId: string) => ({ 'app.kubernetes.io/managed-by': 'hodei', 'hodei.io/provider-id': 'kubernetes', 'hodei.io/worker-id': workerId });
const podOf = (workerId: string, annotations: Record<string, string>) => sim.admin.apply('pods', {
  metadata: { name: `hodei-${workerId}`, namespace: NS, labels: labels(workerId), annotations },
  spec: { restartPolicy: 'Never', containers: [{ name: 'worker', image: 'busybox:1.36', command: ['sleep', '1'] }] },
});
const secretOf = (workerId: string) => sim.admin.apply('secrets', { metadata: { name: `hodei-${workerId}-token`, namespace: NS, labels: labels(workerId) }, data: { token: 'eA==' } });

describe('ProviderGc', () => {
  it('retention: never deletes all ended pods, onFailure keeps failed ones, always keeps all', () => {
    expect([shouldDelete('never', false), shouldDelete('never', true)]).toEqual([true, true]);
    expect([shouldDelete('onFailure', false), shouldDelete('onFailure', true)]).toEqual([true, false]);
    expect([shouldDelete('always', false), shouldDelete('always', true)]).toEqual([false, false]);
  });

  it('deletes orphans and old leftover Secrets; keeps live workers’ pods and Secrets; applies retention', async () => {
    podOf('w-live', { 'sim.hodei.io/run-seconds': '3600' });
    secretOf('w-live');
    podOf('w-orphan', { 'sim.hodei.io/run-seconds': '3600' });
    podOf('w-failed', { 'sim.hodei.io/exit-code': '1' });
    podOf('w-ended', { 'sim.hodei.io/run-seconds': '3600' });
    secretOf('w-gone');
    await poll('pods running/ended', () => {
      const phase = (n: string) => (sim.store.get('pods', NS, n)?.status as { phase?: string } | undefined)?.phase;
      return phase('hodei-w-live') === 'Running' && phase('hodei-w-orphan') === 'Running' && phase('hodei-w-failed') === 'Failed' && phase('hodei-w-ended') === 'Running';
    });
    const informer = new PodInformer({ client, namespace: NS, labelSelector: ownedSelector('kubernetes'), logger: silentLogger() });
    const k8sEvents = new EventEmitter<KubernetesProviderEventMap>();
    const tracker = new WorkerTracker({ events: new EventEmitter(), k8sEvents, logger: silentLogger(), pendingTimeoutMs: 60_000,
      onEnded: () => undefined, deletePod: () => undefined });
    informer.on('add', (p) => tracker.onPod(p));
    await informer.start();
    const ops = new PodOps(client.api(CoreV1Api));
    const deleted: string[] = [];
    let offset = 120_000;
    const gc = new ProviderGc({
      informer, tracker, ops, logger: silentLogger(), retention: 'onFailure', selector: ownedSelector('kubernetes'),
      namespaces: () => [NS], k8sEvents, now: () => Date.now() + offset,
      lookupWorker: async (id) => (id === 'w-live' ? { state: 'busy', registeredAt: new Date().toISOString(), jobId: 'j' }
        : id === 'w-ended' ? { state: 'terminated', registeredAt: new Date().toISOString(), jobId: 'j' } : null),
      deletePod: async (p, cause) => {
        const pod = p as PodJson;
        deleted.push(`${pod.metadata.name}:${cause}`);
        await ops.deletePod(pod.metadata.namespace, pod.metadata.name, 0);
      },
    });
    const r = await gc.run();
    // Unknown worker: deleted at once. Worker that just ended: its agent gets a grace to exit. Failed pod: kept (onFailure).
    expect(deleted).toEqual(['hodei-w-orphan:orphan']);
    expect(r.orphansDeleted).toBe(1);
    offset += 31_000;
    await gc.run();
    expect(deleted).toEqual(['hodei-w-orphan:orphan', 'hodei-w-ended:orphan']);
    expect(sim.store.get('secrets', NS, 'hodei-w-gone-token')).toBeUndefined();
    expect(sim.store.get('secrets', NS, 'hodei-w-live-token')).toBeDefined();
    await informer.stop();
  });
});
