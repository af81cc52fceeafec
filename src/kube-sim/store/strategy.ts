// Per-resource behaviour the real registry strategies implement: defaulting on create, which part
// of an object an update may change, and the default grace period of a delete.
import type { KubeObject, ResourceDef } from './types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (parent: Obj, key: string): Obj => {
  const v = parent[key];
  if (isObj(v)) return v;
  const created: Obj = {};
  parent[key] = created;
  return created;
};
const dflt = (o: Obj, key: string, value: unknown) => { if (o[key] === undefined) o[key] = value; };

function defaultContainers(list: unknown): void {
  if (!Array.isArray(list)) return;
  for (const c of list) {
    if (!isObj(c)) continue;
    dflt(c, 'terminationMessagePath', '/dev/termination-log');
    dflt(c, 'terminationMessagePolicy', 'File');
    const image = typeof c.image === 'string' ? c.image : '';
    dflt(c, 'imagePullPolicy', image.endsWith(':latest') || !image.includes(':') ? 'Always' : 'IfNotPresent');
    dflt(c, 'resources', {});
  }
}

function defaultPodSpec(spec: Obj): void {
  dflt(spec, 'restartPolicy', 'Always');
  dflt(spec, 'terminationGracePeriodSeconds', 30);
  dflt(spec, 'dnsPolicy', 'ClusterFirst');
  dflt(spec, 'schedulerName', 'default-scheduler');
  dflt(spec, 'securityContext', {});
  dflt(spec, 'serviceAccountName', 'default');
  defaultContainers(spec.containers);
  defaultContainers(spec.initContainers);
}

function qosClass(spec: Obj): string {
  const cs = [...(Array.isArray(spec.containers) ? spec.containers : []), ...(Array.isArray(spec.initContainers) ? spec.initContainers : [])].filter(isObj);
  let any = false, guaranteed = cs.length > 0;
  for (const c of cs) {
    const r = isObj(c.resources) ? c.resources : {};
    const req = isObj(r.requests) ? r.requests : {};
    const lim = isObj(r.limits) ? r.limits : {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const k of ['cpu', 'memory']) if (lim[k] === undefined || (req[k] !== undefined && req[k] !== lim[k])) guaranteed = false;
  }
  return guaranteed ? 'Guaranteed' : any ? 'Burstable' : 'BestEffort';
}

/** Mutates a fresh object being created (the store has already cloned it). */
export function prepareForCreate(def: ResourceDef, o: KubeObject): void {
  switch (def.resource) {
    case 'pods': {
      const spec = obj(o, 'spec');
      defaultPodSpec(spec);
      o.status = { phase: 'Pending', qosClass: qosClass(spec) };
      break;
    }
    case 'namespaces':
      o.spec = { finalizers: ['kubernetes'] };
      o.status = { phase: 'Active' };
      o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name ?? '' };
      break;
    case 'deployments': {
      const spec = obj(o, 'spec');
      dflt(spec, 'replicas', 1);
      dflt(spec, 'revisionHistoryLimit', 10);
      dflt(spec, 'progressDeadlineSeconds', 600);
      dflt(spec, 'strategy', { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
      defaultPodSpec(obj(obj(spec, 'template'), 'spec'));
      o.status = {};
      break;
    }
    case 'replicasets': {
      const spec = obj(o, 'spec');
      dflt(spec, 'replicas', 1);
      defaultPodSpec(obj(obj(spec, 'template'), 'spec'));
      o.status = { replicas: 0 };
      break;
    }
    case 'horizontalpodautoscalers':
      dflt(obj(o, 'spec'), 'minReplicas', 1);
      o.status = { currentReplicas: 0, desiredReplicas: 0 };
      break;
    case 'resourcequotas':
      o.status = {};
      break;
    case 'secrets':
      dflt(o, 'type', 'Opaque');
      break;
  }
}

/** Resources whose `status` is only writable through the status subresource. */
export function hasStatusSubresource(def: ResourceDef): boolean {
  return def.subresources.includes('status');
}

/**
 * Grace period a delete gets. Only pods are deleted gracefully, and (like the API server) an
 * unscheduled or finished pod goes at once.
 */
export function gracePeriodFor(def: ResourceDef, o: KubeObject, requested: number | undefined): number {
  if (def.resource !== 'pods') return 0;
  const spec = isObj(o.spec) ? o.spec : {};
  const status = isObj(o.status) ? o.status : {};
  if (!spec.nodeName || status.phase === 'Succeeded' || status.phase === 'Failed') return 0;
  if (requested !== undefined) return Math.max(0, requested);
  return typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30;
}

/** Everything except metadata and status: a change here bumps metadata.generation. */
export function specOf(o: KubeObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return JSON.stringify(normalize(rest));
}

/** Drop empty objects/arrays and nulls, sort keys: clients round-trip objects loosely. */
export function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const k of Object.keys(v).sort()) {
    const n = normalize(v[k]);
    if (n === null || n === undefined || (isObj(n) && Object.keys(n).length === 0) || (Array.isArray(n) && n.length === 0)) continue;
    out[k] = n;
  }
  return out;
}
