import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import { apiError, podBody, startWithClients, type SimClients } from '../../../test/support/kube-sim/clients.js';

let c: SimClients;
beforeAll(async () => { c = await startWithClients(); });
afterAll(async () => { await c?.sim.stop(); });

describe('kube-sim API through @kubernetes/client-node', () => {
  it('creates, gets, lists, updates, patches and deletes a pod', async () => {
    const { core } = c;
    const created = await core.createNamespacedPod({ namespace: 'default', body: podBody('round-trip', { labels: { app: 'rt' } }) });
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.status?.phase).toBe('Pending');
    expect(created.kind).toBe('Pod');

    const got = await core.readNamespacedPod({ namespace: 'default', name: 'round-trip' });
    expect(got.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);

    const list = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=rt' });
    expect(list.items.map((p) => p.metadata?.name)).toEqual(['round-trip']);
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThanOrEqual(Number(created.metadata?.resourceVersion));

    got.metadata = { ...got.metadata, labels: { app: 'rt', tier: 'x' } };
    const updated = await core.replaceNamespacedPod({ namespace: 'default', name: 'round-trip', body: got });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(got.metadata.resourceVersion));

    const patched = await core.patchNamespacedPod(
      { namespace: 'default', name: 'round-trip', body: { metadata: { annotations: { note: 'hi' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.metadata?.annotations?.note).toBe('hi');
    const sp = await core.patchNamespacedPod(
      { namespace: 'default', name: 'round-trip', body: { spec: { containers: [{ name: 'main', image: 'busybox:1.37' }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(sp.spec?.containers.map((x) => x.image)).toEqual(['busybox:1.37']);
    const jp = await core.patchNamespacedPod(
      { namespace: 'default', name: 'round-trip', body: [{ op: 'replace', path: '/metadata/labels/tier', value: 'y' }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect(jp.metadata?.labels?.tier).toBe('y');

    const status = await core.replaceNamespacedPodStatus({ namespace: 'default', name: 'round-trip', body: { ...jp, status: { phase: 'Running' } } });
    expect(status.status?.phase).toBe('Running');

    await core.deleteNamespacedPod({ namespace: 'default', name: 'round-trip' });
    expect((await apiError(core.readNamespacedPod({ namespace: 'default', name: 'round-trip' }))).code).toBe(404);
  });

  it('returns Kubernetes Status bodies: 409 AlreadyExists, 404 NotFound, 409 Conflict, 422 Invalid', async () => {
    const { core } = c;
    await core.createNamespacedPod({ namespace: 'default', body: podBody('dup') });
    const dup = await apiError(core.createNamespacedPod({ namespace: 'default', body: podBody('dup') }));
    expect(dup.code).toBe(409);
    expect(dup.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'AlreadyExists', code: 409, message: 'pods "dup" already exists', details: { name: 'dup', kind: 'pods' } });

    const nf = await apiError(core.readNamespacedPod({ namespace: 'default', name: 'nope' }));
    expect(nf.body).toMatchObject({ reason: 'NotFound', code: 404, message: 'pods "nope" not found' });

    const stale = await core.readNamespacedPod({ namespace: 'default', name: 'dup' });
    await core.patchNamespacedPod({ namespace: 'default', name: 'dup', body: { metadata: { labels: { v: '2' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    const conflict = await apiError(core.replaceNamespacedPod({ namespace: 'default', name: 'dup', body: stale }));
    expect(conflict.body).toMatchObject({ reason: 'Conflict', code: 409 });
    expect(conflict.body.message).toBe('Operation cannot be fulfilled on pods "dup": the object has been modified; please apply your changes to the latest version and try again');

    const invalid = await apiError(core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'Bad_Name' }, spec: { containers: [{ name: 'main' } as never] } } }));
    expect(invalid.code).toBe(422);
    expect(invalid.body.reason).toBe('Invalid');
    expect(invalid.body.details?.causes).toEqual(expect.arrayContaining([
      expect.objectContaining({ field: 'spec.containers[0].image', message: 'Required value', reason: 'FieldValueRequired' }),
      expect.objectContaining({ field: 'metadata.name', reason: 'FieldValueInvalid' }),
    ]));
    expect(invalid.body.message).toMatch(/^Pod "Bad_Name" is invalid: \[metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);

    const depInvalid = await apiError(c.apps.createNamespacedDeployment({ namespace: 'default', body: {
      metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'b' } }, spec: { containers: [{ name: 'x', image: 'y' }] } } },
    } }));
    expect(depInvalid.body.message).toContain('Deployment.apps "d" is invalid: spec.template.metadata.labels');

    const badSelector = await apiError(core.listNamespacedPod({ namespace: 'default', labelSelector: 'app in (a' }));
    expect(badSelector.body).toMatchObject({ code: 400, reason: 'BadRequest' });
  });

  it('filters by label and field selectors and pages with limit/continue', async () => {
    const { core } = c;
    await core.createNamespace({ body: { metadata: { name: 'paging' } } });
    for (let i = 0; i < 7; i++) {
      await core.createNamespacedPod({ namespace: 'paging', body: podBody(`p-${i}`, { labels: { idx: String(i), parity: i % 2 ? 'odd' : 'even' } }) });
    }
    const odd = await core.listNamespacedPod({ namespace: 'paging', labelSelector: 'parity=odd,idx!=3' });
    expect(odd.items.map((p) => p.metadata?.name)).toEqual(['p-1', 'p-5']);
    const inSel = await core.listNamespacedPod({ namespace: 'paging', labelSelector: 'idx in (0,6),parity' });
    expect(inSel.items).toHaveLength(2);
    const byName = await core.listPodForAllNamespaces({ fieldSelector: 'metadata.namespace=paging,metadata.name=p-4' });
    expect(byName.items.map((p) => p.metadata?.name)).toEqual(['p-4']);
    const pending = await core.listNamespacedPod({ namespace: 'paging', fieldSelector: 'status.phase=Pending,spec.nodeName=' });
    expect(pending.items).toHaveLength(7);

    const seen: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const page = await core.listNamespacedPod({ namespace: 'paging', limit: 3, ...(cont ? { _continue: cont } : {}) });
      seen.push(...page.items.map((p) => p.metadata?.name ?? ''));
      cont = page.metadata?._continue;
      pages++;
    } while (cont);
    expect(pages).toBe(3);
    expect(seen).toEqual(['p-0', 'p-1', 'p-2', 'p-3', 'p-4', 'p-5', 'p-6']);

    const first = await core.listNamespacedPod({ namespace: 'paging', limit: 2 });
    await core.createNamespacedPod({ namespace: 'paging', body: podBody('late') });
    c.sim.admin.compact();
    const expired = await apiError(core.listNamespacedPod({ namespace: 'paging', limit: 2, _continue: first.metadata?._continue ?? '' }));
    expect(expired.body).toMatchObject({ code: 410, reason: 'Expired' });
  });

  it('scales a deployment through the scale subresource and serves other kinds', async () => {
    const { apps, core, networking, autoscaling } = c;
    await apps.createNamespacedDeployment({ namespace: 'default', body: {
      metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'w', image: 'nginx:1' }] } } },
    } });
    const scale = await apps.replaceNamespacedDeploymentScale({ namespace: 'default', name: 'web', body: { metadata: { name: 'web' }, spec: { replicas: 4 } } });
    expect(scale.spec?.replicas).toBe(4);
    const d = await apps.readNamespacedDeployment({ namespace: 'default', name: 'web' });
    expect(d.spec?.replicas).toBe(4);
    expect(d.metadata?.generation).toBe(2);

    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cfg' }, data: { a: '1' } } });
    await core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 's' }, data: { k: Buffer.from('v').toString('base64') } } });
    await networking.createNamespacedNetworkPolicy({ namespace: 'default', body: { metadata: { name: 'deny' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } } });
    await autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace: 'default', body: {
      metadata: { name: 'web' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5 },
    } });
    expect((await networking.listNamespacedNetworkPolicy({ namespace: 'default' })).items).toHaveLength(1);
    expect((await autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace: 'default', name: 'web' })).spec?.maxReplicas).toBe(5);
    const del = await core.deleteCollectionNamespacedConfigMap({ namespace: 'default' });
    expect(del).toBeTruthy();
    expect((await core.listNamespacedConfigMap({ namespace: 'default' })).items).toHaveLength(0);
  });

  it('serves HTTPS with the kubeconfig CA, including watch streams', async () => {
    expect(c.sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const names: string[] = [];
    let stop: () => void = () => {};
    const got = new Promise<void>((resolve) => { stop = resolve; });
    const ctrl = await new Watch(c.kc).watch('/api/v1/namespaces/kube-system/configmaps', {}, (type, obj: { metadata?: { name?: string } }) => {
      names.push(`${type} ${obj.metadata?.name ?? ''}`);
      stop();
    }, () => stop());
    await c.core.createNamespacedConfigMap({ namespace: 'kube-system', body: { metadata: { name: 'tls-watch' } } });
    await got;
    ctrl.abort();
    expect(names).toEqual(['ADDED tls-watch']);
  });
});
