import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, clientsFor, podBody, startWithClients, type SimClients } from '../testing/index.js';

let c: SimClients;
beforeAll(async () => {
  c = await startWithClients({
    tls: false,
    rbac: { users: [{ name: 'reader', token: 'reader-token', rules: [
      { verbs: ['get', 'list', 'watch'], resources: ['pods', 'pods/log'], namespaces: ['team-a'] },
      { verbs: ['create'], resources: ['configmaps'], apiGroups: [''], namespaces: ['team-a'] },
    ] }] },
  });
});
afterAll(async () => { await c?.sim.stop(); });

const until = async (cond: () => Promise<boolean>) => {
  for (let i = 0; i < 200; i++) { if (await cond()) return; await new Promise((r) => setTimeout(r, 10)); }
  throw new Error('condition not reached');
};

describe('deletion semantics', () => {
  it('cascades a ReplicaSet delete to the pods it owns (background GC) and keeps orphans with Orphan', async () => {
    const { apps, core } = c;
    await core.createNamespace({ body: { metadata: { name: 'gc' } } });
    const rsBody = (name: string) => ({ metadata: { name }, spec: { replicas: 1, selector: { matchLabels: { rs: name } }, template: { metadata: { labels: { rs: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } });
    for (const name of ['rs-bg', 'rs-orphan']) {
      const rs = await apps.createNamespacedReplicaSet({ namespace: 'gc', body: rsBody(name) });
      const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid: rs.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true };
      await core.createNamespacedPod({ namespace: 'gc', body: { ...podBody(`${name}-pod`), metadata: { name: `${name}-pod`, ownerReferences: [owner] } } });
    }
    await apps.deleteNamespacedReplicaSet({ namespace: 'gc', name: 'rs-bg' });
    await apps.deleteNamespacedReplicaSet({ namespace: 'gc', name: 'rs-orphan', propagationPolicy: 'Orphan' });
    await until(async () => (await core.listNamespacedPod({ namespace: 'gc' })).items.length === 1);
    const left = await core.readNamespacedPod({ namespace: 'gc', name: 'rs-orphan-pod' });
    expect(left.metadata?.ownerReferences ?? []).toEqual([]);
  });

  it('deletes a scheduled pod gracefully: deletionTimestamp first, gone after grace 0', async () => {
    const { core } = c;
    await core.createNamespacedPod({ namespace: 'default', body: { ...podBody('graceful'), spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } } });
    const marked = await core.deleteNamespacedPod({ namespace: 'default', name: 'graceful', gracePeriodSeconds: 20 });
    expect(marked.metadata?.deletionTimestamp).toBeTruthy();
    expect(marked.metadata?.deletionGracePeriodSeconds).toBe(20);
    expect((await core.readNamespacedPod({ namespace: 'default', name: 'graceful' })).metadata?.deletionTimestamp).toBeTruthy();
    await core.deleteNamespacedPod({ namespace: 'default', name: 'graceful', gracePeriodSeconds: 0 });
    expect((await apiError(core.readNamespacedPod({ namespace: 'default', name: 'graceful' }))).code).toBe(404);
  });

  it('deleting a namespace marks it Terminating, refuses new content, then removes it with its objects', async () => {
    const { core } = c;
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'cm' } } });
    await core.createNamespacedPod({ namespace: 'doomed', body: podBody('p') });
    const ns = await core.deleteNamespace({ name: 'doomed' });
    expect(ns).toBeTruthy();
    const refused = await apiError(core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'late' } } }));
    if (refused.code === 403) expect(refused.body.message).toContain('because it is being terminated');
    else expect(refused.code).toBe(404);
    await until(async () => (await apiError(core.readNamespace({ name: 'doomed' })).catch(() => ({ code: 0 }))).code === 404);
    expect((await core.listPodForAllNamespaces({ fieldSelector: 'metadata.namespace=doomed' })).items).toHaveLength(0);
  });
});

