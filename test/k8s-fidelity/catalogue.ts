// The catalogue of requests the differential suite sends, in order, to kube-sim and to the real
// kube-apiserver. Each case returns the answer plus what of it clients rely on (`view`): the
// status code and, for errors, the Status reason, details.kind/name and causes (field, reason);
// for successes the fields named by the case. Messages are not compared (they name users, UIDs).
import type { RemoteApi } from '../../src/kube-sim/remote/api.js';

export interface Target {
  admin: RemoteApi;
  /** A user with deploy/'s rights only (no access outside hodei-jobs-workers). */
  limited: RemoteApi;
  ns: string;
  /** Values earlier cases remembered (resourceVersions, uids, continue tokens). */
  memo: Record<string, string>;
}

interface Answer { code: number; body: unknown }
export interface Case { name: string; run: (t: Target) => Promise<Answer>; pick?: (body: Json) => unknown }
type Json = Record<string, unknown> & { metadata?: Record<string, unknown>; items?: Json[]; status?: unknown; kind?: string };

const cm = (name: string, labels: Record<string, string> = {}, data: Record<string, string> = { a: '1' }) =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data });
const cms = (t: Target) => `/api/v1/namespaces/${t.ns}/configmaps`;
const names = (b: Json) => (b.items ?? []).map((i) => i.metadata?.name);
const MERGE = 'application/merge-patch+json';
const restricted = { allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 1000, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: 'no-such-node', restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['true'], securityContext: restricted }] } });

/** Error view: what clients branch on. */
export function statusView(a: Answer): unknown {
  const b = (a.body ?? {}) as { kind?: string; reason?: string; details?: { kind?: string; name?: string; group?: string; causes?: { field?: string; reason?: string }[] } };
  const causes = (b.details?.causes ?? []).map((c) => `${c.field ?? ''}:${c.reason ?? ''}`).sort();
  return { code: a.code, kind: b.kind, reason: b.reason, details: { kind: b.details?.kind, name: b.details?.name, group: b.details?.group ?? '' }, causes };
}

