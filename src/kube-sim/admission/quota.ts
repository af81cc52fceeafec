// ResourceQuota admission and status for pods: `pods`, `requests.*`/`limits.*` (cpu, memory,
// extended resources such as nvidia.com/gpu; plain `cpu`/`memory` mean requests). Usage is kept
// as running totals per namespace, so admission is O(quotas) even with 10,000 pods.
// Object counts too: the core names (`configmaps`, `secrets`, `services`, ...) and
// `count/<resource>[.<group>]`, counted from the store when a quota names them.
import { errors, R, type KubeObject, type ObjectStore, type ResourceDef, type StoredObject } from '../store/index.js';
import { formatMilli, isQuantity, toMilli } from '../quantity.js';

const MUST_SPECIFY = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

type Usage = Map<string, number>; // quota resource name → milli-units
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What one pod consumes, in quota resource names. Terminal pods consume nothing. */
export function podUsage(pod: KubeObject): Usage {
  const u: Usage = new Map();
  const status = isObj(pod.status) ? pod.status : {};
  if (status.phase === 'Succeeded' || status.phase === 'Failed') return u;
  u.set('pods', 1000);
  const spec = isObj(pod.spec) ? pod.spec : {};
  const sum = (list: unknown, kind: 'requests' | 'limits'): Map<string, number> => {
    const m = new Map<string, number>();
    for (const c of Array.isArray(list) ? list : []) {
      const r = isObj(c) && isObj(c.resources) && isObj(c.resources[kind]) ? c.resources[kind] : {};
      for (const [k, v] of Object.entries(r)) if (isQuantity(v)) m.set(k, (m.get(k) ?? 0) + toMilli(v as string));
    }
    return m;
  };
  for (const kind of ['requests', 'limits'] as const) {
    const main = sum(spec.containers, kind);
    // Init containers run one at a time: the pod needs the max of any one of them.
    for (const c of Array.isArray(spec.initContainers) ? spec.initContainers : []) {
      for (const [k, v] of sum([c], kind)) main.set(k, Math.max(main.get(k) ?? 0, v));
    }
    for (const [k, v] of main) u.set(`${kind}.${k}`, v);
  }
  return u;
}