describe('ResourceQuota admission', () => {
  it('refuses a pod over quota with 403 exceeded quota and keeps status.used current', async () => {
    const { core } = c;
    await core.createNamespace({ body: { metadata: { name: 'quota' } } });
    await core.createNamespacedResourceQuota({ namespace: 'quota', body: { metadata: { name: 'compute' }, spec: { hard: { pods: '3', 'requests.cpu': '1', 'requests.memory': '1Gi', 'requests.nvidia.com/gpu': '1' } } } });
    const req = { cpu: '500m', memory: '256Mi' };
    await core.createNamespacedPod({ namespace: 'quota', body: podBody('q1', { requests: { ...req, 'nvidia.com/gpu': '1' } }) });
    await core.createNamespacedPod({ namespace: 'quota', body: podBody('q2', { requests: req }) });
    const over = await apiError(core.createNamespacedPod({ namespace: 'quota', body: podBody('q3', { requests: { cpu: '250m', memory: '256Mi' } }) }));
    expect(over.code).toBe(403);
    expect(over.body).toMatchObject({ reason: 'Forbidden', details: { name: 'q3', kind: 'pods' } });
    expect(over.body.message).toBe('pods "q3" is forbidden: exceeded quota: compute, requested: requests.cpu=250m, used: requests.cpu=1, limited: requests.cpu=1');
    const gpu = await apiError(core.createNamespacedPod({ namespace: 'quota', body: podBody('q4', { requests: { cpu: '0', memory: '1Mi', 'nvidia.com/gpu': '1' } }) }));
    expect(gpu.body.message).toContain('exceeded quota: compute, requested: requests.nvidia.com/gpu=1, used: requests.nvidia.com/gpu=1, limited: requests.nvidia.com/gpu=1');
    const missing = await apiError(core.createNamespacedPod({ namespace: 'quota', body: podBody('q5') }));
    expect(missing.body.message).toBe('pods "q5" is forbidden: failed quota: compute: must specify requests.cpu,requests.memory');

    await until(async () => (await core.readNamespacedResourceQuota({ namespace: 'quota', name: 'compute' })).status?.used?.pods === '2');
    const q = await core.readNamespacedResourceQuota({ namespace: 'quota', name: 'compute' });
    expect(q.status?.used).toEqual({ pods: '2', 'requests.cpu': '1', 'requests.memory': '512Mi', 'requests.nvidia.com/gpu': '1' });
    expect(q.status?.hard?.pods).toBe('3');

    await core.deleteNamespacedPod({ namespace: 'quota', name: 'q1' });
    await core.createNamespacedPod({ namespace: 'quota', body: podBody('q3', { requests: { cpu: '250m', memory: '256Mi' } }) });
  });

  it('counts objects (`secrets`, `count/configmaps`): 403 exceeded quota past the count, status.used follows', async () => {
    const { core } = c;
    await core.createNamespace({ body: { metadata: { name: 'counts' } } });
    await core.createNamespacedResourceQuota({ namespace: 'counts', body: { metadata: { name: 'objects' }, spec: { hard: { secrets: '1', 'count/configmaps': '2' } } } });
    await core.createNamespacedSecret({ namespace: 'counts', body: { metadata: { name: 's0' }, stringData: { a: '1' } } });
    const over = await apiError(core.createNamespacedSecret({ namespace: 'counts', body: { metadata: { name: 's1' }, stringData: { a: '1' } } }));
    expect(over.code).toBe(403);
    expect(over.body).toMatchObject({ reason: 'Forbidden', details: { name: 's1', kind: 'secrets' } });
    expect(over.body.message).toBe('secrets "s1" is forbidden: exceeded quota: objects, requested: secrets=1, used: secrets=1, limited: secrets=1');
    for (const n of ['c0', 'c1']) await core.createNamespacedConfigMap({ namespace: 'counts', body: { metadata: { name: n } } });
    expect((await apiError(core.createNamespacedConfigMap({ namespace: 'counts', body: { metadata: { name: 'c2' } } }))).code).toBe(403);
    await until(async () => (await core.readNamespacedResourceQuota({ namespace: 'counts', name: 'objects' })).status?.used?.['count/configmaps'] === '2');
    expect((await core.readNamespacedResourceQuota({ namespace: 'counts', name: 'objects' })).status?.used).toEqual({ secrets: '1', 'count/configmaps': '2' });
    await core.deleteNamespacedSecret({ namespace: 'counts', name: 's0' });
    await core.createNamespacedSecret({ namespace: 'counts', body: { metadata: { name: 's1' }, stringData: { a: '1' } } });
  });
});

describe('RBAC', () => {
  let reader: ReturnType<typeof clientsFor>;
  beforeAll(async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'team-a' } } });
    await c.core.createNamespacedPod({ namespace: 'team-a', body: podBody('visible') });
    const path = join(mkdtempSync(join(tmpdir(), 'kube-sim-rbac-')), 'kubeconfig');
    reader = clientsFor(c.sim.writeKubeconfig(path, 'reader-token', 'reader'));
  });

  it('allows what the policy grants and refuses the rest with the API server message', async () => {
    expect((await reader.core.listNamespacedPod({ namespace: 'team-a' })).items.map((p) => p.metadata?.name)).toEqual(['visible']);
    await reader.core.createNamespacedConfigMap({ namespace: 'team-a', body: { metadata: { name: 'ok' } } });
    const create = await apiError(reader.core.createNamespacedPod({ namespace: 'team-a', body: podBody('nope') }));
    expect(create.code).toBe(403);
    expect(create.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403, details: { kind: 'pods' } });
    expect(create.body.message).toBe('pods is forbidden: User "reader" cannot create resource "pods" in API group "" in the namespace "team-a"');
    const other = await apiError(reader.core.readNamespacedPod({ namespace: 'default', name: 'x' }));
    expect(other.body.message).toBe('pods "x" is forbidden: User "reader" cannot get resource "pods" in API group "" in the namespace "default"');
    const nodes = await apiError(reader.core.listNode());
    expect(nodes.body.message).toBe('nodes is forbidden: User "reader" cannot list resource "nodes" in API group "" at the cluster scope');
    const deploy = await apiError(reader.apps.listNamespacedDeployment({ namespace: 'team-a' }));
    expect(deploy.body.message).toBe('deployments.apps is forbidden: User "reader" cannot list resource "deployments" in API group "apps" in the namespace "team-a"');
  });

  it('answers SelfSubjectAccessReview from the same policy', async () => {
    const review = async (verb: string, resource: string, namespace: string, subresource?: string) => (await reader.authz.createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: { verb, resource, namespace, ...(subresource ? { subresource } : {}) } } },
    })).status?.allowed;
    expect(await review('list', 'pods', 'team-a')).toBe(true);
    expect(await review('get', 'pods', 'team-a', 'log')).toBe(true);
    expect(await review('delete', 'pods', 'team-a')).toBe(false);
    expect(await review('list', 'pods', 'default')).toBe(false);
  });

  it('rejects a missing or unknown token with 401 Unauthorized', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kube-sim-rbac-')), 'kubeconfig');
    const bad = clientsFor(c.sim.writeKubeconfig(path, 'wrong-token', 'nobody'));
    const r = await apiError(bad.core.listNamespacedPod({ namespace: 'default' }));
    expect(r.code).toBe(401);
    // client-node drops 401 bodies; read the raw response for the Status.
    const raw = await fetch(`${c.sim.url}/api/v1/namespaces/default/pods`);
    expect(raw.status).toBe(401);
    expect(await raw.json()).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401, message: 'Unauthorized' });
  });
});
