// Server-side printing (meta.k8s.io/v1 Table), which `kubectl get` asks for: the columns kubectl
// shows for pods, nodes, namespaces, deployments...; NAME/AGE for the rest.
import type { KubeObject, ResourceDef } from '../store/index.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const get = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((c, p) => (isObj(c) ? c[p] : undefined), o);
const num = (v: unknown) => (typeof v === 'number' ? v : 0);

export function wantsTable(accept: string | undefined): boolean {
  return /as=Table/.test(accept ?? '');
}

/** kubectl's short duration: 42s, 5m10s, 3h, 2d. */
export function age(created: string | undefined, now: number): string {
  if (!created) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(created)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

interface Column { name: string; type: string; format?: string; priority?: number }

function podStatus(p: KubeObject): string {
  if (p.metadata.deletionTimestamp) return 'Terminating';
  let reason = String(get(p, 'status', 'reason') ?? get(p, 'status', 'phase') ?? 'Pending');
  const statuses = get(p, 'status', 'containerStatuses');
  for (const cs of Array.isArray(statuses) ? statuses : []) {
    const w = get(cs, 'state', 'waiting', 'reason');
    const t = get(cs, 'state', 'terminated', 'reason');
    if (typeof w === 'string' && w) reason = w;
    else if (typeof t === 'string' && t) reason = t;
  }
  return reason;
}

function columns(def: ResourceDef): { cols: Column[]; cells: (o: KubeObject, now: number) => unknown[] } {
  const name: Column = { name: 'Name', type: 'string', format: 'name' };
  const ageCol: Column = { name: 'Age', type: 'string' };
  switch (def.resource) {
    case 'pods':
      return {
        cols: [name, { name: 'Ready', type: 'string' }, { name: 'Status', type: 'string' }, { name: 'Restarts', type: 'string' }, ageCol,
          { name: 'IP', type: 'string', priority: 1 }, { name: 'Node', type: 'string', priority: 1 }],
        cells: (o, now) => {
          const cs = get(o, 'status', 'containerStatuses');
          const list = Array.isArray(cs) ? cs : [];
          const containers = get(o, 'spec', 'containers');
          const total = Array.isArray(containers) ? containers.length : 0;
          const ready = list.filter((c) => get(c, 'ready') === true).length;
          const restarts = list.reduce((n: number, c) => n + num(get(c, 'restartCount')), 0);
          return [o.metadata.name, `${ready}/${total}`, podStatus(o), String(restarts), age(o.metadata.creationTimestamp, now),
            get(o, 'status', 'podIP') ?? '<none>', get(o, 'spec', 'nodeName') ?? '<none>'];
        },
      };
    case 'nodes':
      return {
        cols: [name, { name: 'Status', type: 'string' }, { name: 'Roles', type: 'string' }, ageCol, { name: 'Version', type: 'string' }],
        cells: (o, now) => {
          const conds = get(o, 'status', 'conditions');
          const ready = (Array.isArray(conds) ? conds : []).find((c) => get(c, 'type') === 'Ready');
          let status = get(ready, 'status') === 'True' ? 'Ready' : 'NotReady';
          if (get(o, 'spec', 'unschedulable') === true) status += ',SchedulingDisabled';
          const roles = Object.keys(o.metadata.labels ?? {}).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.slice(24));
          return [o.metadata.name, status, roles.join(',') || '<none>', age(o.metadata.creationTimestamp, now), get(o, 'status', 'nodeInfo', 'kubeletVersion') ?? ''];
        },
      };
    case 'namespaces':
      return { cols: [name, { name: 'Status', type: 'string' }, ageCol], cells: (o, now) => [o.metadata.name, get(o, 'status', 'phase') ?? '', age(o.metadata.creationTimestamp, now)] };
    case 'deployments':
      return {
        cols: [name, { name: 'Ready', type: 'string' }, { name: 'Up-to-date', type: 'integer' }, { name: 'Available', type: 'integer' }, ageCol],
        cells: (o, now) => [o.metadata.name, `${num(get(o, 'status', 'readyReplicas'))}/${num(get(o, 'spec', 'replicas'))}`,
          num(get(o, 'status', 'updatedReplicas')), num(get(o, 'status', 'availableReplicas')), age(o.metadata.creationTimestamp, now)],
      };
    case 'replicasets':
      return {
        cols: [name, { name: 'Desired', type: 'integer' }, { name: 'Current', type: 'integer' }, { name: 'Ready', type: 'integer' }, ageCol],
        cells: (o, now) => [o.metadata.name, num(get(o, 'spec', 'replicas')), num(get(o, 'status', 'replicas')), num(get(o, 'status', 'readyReplicas')), age(o.metadata.creationTimestamp, now)],
      };
    default:
      return { cols: [name, ageCol], cells: (o, now) => [o.metadata.name, age(o.metadata.creationTimestamp, now)] };
  }
}

export function toTable(def: ResourceDef, items: readonly KubeObject[], listMeta: Record<string, unknown>, now: number): unknown {
  const { cols, cells } = columns(def);
  return {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: listMeta,
    columnDefinitions: cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.name, priority: c.priority ?? 0 })),
    rows: items.map((o) => ({
      cells: cells(o, now),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