export const CATALOGUE: Case[] = [
  { name: 'create ConfigMap', run: async (t) => { const r = await t.admin.request<Json>('POST', cms(t), cm('one', { app: 'x', tier: 'a' })); t.memo.uid = String(r.body.metadata?.uid); t.memo.rv = String(r.body.metadata?.resourceVersion); return r; }, pick: (b) => [b.kind, b.apiVersion, b.metadata?.name, b.metadata?.namespace, typeof b.metadata?.uid, typeof b.metadata?.resourceVersion, typeof b.metadata?.creationTimestamp] },
  { name: 'create 2 more ConfigMaps', run: async (t) => { await t.admin.request('POST', cms(t), cm('two', { app: 'x', tier: 'b' })); return t.admin.request('POST', cms(t), cm('three', { app: 'y' })); }, pick: (b) => b.metadata?.name },
  { name: 'create existing → 409 AlreadyExists', run: (t) => t.admin.request('POST', cms(t), cm('one')) },
  { name: 'get missing → 404 NotFound', run: (t) => t.admin.request('GET', `${cms(t)}/missing`) },
  { name: 'create invalid name → 422 Invalid', run: (t) => t.admin.request('POST', cms(t), cm('Bad_Name')) },
  { name: 'create pod without containers → 422', run: (t) => t.admin.request('POST', `/api/v1/namespaces/${t.ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'empty' }, spec: { containers: [] } }) },
  { name: 'create in a missing namespace → 404', run: (t) => t.admin.request('POST', '/api/v1/namespaces/no-such-ns/configmaps', cm('x')) },
  { name: 'create with generateName', run: (t) => t.admin.request('POST', cms(t), { ...cm(''), metadata: { generateName: 'gen-' } }), pick: (b) => /^gen-[a-z0-9]{5}$/.test(String(b.metadata?.name)) },
  { name: 'list by label selector', run: (t) => t.admin.request('GET', `${cms(t)}?labelSelector=app%3Dx`), pick: (b) => [b.kind, names(b)] },
  { name: 'list by set-based selector', run: (t) => t.admin.request('GET', `${cms(t)}?labelSelector=tier%20in%20(b)`), pick: (b) => names(b) },
  { name: 'list with a bad selector → 400', run: (t) => t.admin.request('GET', `${cms(t)}?labelSelector=a%20in%20(`) },
  { name: 'list by field selector metadata.name', run: (t) => t.admin.request('GET', `${cms(t)}?fieldSelector=metadata.name%3Dtwo`), pick: (b) => names(b) },
  { name: 'list by an unsupported field → 400', run: (t) => t.admin.request('GET', `${cms(t)}?fieldSelector=data.a%3D1`) },
  { name: 'list limit=2', run: async (t) => { const r = await t.admin.request<Json>('GET', `${cms(t)}?labelSelector=app&limit=2`); t.memo.continue = String(r.body.metadata?.continue ?? ''); return r; }, pick: (b) => [names(b), typeof b.metadata?.continue, b.metadata?.remainingItemCount] },
  { name: 'list continue', run: (t) => t.admin.request('GET', `${cms(t)}?labelSelector=app&limit=2&continue=${encodeURIComponent(t.memo.continue ?? '')}`), pick: (b) => [names(b), b.metadata?.continue ?? ''] },
  { name: 'list with a garbage continue → 400', run: (t) => t.admin.request('GET', `${cms(t)}?limit=2&continue=garbage`) },
  { name: 'merge patch', run: (t) => t.admin.request('PATCH', `${cms(t)}/one`, { data: { b: '2' } }, MERGE), pick: (b) => b.data },
  { name: 'JSON patch', run: (t) => t.admin.request('PATCH', `${cms(t)}/one`, [{ op: 'remove', path: '/data/a' }], 'application/json-patch+json'), pick: (b) => b.data },
  { name: 'JSON patch test op fails → 422', run: (t) => t.admin.request('PATCH', `${cms(t)}/one`, [{ op: 'test', path: '/data/b', value: 'nope' }], 'application/json-patch+json') },
  { name: 'strategic merge patch', run: (t) => t.admin.request('PATCH', `${cms(t)}/one`, { metadata: { labels: { tier: null } } }, 'application/strategic-merge-patch+json'), pick: (b) => b.metadata?.labels },
  { name: 'patch with an unknown content type → 415', run: (t) => t.admin.request('PATCH', `${cms(t)}/one`, { data: {} }, 'application/x-nope') },
  { name: 'patch a missing object → 404', run: (t) => t.admin.request('PATCH', `${cms(t)}/missing`, { data: {} }, MERGE) },
  { name: 'update with a stale resourceVersion → 409 Conflict', run: (t) => t.admin.request('PUT', `${cms(t)}/one`, { ...cm('one'), metadata: { name: 'one', resourceVersion: t.memo.rv } }) },
  { name: 'update with a changed name → 400', run: (t) => t.admin.request('PUT', `${cms(t)}/one`, cm('other')) },
  { name: 'delete with a wrong uid precondition → 409', run: (t) => t.admin.request('DELETE', `${cms(t)}/one`, { preconditions: { uid: '00000000-0000-0000-0000-000000000000' } }) },
  { name: 'delete with the right uid precondition', run: (t) => t.admin.request('DELETE', `${cms(t)}/one`, { preconditions: { uid: t.memo.uid } }), pick: (b) => [b.kind, b.metadata?.name] },
  { name: 'get deleted → 404', run: (t) => t.admin.request('GET', `${cms(t)}/one`) },
  { name: 'delete missing → 404', run: (t) => t.admin.request('DELETE', `${cms(t)}/one`) },
  { name: 'create pod (bound to a missing node)', run: (t) => t.admin.request('POST', `/api/v1/namespaces/${t.ns}/pods`, pod('p1')), pick: (b) => [b.kind, (b.status as { phase?: string } | undefined)?.phase, (b.status as { qosClass?: string } | undefined)?.qosClass] },
  { name: 'pod status subresource: merge patch', run: (t) => t.admin.request('PATCH', `/api/v1/namespaces/${t.ns}/pods/p1/status`, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, MERGE), pick: (b) => (b.status as { phase?: string }).phase },
  { name: 'pod status subresource: get', run: (t) => t.admin.request('GET', `/api/v1/namespaces/${t.ns}/pods/p1/status`), pick: (b) => [b.kind, (b.status as { phase?: string }).phase] },
  { name: 'pod spec change → 422 (immutable)', run: (t) => t.admin.request('PATCH', `/api/v1/namespaces/${t.ns}/pods/p1`, { spec: { restartPolicy: 'Always' } }, MERGE) },
  { name: 'core/v1 Event create', run: (t) => t.admin.request('POST', `/api/v1/namespaces/${t.ns}/events`, { metadata: { name: 'p1.1' }, involvedObject: { kind: 'Pod', name: 'p1', namespace: t.ns }, reason: 'Tested', message: 'hello', type: 'Normal', source: { component: 'fidelity' } }), pick: (b) => [b.kind, b.reason, b.count ?? null] },
  { name: 'Events by involvedObject.name', run: (t) => t.admin.request('GET', `/api/v1/namespaces/${t.ns}/events?fieldSelector=involvedObject.name%3Dp1`), pick: (b) => (b.items ?? []).map((e) => e.reason) },
  { name: 'events.k8s.io/v1 Event create', run: (t) => t.admin.request('POST', `/apis/events.k8s.io/v1/namespaces/${t.ns}/events`, { metadata: { name: 'p1.2' }, eventTime: new Date().toISOString().replace('Z', '000Z'), reportingController: 'hodei.io/fidelity', reportingInstance: 'x', action: 'Test', reason: 'Tested', regarding: { kind: 'Pod', name: 'p1', namespace: t.ns }, type: 'Normal', note: 'hi' }), pick: (b) => [b.kind, b.reason] },
  { name: 'events.k8s.io/v1 Event without eventTime → 422', run: (t) => t.admin.request('POST', `/apis/events.k8s.io/v1/namespaces/${t.ns}/events`, { metadata: { name: 'p1.3' }, reportingController: 'hodei.io/fidelity', reportingInstance: 'x', action: 'Test', reason: 'Tested', regarding: { kind: 'Pod', name: 'p1', namespace: t.ns }, type: 'Normal' }) },
  { name: 'delete pod (graceful: bound, so it stays terminating)', run: (t) => t.admin.request('DELETE', `/api/v1/namespaces/${t.ns}/pods/p1`), pick: (b) => [b.kind, typeof b.metadata?.deletionTimestamp, b.metadata?.deletionGracePeriodSeconds] },
  { name: 'Deployment create', run: (t) => t.admin.request('POST', `/apis/apps/v1/namespaces/${t.ns}/deployments`, { metadata: { name: 'd1' }, spec: { replicas: 0, selector: { matchLabels: { app: 'd1' } }, template: { metadata: { labels: { app: 'd1' } }, spec: { containers: [{ name: 'c', image: 'busybox', securityContext: restricted }] } } } }), pick: (b) => [b.kind, b.metadata?.generation] },
  { name: 'Deployment with a selector not matching the template → 422', run: (t) => t.admin.request('POST', `/apis/apps/v1/namespaces/${t.ns}/deployments`, { metadata: { name: 'd2' }, spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'y' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } }) },
  { name: 'Deployment scale subresource', run: (t) => t.admin.request('GET', `/apis/apps/v1/namespaces/${t.ns}/deployments/d1/scale`), pick: (b) => [b.kind, b.apiVersion, (b.spec as { replicas?: number }).replicas] },
  { name: 'delete Deployment with propagationPolicy=Foreground', run: (t) => t.admin.request('DELETE', `/apis/apps/v1/namespaces/${t.ns}/deployments/d1`, { propagationPolicy: 'Foreground' }), pick: (b) => [b.kind, (b.metadata?.finalizers as string[] | undefined) ?? []] },
  { name: 'delete with an invalid propagationPolicy → 400', run: (t) => t.admin.request('DELETE', `${cms(t)}/two`, { propagationPolicy: 'Sideways' }) },
  { name: 'SelfSubjectAccessReview (allowed)', run: (t) => t.limited.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { spec: { resourceAttributes: { namespace: 'hodei-jobs-workers', verb: 'create', resource: 'pods' } } }), pick: (b) => [b.kind, (b.status as { allowed?: boolean }).allowed] },
  { name: 'SelfSubjectAccessReview (denied)', run: (t) => t.limited.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { spec: { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' } } }), pick: (b) => [b.kind, (b.status as { allowed?: boolean }).allowed] },
  // Secrets: deploy/ grants them in the worker namespace only (pods may be listed cluster-wide).
  { name: 'forbidden list → 403', run: (t) => t.limited.request('GET', '/api/v1/namespaces/default/secrets') },
  { name: 'unknown resource → 404', run: (t) => t.admin.request('GET', `/api/v1/namespaces/${t.ns}/widgets`) },
  { name: 'ResourceQuota: create over an object-count quota → 403 exceeded quota', run: async (t) => {
    const ns = `${t.ns}-quota`;
    await t.admin.request('POST', '/api/v1/namespaces', { metadata: { name: ns } });
    // Secrets, not ConfigMaps: a real namespace gets the kube-root-ca.crt ConfigMap from a
    // controller (kube-sim has no such publisher), which would already count against the quota.
    await t.admin.request('POST', `/api/v1/namespaces/${ns}/resourcequotas`, { metadata: { name: 'q' }, spec: { hard: { secrets: '1' } } });
    // Admission counts from the quota's status, which the quota controller fills in.
    for (let i = 0; i < 200; i++) {
      const q = await t.admin.request<{ status?: { used?: Record<string, string> } }>('GET', `/api/v1/namespaces/${ns}/resourcequotas/q`);
      if (q.body.status?.used?.secrets) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // Create until refused: the second one is.
    const secret = (name: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: { a: '1' } });
    let last: Answer = { code: 0, body: undefined };
    for (let i = 0; i < 3 && last.code !== 403; i++) last = await t.admin.request('POST', `/api/v1/namespaces/${ns}/secrets`, secret(`s${i}`));
    return last;
  } },
];
