import { describe, expect, it } from 'vitest';
import { ObjectStore, R, StatusError, type StoreEvent } from './index.js';

const ns = (name: string) => ({ metadata: { name } });
const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  metadata: { name, namespace: 'a', labels: { app: name.startsWith('web') ? 'web' : 'db' } },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
  ...extra,
});

function fresh(historySize?: number): ObjectStore {
  const s = new ObjectStore(historySize !== undefined ? { historySize } : {});
  s.create(R.namespaces, ns('a'));
  return s;
}

const code = (fn: () => unknown): string => {
  try { fn(); } catch (e) { if (e instanceof StatusError) return `${e.code} ${e.reason}`; throw e; }
  return 'ok';
};

describe('ObjectStore', () => {
  it('creates with metadata, versions monotonically and refuses duplicates', () => {
    const s = fresh();
    const p = s.create(R.pods, pod('web-1'));
    expect(p.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(p.metadata.resourceVersion)).toBeGreaterThan(1);
    expect(p.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
    expect(code(() => s.create(R.pods, pod('web-1')))).toBe('409 AlreadyExists');
    expect(code(() => s.create(R.pods, { ...pod('x'), metadata: { name: 'x', namespace: 'nope' } }))).toBe('404 NotFound');
    const g = s.create(R.pods, { ...pod(''), metadata: { generateName: 'job-', namespace: 'a' } });
    expect(g.metadata.name).toMatch(/^job-[a-z0-9]{5}$/);
    expect(Object.isFrozen(g.metadata)).toBe(true);
  });

  it('update checks resourceVersion, keeps status, bumps generation on spec change', () => {
    const s = fresh();
    const d = s.create(R.deployments, { metadata: { name: 'd', namespace: 'a' }, spec: { replicas: 1, template: { spec: { containers: [] } } } });
    const edited = structuredClone(d);
    (edited.spec as { replicas: number }).replicas = 3;
    edited.status = { replicas: 99 };
    const u = s.update(R.deployments, edited);
    expect(u.metadata.generation).toBe(2);
    expect(u.status).toEqual({});
    expect(code(() => s.update(R.deployments, edited))).toBe('409 Conflict');
    const st = s.update(R.deployments, { ...structuredClone(u), status: { replicas: 3 } }, { subresource: 'status' });
    expect(st.status).toEqual({ replicas: 3 });
    expect(st.metadata.generation).toBe(2);
  });

  it('lists with selectors and pages with continue; an expired continue is 410', () => {
    const s = fresh(3);
    for (const n of ['web-1', 'web-2', 'db-1', 'web-3']) s.create(R.pods, pod(n));
    expect(s.list(R.pods, 'a', { labelSelector: 'app=web' }).items.map((p) => p.metadata.name)).toEqual(['web-1', 'web-2', 'web-3']);
    expect(s.list(R.pods, 'a', { labelSelector: 'app notin (web)' }).items).toHaveLength(1);
    expect(s.list(R.pods, 'a', { labelSelector: 'app==db' }).items).toHaveLength(1);
    expect(s.list(R.pods, 'a', { labelSelector: '!app' }).items).toHaveLength(0);
    expect(s.list(R.pods, 'a', { labelSelector: 'app,!tier' }).items).toHaveLength(4);
    expect(s.list(R.pods, undefined, { fieldSelector: 'metadata.name!=db-1' }).items).toHaveLength(3);
    expect(code(() => s.list(R.pods, 'a', { labelSelector: 'app in (web' }))).toBe('400 BadRequest');
    const page1 = s.list(R.pods, 'a', { limit: 3 });
    expect(page1.items.map((p) => p.metadata.name)).toEqual(['db-1', 'web-1', 'web-2']);
    expect(page1.remainingItemCount).toBe(1);
    const page2 = s.list(R.pods, 'a', { limit: 3, continue: page1.continue ?? '' });
    expect(page2.items.map((p) => p.metadata.name)).toEqual(['web-3']);
    expect(page2.continue).toBeUndefined();
    for (let i = 0; i < 5; i++) s.create(R.pods, pod(`x-${i}`));
    expect(code(() => s.list(R.pods, 'a', { limit: 3, continue: page1.continue ?? '' }))).toBe('410 Expired');
  });

  it('watches from a resourceVersion with selector transitions, and 410 when compacted', async () => {
    const s = fresh();
    const p = s.create(R.pods, pod('web-1'));
    const w = s.watch(R.pods, 'a', { resourceVersion: p.metadata.resourceVersion, labelSelector: 'app=web' });
    s.create(R.pods, pod('db-1'));
    s.patch(R.pods, 'a', 'web-1', 'merge', { metadata: { labels: { app: 'db' } } });
    s.create(R.pods, pod('web-2'));
    const got: string[] = [];
    for (let i = 0; i < 2; i++) { const ev = (await w.next()) as StoreEvent; got.push(`${ev.type} ${ev.object.metadata.name ?? ''}`); }
    w.close();
    expect(got).toEqual(['DELETED web-1', 'ADDED web-2']);
    s.compact();
    expect(code(() => s.watch(R.pods, 'a', { resourceVersion: p.metadata.resourceVersion }))).toBe('410 Expired');
  });

  it('deletes scheduled pods gracefully, cascades to dependants and empties namespaces', async () => {
    const s = fresh();
    const p = s.create(R.pods, pod('web-1', { spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } }));
    const r = s.delete(R.pods, 'a', 'web-1');
    expect(r.removed).toBe(false);
    expect(r.object.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(s.delete(R.pods, 'a', 'web-1', { gracePeriodSeconds: 0 }).removed).toBe(true);
    expect(s.get(R.pods, 'a', p.metadata.name)).toBeUndefined();

    const rs = s.create(R.replicasets, { metadata: { name: 'rs', namespace: 'a' }, spec: { template: { spec: { containers: [] } } } });
    const owner = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: rs.metadata.uid, controller: true }];
    s.create(R.pods, { ...pod('web-2'), metadata: { name: 'web-2', namespace: 'a', ownerReferences: owner } });
    s.delete(R.replicasets, 'a', 'rs');
    await new Promise((res) => setImmediate(res));
    expect(s.get(R.pods, 'a', 'web-2')).toBeUndefined();

    s.create(R.configmaps, { metadata: { name: 'cm', namespace: 'a' }, data: {} });
    expect(s.delete(R.namespaces, undefined, 'a').object.status).toEqual({ phase: 'Terminating' });
    expect(code(() => s.create(R.configmaps, { metadata: { name: 'cm2', namespace: 'a' } }))).toBe('403 Forbidden');
    await new Promise((res) => setImmediate(res));
    await new Promise((res) => setImmediate(res));
    expect(s.get(R.configmaps, 'a', 'cm')).toBeUndefined();
    expect(s.get(R.namespaces, undefined, 'a')).toBeUndefined();
  });

  it('patches with strategic merge (containers by name) and JSON patch', () => {
    const s = fresh();
    s.create(R.pods, { ...pod('p'), spec: { containers: [{ name: 'a', image: 'x:1' }, { name: 'b', image: 'y:1' }] } });
    const sm = s.patch(R.pods, 'a', 'p', 'strategic', { spec: { containers: [{ name: 'b', image: 'y:2' }] } });
    expect((sm.spec as { containers: { name: string; image: string }[] }).containers.map((c) => c.image)).toEqual(['x:1', 'y:2']);
    const jp = s.patch(R.pods, 'a', 'p', 'json', [{ op: 'add', path: '/metadata/labels/extra', value: 'yes' }]);
    expect(jp.metadata.labels?.extra).toBe('yes');
  });

  it('foreground deletion removes dependants first, through two levels', async () => {
    const s = fresh();
    const tick = () => new Promise((res) => setImmediate(res));
    const d = s.create(R.deployments, { metadata: { name: 'd', namespace: 'a' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } });
    const rs = s.create(R.replicasets, { metadata: { name: 'rs', namespace: 'a', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: d.metadata.uid, controller: true }] }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } });
    s.create(R.pods, { ...pod('p'), metadata: { name: 'p', namespace: 'a', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: rs.metadata.uid, controller: true }] } });
    const order: string[] = [];
    s.onAnyChange((ev) => { if (ev.type === 'DELETED') order.push(ev.object.metadata.name ?? ''); });
    const r = s.delete(R.deployments, 'a', 'd', { propagationPolicy: 'Foreground' });
    expect(r.removed).toBe(false);
    expect(r.object.metadata.finalizers).toEqual(['foregroundDeletion']);
    for (let i = 0; i < 10; i++) await tick();
    expect(order).toEqual(['p', 'rs', 'd']);
  });
});
