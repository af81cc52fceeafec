// The informer against kube-sim: list + watch, reconnect after a cut watch without relisting,
// relist after 410 Gone (compacted history), and a view that matches the cluster afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeSim } from '../../../kube-sim/index.js';
import { silentLogger } from '../../../observability/logger.js';
import { KubeClient, type ApiRequestEvent } from '../client/client.js';
import { PodInformer } from './informer.js';
import { poll, startTestSim } from '../../../../test/support/kubernetes/sim.js';

let sim: KubeSim;
let client: KubeClient;
const hook: ApiRequestEvent[] = [];
const NS = 'inf';

beforeAll(async () => {
  sim = await startTestSim({ bookmarkIntervalMs: 100 });
  sim.admin.apply('namespaces', { metadata: { name: NS } });
  const kc = new KubeConfig();
  kc.loadFromFile(sim.kubeconfig);
  client = new KubeClient({ kubeConfig: kc, hook: (e) => hook.push(e) });
});
afterAll(async () => {
  client?.close();
  await sim?.stop();
});

const addPod = (name: string, labels: Record<string, string> = { app: 'x' }): void => {
  sim.admin.apply('pods', { metadata: { name, namespace: NS, labels }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '1'] }] } });
};

describe('PodInformer', () => {
  it('lists, watches, survives cut watches and 410 Gone, and ends with the cluster view', async () => {
    addPod('before');
    addPod('not-ours', { app: 'other' });
    const inf = new PodInformer({ client, namespace: NS, labelSelector: 'app=x', logger: silentLogger() });
    const relists: string[] = [];
    const deleted: string[] = [];
    inf.on('relist', (e) => relists.push(e.reason));
    inf.on('delete', (p) => deleted.push(p.metadata.name));
    await inf.start();
    expect(inf.synced).toBe(true);
    expect(inf.list().map((p) => p.metadata.name)).toEqual(['before']);

    // Cut every watch after 3 events: the informer resumes from its resourceVersion, no relist.
    sim.admin.setFaults({ rules: [{ verbs: ['watch'], resources: ['pods'], watchCutAfterEvents: 3 }] });
    for (let i = 0; i < 10; i++) addPod(`p${i}`);
    await poll('all pods seen', () => inf.list().length === 11);
    expect(relists).toEqual(['initial']);
    expect(sim.admin.stats().faults.byKey['watch-cut watch pods'] ?? 0).toBeGreaterThan(0);

    // Forget history and make the next watch answer 410: the informer relists and catches up.
    sim.admin.setFaults({ rules: [{ verbs: ['watch'], resources: ['pods'], gone: true, count: 1 }] });
    sim.admin.compact();
    sim.store.delete('pods', NS, 'before', { gracePeriodSeconds: 0 });
    addPod('after');
    await poll('relisted view', () => relists.includes('gone') && inf.get(NS, 'after') !== undefined && inf.get(NS, 'before') === undefined, 20_000);
    expect(deleted).toContain('before');
    const cluster = sim.store.list('pods', NS, { labelSelector: 'app=x' }).items.map((p) => p.metadata.name).sort();
    expect(inf.list().map((p) => p.metadata.name).sort()).toEqual(cluster);
    expect(hook.filter((h) => h.verb === 'watch').length).toBeGreaterThan(2);
    sim.admin.clearFaults();
    await inf.stop();
  });
});
