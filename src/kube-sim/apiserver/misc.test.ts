import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventsV1Api, Log, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { apiError, podBody, startWithClients, type SimClients } from '../../../test/support/kube-sim/clients.js';

let c: SimClients;
beforeAll(async () => { c = await startWithClients({ tls: false }); });
afterAll(async () => { await c?.sim.stop(); });

const raw = (method: string, path: string, body?: string, contentType = 'application/json') =>
  fetch(`${c.sim.url}${path}`, { method, headers: { authorization: `Bearer ${c.sim.token}`, 'content-type': contentType }, ...(body !== undefined ? { body } : {}) });

describe('pod logs', () => {
  it('serves a registered log source, and follow=true streams until the source ends', async () => {
    await c.core.createNamespacedPod({ namespace: 'default', body: podBody('logger') });
    const live = new PassThrough();
    const off = c.sim.podLogs.register((req) => {
      if (req.pod !== 'logger') return undefined;
      return req.follow ? live : 'line 1\nline 2\nline 3\n';
    });
    expect(await c.core.readNamespacedPodLog({ namespace: 'default', name: 'logger', tailLines: 2 })).toBe('line 2\nline 3\n');

    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => { text += d.toString(); });
    const req = await new Log(c.kc).log('default', 'logger', 'main', out, { follow: true });
    live.write('first\n');
    for (let i = 0; i < 200 && text === ''; i++) await new Promise((r) => setTimeout(r, 10));
    expect(text).toBe('first\n');
    live.write('second\n');
    live.end();
    for (let i = 0; i < 200 && !text.endsWith('second\n'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(text).toBe('first\nsecond\n');
    // The source ended, so the server finished the streamed response (counted on 'finish').
    const finished = () => c.sim.admin.stats().requests.byKey['get pods/log 200'] ?? 0;
    for (let i = 0; i < 200 && finished() < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(finished()).toBe(2);
    req.abort();
    off();

    const noContainer = await apiError(c.core.readNamespacedPodLog({ namespace: 'default', name: 'logger', container: 'nope' }));
    expect(noContainer.body).toMatchObject({ code: 400, reason: 'BadRequest', message: 'container nope is not valid for pod logger' });
  });
});

describe('API details', () => {
  it('generateName, dryRun and delete preconditions', async () => {
    const g = await c.core.createNamespacedPod({ namespace: 'default', body: { metadata: { generateName: 'gen-' }, spec: podBody('x').spec } });
    expect(g.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);
    const dry = await c.core.createNamespacedPod({ namespace: 'default', body: podBody('dry'), dryRun: 'All' });
    expect(dry.metadata?.uid).toBeTruthy();
    expect((await apiError(c.core.readNamespacedPod({ namespace: 'default', name: 'dry' }))).code).toBe(404);
    const pre = await apiError(c.core.deleteNamespacedPod({ namespace: 'default', name: g.metadata?.name ?? '', body: { preconditions: { uid: 'other' } } }));
    expect(pre.body).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(pre.body.message).toContain('Precondition failed: UID in precondition: other');
  });

  it('server-side apply creates, then merges', async () => {
    const apply = (data: Record<string, string>) => c.core.patchNamespacedConfigMap(
      { namespace: 'default', name: 'ssa', fieldManager: 'test', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data } },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    expect((await apply({ a: '1' })).data).toEqual({ a: '1' });
    expect((await apply({ b: '2' })).data).toEqual({ a: '1', b: '2' });
  });

  it('decodes against the schema: unknown fields warned and dropped, refused when Strict, wrong types refused', async () => {
    const body = JSON.stringify({ metadata: { name: 'typo' }, spec: { containers: [{ name: 'c', image: 'busybox', imagee: 'x' }], bogus: true } });
    const warned = await raw('POST', '/api/v1/namespaces/default/pods', body);
    expect(warned.status).toBe(201);
    expect(warned.headers.get('warning')).toBe('299 - "unknown field \\"spec.containers[0].imagee\\"", 299 - "unknown field \\"spec.bogus\\""');
    const stored = await c.core.readNamespacedPod({ namespace: 'default', name: 'typo' });
    expect(stored.spec?.containers[0]).not.toHaveProperty('imagee');
    const strict = await raw('POST', '/api/v1/namespaces/default/pods?fieldValidation=Strict', body.replace('"typo"', '"typo2"'));
    expect(await strict.json()).toMatchObject({ code: 400, reason: 'BadRequest', message: 'strict decoding error: unknown field "spec.containers[0].imagee", unknown field "spec.bogus"' });
    const wrongType = await raw('POST', '/api/v1/namespaces/default/pods', JSON.stringify({ metadata: { name: 't3' }, spec: { activeDeadlineSeconds: 'soon', containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: 1 } } }] } }));
    expect(await wrongType.json()).toMatchObject({ code: 400, message: 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64' });
  });

  it('answers wrong methods, media types and bodies like the API server', async () => {
    const wrongMethod = await raw('PUT', '/api/v1/namespaces/default/pods', '{}');
    expect(wrongMethod.status).toBe(405);
    expect(await wrongMethod.json()).toMatchObject({ kind: 'Status', reason: 'MethodNotAllowed', code: 405 });
    const badMedia = await raw('PATCH', '/api/v1/namespaces/default/pods/x', '{}', 'text/plain');
    expect(badMedia.status).toBe(415);
    const badJson = await raw('POST', '/api/v1/namespaces/default/pods', '{not json');
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ reason: 'BadRequest', code: 400 });
    const wrongKind = await raw('POST', '/api/v1/namespaces/default/pods', JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } }));
    expect(await wrongKind.json()).toMatchObject({ code: 400, message: 'the API version in the data (apps/v1) does not match the expected API version (v1)' });
    const unknown = await raw('GET', '/api/v1/widgets');
    expect(unknown.status).toBe(404);
    const badField = await apiError(c.core.listNamespacedPod({ namespace: 'default', fieldSelector: 'spec.bogus=1' }));
    expect(badField.body).toMatchObject({ code: 400, message: 'field label not supported: spec.bogus' });
  });

  it('serves discovery, version and health', async () => {
    const api = (await (await raw('GET', '/api/v1')).json()) as { resources: { name: string }[] };
    expect(api.resources.map((r) => r.name)).toEqual(expect.arrayContaining(['pods', 'pods/log', 'pods/status', 'namespaces', 'nodes', 'resourcequotas', 'serviceaccounts']));
    const groups = (await (await raw('GET', '/apis')).json()) as { groups: { name: string }[] };
    expect(groups.groups.map((g) => g.name).sort()).toEqual(['apps', 'authorization.k8s.io', 'autoscaling', 'events.k8s.io', 'networking.k8s.io']);
    expect((await (await fetch(`${c.sim.url}/version`)).json())).toMatchObject({ major: '1' });
    for (const p of ['/livez', '/readyz', '/healthz']) expect(await (await fetch(`${c.sim.url}${p}`)).text()).toBe('ok');
  });

  it('stores events.k8s.io/v1 events and patches node status', async () => {
    const events = c.kc.makeApiClient(EventsV1Api);
    await events.createNamespacedEvent({ namespace: 'default', body: {
      metadata: { name: 'e1' }, eventTime: new Date(), reason: 'Scheduled', note: 'assigned', type: 'Normal', action: 'Binding',
      reportingController: 'kube-sim', reportingInstance: 'kube-sim-1', regarding: { kind: 'Pod', name: 'x', namespace: 'default' },
    } });
    expect((await events.listNamespacedEvent({ namespace: 'default' })).items.map((e) => e.reason)).toEqual(['Scheduled']);
    await c.core.createNode({ body: { metadata: { name: 'n1' } } });
    const n = await c.core.patchNodeStatus({ name: 'n1', body: { status: { allocatable: { cpu: '4' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(n.status?.allocatable?.cpu).toBe('4');
  });
});