const LEGACY_COUNTS = new Set(['configmaps', 'secrets', 'services', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas']);

/** The resource (`secrets`, `deployments.apps`) an object-count quota name counts, if it is one. */
export function countedResource(hard: string): string | undefined {
  if (LEGACY_COUNTS.has(hard)) return hard;
  return hard.startsWith('count/') ? hard.slice('count/'.length) : undefined;
}

const resourceName = (def: ResourceDef): string => (def.group ? `${def.resource}.${def.group}` : def.resource);

function tracked(hard: string, usage: Usage): number | undefined {
  if (hard === 'cpu' || hard === 'memory') return usage.get(`requests.${hard}`) ?? 0;
  return usage.get(hard) ?? (hard === 'pods' || hard.startsWith('requests.') || hard.startsWith('limits.') ? 0 : undefined);
}

export class QuotaController {
  private readonly totals = new Map<string, Usage>(); // namespace → totals
  private readonly perPod = new Map<string, Usage>(); // ns/name → usage
  private readonly dirty = new Set<string>();
  private readonly unsubscribe: (() => void)[] = [];
  /** Resources some quota counts, whose changes refresh quota status. */
  private readonly counted = new Set<string>();

  constructor(private readonly store: ObjectStore) {
    store.addAdmission((op, def, o) => {
      if (op !== 'create') return;
      if (def.resource === 'pods' && !def.group) this.admit(o);
      this.admitCount(def, o);
    });
    this.unsubscribe.push(store.onChange(R.pods, (ev) => {
      if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') return;
      this.account(ev.object, ev.type === 'DELETED');
    }));
    this.unsubscribe.push(store.onChange(R.resourcequotas, (ev) => {
      if (ev.type === 'ADDED' || (ev.type === 'MODIFIED' && JSON.stringify(ev.object.spec) !== JSON.stringify(ev.old?.spec))) {
        this.watchCounts(ev.object);
        this.markDirty(ev.object.metadata.namespace ?? '');
      }
    }));
  }

  private hardOf(q: KubeObject): Record<string, unknown> {
    return isObj(q.spec) && isObj(q.spec.hard) ? q.spec.hard : {};
  }

  private watchCounts(q: KubeObject): void {
    for (const h of Object.keys(this.hardOf(q))) {
      const r = countedResource(h);
      if (!r || this.counted.has(r)) continue;
      try {
        this.unsubscribe.push(this.store.onChange(r, (ev) => { if (ev.type === 'ADDED' || ev.type === 'DELETED') this.markDirty(ev.object.metadata.namespace ?? ''); }));
        this.counted.add(r);
      } catch { /* a resource the sim does not serve: nothing to count */ }
    }
  }

  private count(resource: string, ns: string): number {
    try { return this.store.list(resource, ns).items.length; } catch { return 0; }
  }

  /** Refuse an object that would exceed an object-count quota of its namespace. */
  private admitCount(def: ResourceDef, o: KubeObject): void {
    const ns = o.metadata.namespace ?? '';
    if (!def.namespaced || this.counted.size === 0 || !this.counted.has(resourceName(def))) return;
    const name = o.metadata.name ?? '';
    for (const q of [...this.store.list(R.resourcequotas, ns).items].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
      const over = Object.entries(this.hardOf(q)).filter(([h]) => countedResource(h) === resourceName(def))
        .map(([h, limit]) => ({ h, limit: String(limit), used: this.count(resourceName(def), ns) }))
        .filter((x) => isQuantity(x.limit) && (x.used + 1) * 1000 > toMilli(x.limit));
      if (!over.length) continue;
      const list = (f: (x: typeof over[number]) => string) => over.map((x) => `${x.h}=${f(x)}`).join(',');
      throw errors.forbidden(def.group, def.resource, name, `${def.resource} "${name}" is forbidden: exceeded quota: ${q.metadata.name}, requested: ${list(() => '1')}, used: ${list((x) => String(x.used))}, limited: ${list((x) => x.limit)}`);
    }
  }

  stop(): void {
    for (const u of this.unsubscribe) u();
  }

  usage(ns: string): Usage {
    return this.totals.get(ns) ?? new Map();
  }

  private account(pod: KubeObject, deleted: boolean): void {
    const ns = pod.metadata.namespace ?? '';
    const key = `${ns}/${pod.metadata.name ?? ''}`;
    const before = this.perPod.get(key);
    const after = deleted ? undefined : podUsage(pod);
    let totals = this.totals.get(ns);
    if (!totals) { totals = new Map(); this.totals.set(ns, totals); }
    for (const [k, v] of before ?? []) totals.set(k, (totals.get(k) ?? 0) - v);
    for (const [k, v] of after ?? []) totals.set(k, (totals.get(k) ?? 0) + v);
    if (after) this.perPod.set(key, after); else this.perPod.delete(key);
    if (JSON.stringify([...(before ?? [])]) !== JSON.stringify([...(after ?? [])])) this.markDirty(ns);
  }

  /** Refuse a pod that would exceed any quota of its namespace: 403 like the quota admission plugin. */
  private admit(pod: KubeObject): void {
    const ns = pod.metadata.namespace ?? '';
    const quotas = this.store.list(R.resourcequotas, ns).items;
    if (quotas.length === 0) return;
    const req = podUsage(pod);
    const used = this.usage(ns);
    const name = pod.metadata.name ?? '';
    for (const q of [...quotas].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
      const hard = isObj(q.spec) && isObj(q.spec.hard) ? q.spec.hard : {};
      // A quota on cpu/memory requests or limits makes specifying them mandatory.
      const missing = Object.keys(hard)
        .filter((h) => MUST_SPECIFY.has(h) && !req.has(h.includes('.') ? h : `requests.${h}`))
        .sort();
      if (missing.length) throw errors.forbidden('', 'pods', name, `pods "${name}" is forbidden: failed quota: ${q.metadata.name}: must specify ${missing.join(',')}`);
      const over: string[] = [];
      for (const [h, limit] of Object.entries(hard)) {
        const want = tracked(h, req);
        if (want === undefined || want === 0 || !isQuantity(limit)) continue;
        if ((tracked(h, used) ?? 0) + want > toMilli(limit as string)) over.push(h);
      }
      if (over.length) {
        over.sort();
        const fmt = (u: Usage) => over.map((h) => `${h}=${formatMilli(tracked(h, u) ?? 0, h)}`).join(',');
        const limited = over.map((h) => `${h}=${String(hard[h])}`).join(',');
        throw errors.forbidden('', 'pods', name, `pods "${name}" is forbidden: exceeded quota: ${q.metadata.name}, requested: ${fmt(req)}, used: ${fmt(used)}, limited: ${limited}`);
      }
    }
  }

  private markDirty(ns: string): void {
    if (this.dirty.size === 0) setImmediate(() => this.flush());
    this.dirty.add(ns);
  }

  /** Write status.hard/status.used of the namespace's quotas (batched per tick). */
  private flush(): void {
    const nss = [...this.dirty];
    this.dirty.clear();
    for (const ns of nss) {
      const used = this.usage(ns);
      for (const q of this.store.list(R.resourcequotas, ns).items) this.writeStatus(q, used);
    }
  }

  private writeStatus(q: StoredObject, used: Usage): void {
    const hard = this.hardOf(q) as Record<string, string>;
    const ns = q.metadata.namespace ?? '';
    const usedOf = (h: string) => { const r = countedResource(h); return r ? String(this.count(r, ns)) : formatMilli(tracked(h, used) ?? 0, h); };
    const status = { hard: { ...hard }, used: Object.fromEntries(Object.keys(hard).map((h) => [h, usedOf(h)])) };
    try {
      this.store.mutate(R.resourcequotas, q.metadata.namespace, q.metadata.name, (d) => { d.status = status; }, { subresource: 'status' });
    } catch (e) {
      console.error('kube-sim: quota status update failed', e);
    }
  }
}
