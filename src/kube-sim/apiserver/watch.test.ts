import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeInformer, PatchStrategy, setHeaderOptions, Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { podBody, startWithClients, type SimClients } from '../../../test/support/kube-sim/clients.js';

let c: SimClients;
beforeAll(async () => { c = await startWithClients({ bookmarkIntervalMs: 100, tls: false }); });
afterAll(async () => { await c?.sim.stop(); });

interface Seen { type: string; name: string | undefined; rv: string | undefined; obj: Record<string, unknown> }

/** Watch until `n` events arrived (or the server ended the stream). */
async function collect(kc: KubeConfig, path: string, params: Record<string, string | number | boolean>, n: number, during?: () => Promise<void>): Promise<{ events: Seen[]; ended: boolean }> {
  const events: Seen[] = [];
  let ended = false;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => { finish = resolve; });
  const ctrl = await new Watch(kc).watch(path, params, (type, obj: { metadata?: { name?: string; resourceVersion?: string } }) => {
    events.push({ type, name: obj.metadata?.name, rv: obj.metadata?.resourceVersion, obj: obj as Record<string, unknown> });
    if (events.length >= n) finish();
  }, () => { ended = true; finish(); });
  if (during) await during();
  await done;
  ctrl.abort();
  return { events, ended };
}

describe('watch', () => {
  it('resumes from a resourceVersion and delivers ADDED/MODIFIED/DELETED in order', async () => {
    const { core, kc } = c;
    await core.createNamespace({ body: { metadata: { name: 'w1' } } });
    const a = await core.createNamespacedPod({ namespace: 'w1', body: podBody('a') });
    await core.createNamespacedPod({ namespace: 'w1', body: podBody('b') });
    await core.patchNamespacedPod({ namespace: 'w1', name: 'a', body: { metadata: { labels: { x: 'y' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await core.deleteNamespacedPod({ namespace: 'w1', name: 'b' });
    const { events } = await collect(kc, '/api/v1/namespaces/w1/pods', { resourceVersion: a.metadata?.resourceVersion ?? '' }, 3);
    expect(events.map((e) => `${e.type} ${e.name ?? ''}`)).toEqual(['ADDED b', 'MODIFIED a', 'DELETED b']);
    const rvs = events.map((e) => Number(e.rv));
    expect([...rvs].sort((x, y) => x - y)).toEqual(rvs);
  });

  it('starts with the current state, then live events filtered by label selector', async () => {
    const { core, kc } = c;
    await core.createNamespace({ body: { metadata: { name: 'w2' } } });
    await core.createNamespacedPod({ namespace: 'w2', body: podBody('web-0', { labels: { app: 'web' } }) });
    const { events } = await collect(kc, '/api/v1/namespaces/w2/pods', { labelSelector: 'app=web' }, 2, async () => {
      await core.createNamespacedPod({ namespace: 'w2', body: podBody('db-0', { labels: { app: 'db' } }) });
      await core.createNamespacedPod({ namespace: 'w2', body: podBody('web-1', { labels: { app: 'web' } }) });
    });
    expect(events.map((e) => `${e.type} ${e.name ?? ''}`)).toEqual(['ADDED web-0', 'ADDED web-1']);
  });

  it('answers a too-old resourceVersion with an ERROR event carrying 410 Expired', async () => {
    const { core, kc } = c;
    const p = await core.createNamespacedPod({ namespace: 'default', body: podBody('old') });
    await core.deleteNamespacedPod({ namespace: 'default', name: 'old' });
    c.sim.admin.compact();
    const { events, ended } = await collect(kc, '/api/v1/namespaces/default/pods', { resourceVersion: p.metadata?.resourceVersion ?? '' }, 1);
    expect(events[0]?.type).toBe('ERROR');
    expect(events[0]?.obj).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
    expect(String(events[0]?.obj.message)).toMatch(/^too old resource version: \d+ \(\d+\)$/);
    await new Promise((r) => setTimeout(r, 50));
    expect(ended).toBe(true);
  });

  it('sends bookmarks when asked and ends at timeoutSeconds', async () => {
    const { kc } = c;
    const { events, ended } = await collect(kc, '/api/v1/namespaces/kube-public/pods', { allowWatchBookmarks: true, timeoutSeconds: 1 }, 1000);
    expect(ended).toBe(true);
    const bookmarks = events.filter((e) => e.type === 'BOOKMARK');
    expect(bookmarks.length).toBeGreaterThan(0);
    expect(bookmarks[0]?.obj).toMatchObject({ kind: 'Pod', apiVersion: 'v1' });
    expect(Number(bookmarks[0]?.rv)).toBeGreaterThan(0);
  });

  it('drives a client-node informer (list, then watch) through adds, updates and deletes', async () => {
    const { core, kc } = c;
    await core.createNamespace({ body: { metadata: { name: 'inf' } } });
    await core.createNamespacedPod({ namespace: 'inf', body: podBody('pre') });
    const informer = makeInformer<V1Pod>(kc, '/api/v1/namespaces/inf/pods', () => core.listNamespacedPod({ namespace: 'inf' }));
    const log: string[] = [];
    informer.on('add', (p) => log.push(`add ${p.metadata?.name ?? ''}`));
    informer.on('update', (p) => log.push(`update ${p.metadata?.name ?? ''} ${p.status?.phase ?? ''}`));
    informer.on('delete', (p) => log.push(`delete ${p.metadata?.name ?? ''}`));
    await informer.start();
    await core.createNamespacedPod({ namespace: 'inf', body: podBody('live') });
    const cur = await core.readNamespacedPod({ namespace: 'inf', name: 'live' });
    await core.replaceNamespacedPodStatus({ namespace: 'inf', name: 'live', body: { ...cur, status: { phase: 'Running' } } });
    await core.deleteNamespacedPod({ namespace: 'inf', name: 'pre' });
    for (let i = 0; i < 200 && log.length < 4; i++) await new Promise((r) => setTimeout(r, 10));
    await informer.stop();
    expect(log).toEqual(['add pre', 'add live', 'update live Running', 'delete pre']);
  });
});
