// The resources the simulator serves. One table drives the store, discovery and RBAC naming.
import type { ResourceDef } from './types.js';

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function def(
  group: string, version: string, resource: string, kind: string, namespaced: boolean,
  extra: Partial<Pick<ResourceDef, 'shortNames' | 'subresources' | 'verbs' | 'categories' | 'singular'>> = {},
): ResourceDef {
  return {
    group, version, resource, kind, namespaced,
    singular: extra.singular ?? kind.toLowerCase(),
    verbs: extra.verbs ?? RW,
    subresources: extra.subresources ?? [],
    ...(extra.shortNames ? { shortNames: extra.shortNames } : {}),
    ...(extra.categories ? { categories: extra.categories } : {}),
  };
}

/** Named handles for controllers: `store.list(R.pods, ns)`. */
export const R = {
  namespaces: def('', 'v1', 'namespaces', 'Namespace', false, { shortNames: ['ns'], subresources: ['status', 'finalize'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }),
  pods: def('', 'v1', 'pods', 'Pod', true, { shortNames: ['po'], subresources: ['status', 'log', 'binding'], categories: ['all'] }),
  secrets: def('', 'v1', 'secrets', 'Secret', true),
  configmaps: def('', 'v1', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  events: def('', 'v1', 'events', 'Event', true, { shortNames: ['ev'] }),
  nodes: def('', 'v1', 'nodes', 'Node', false, { shortNames: ['no'], subresources: ['status'] }),
  resourcequotas: def('', 'v1', 'resourcequotas', 'ResourceQuota', true, { shortNames: ['quota'], subresources: ['status'] }),
  serviceaccounts: def('', 'v1', 'serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'] }),
  deployments: def('apps', 'v1', 'deployments', 'Deployment', true, { shortNames: ['deploy'], subresources: ['status', 'scale'], categories: ['all'] }),
  replicasets: def('apps', 'v1', 'replicasets', 'ReplicaSet', true, { shortNames: ['rs'], subresources: ['status', 'scale'], categories: ['all'] }),
  horizontalpodautoscalers: def('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, { shortNames: ['hpa'], subresources: ['status'], categories: ['all'] }),
  networkpolicies: def('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, { shortNames: ['netpol'] }),
  eventsv1: def('events.k8s.io', 'v1', 'events', 'Event', true, { shortNames: ['ev'] }),
  selfsubjectaccessreviews: def('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, { verbs: ['create'] }),
} as const;

export const RESOURCES: readonly ResourceDef[] = Object.values(R);

/** Resources held in the store (access reviews are virtual: answered, never stored). */
export const STORED_RESOURCES: readonly ResourceDef[] = RESOURCES.filter((r) => r.resource !== 'selfsubjectaccessreviews');

const byKey = new Map<string, ResourceDef>();
for (const r of RESOURCES) {
  byKey.set(resourceKey(r), r);
  byKey.set(r.group ? `${r.resource}.${r.group}` : r.resource, r);
}

/** Stable identity of a resource: `v1/pods`, `apps/v1/deployments`. */
export function resourceKey(r: Pick<ResourceDef, 'group' | 'version' | 'resource'>): string {
  return r.group ? `${r.group}/${r.version}/${r.resource}` : `${r.version}/${r.resource}`;
}

/** A ResourceDef, or a name: `pods`, `deployments.apps`, `events.events.k8s.io`, `apps/v1/deployments`. */
export type ResourceRef = ResourceDef | string;

export function resolveResource(ref: ResourceRef): ResourceDef {
  if (typeof ref !== 'string') return ref;
  const r = byKey.get(ref);
  if (!r) throw new Error(`kube-sim: unknown resource ${ref}`);
  return r;
}

export function findResource(group: string, version: string, resource: string): ResourceDef | undefined {
  return byKey.get(resourceKey({ group, version, resource }));
}

export function apiVersionOf(r: ResourceDef): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}
