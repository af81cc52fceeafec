// Deletion semantics of the API server and its GC/namespace controllers: graceful deletion
// (deletionTimestamp + deletionGracePeriodSeconds), finalizers, ownerReference cascades
// (Background, Foreground, Orphan) and namespace termination.
import { errors } from './errors.js';
import { R, resourceKey, type ResourceRef } from './resources.js';
import { gracePeriodFor } from './strategy.js';
import { rfc3339, type Clock, type KubeObject, type StoredObject } from './types.js';
import type { Bucket } from './bucket.js';

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  /** Only pods are graceful; 0 deletes at once. Default: the pod's terminationGracePeriodSeconds. */
  gracePeriodSeconds?: number;
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface DeleteResult {
  /** The object as deleted (removed) or as marked for deletion (still present). */
  object: StoredObject;
  /** true: gone from the store; false: marked with deletionTimestamp, waiting for grace/finalizers. */
  removed: boolean;
}

/** What deletion needs of the object store (store.ts implements it; no import back, no cycle). */
export interface DeletionHost {
  readonly clock: Clock;
  bucket(ref: ResourceRef): Bucket;
  resources(): Bucket[];
  commit(b: Bucket, type: 'ADDED' | 'MODIFIED', o: KubeObject, old: StoredObject | undefined): StoredObject;
  remove(b: Bucket, old: StoredObject, last?: KubeObject): void;
  mutate(ref: ResourceRef, namespace: string | undefined, name: string, fn: (draft: KubeObject) => void): StoredObject | undefined;
}

const FOREGROUND = 'foregroundDeletion';
const keyOf = (b: Bucket, o: KubeObject) => `${resourceKey(b.def)}|${o.metadata.namespace ?? ''}|${o.metadata.name ?? ''}`;

export class Deleter {
  /** owner uid → keys of objects that reference it */
  private readonly dependents = new Map<string, Set<string>>();
  /** uid → key of every live object */
  private readonly uids = new Map<string, string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly store: DeletionHost, private readonly expireGrace: boolean) {}

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  exists(uid: string): boolean {
    return this.uids.has(uid);
  }

  /** Keys (`resourceKey|namespace|name`) of objects owned by `uid`. */
  dependentsOf(uid: string): string[] {
    return [...(this.dependents.get(uid) ?? [])];
  }

  indexOwners(b: Bucket, o: StoredObject, old: StoredObject | undefined): void {
    const key = keyOf(b, o);
    this.uids.set(o.metadata.uid, key);
    for (const r of old?.metadata.ownerReferences ?? []) this.dependents.get(r.uid)?.delete(key);
    for (const r of o.metadata.ownerReferences ?? []) {
      let s = this.dependents.get(r.uid);
      if (!s) { s = new Set(); this.dependents.set(r.uid, s); }
      s.add(key);
    }
  }

  onRemoved(b: Bucket, old: StoredObject): void {
    const key = keyOf(b, old);
    const uid = old.metadata.uid;
    this.uids.delete(uid);
    const t = this.timers.get(uid);
    if (t) { clearTimeout(t); this.timers.delete(uid); }
    for (const r of old.metadata.ownerReferences ?? []) {
      this.dependents.get(r.uid)?.delete(key);
      setImmediate(() => this.finishForeground(r.uid));
    }
    if (this.dependents.get(uid)?.size) setImmediate(() => this.collect(uid, 'Background'));
    else this.dependents.delete(uid);
    const ns = old.metadata.namespace;
    if (ns) setImmediate(() => this.finishNamespace(ns));
  }

  delete(b: Bucket, namespace: string | undefined, name: string, opts: DeleteOptions): DeleteResult {
    const def = b.def;
    const ns = def.namespaced ? (namespace ?? '') : '';
    const cur = b.get(ns, name);
    if (!cur) throw errors.notFound(def.group, def.resource, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== cur.metadata.uid) {
      throw errors.conflict(def.group, def.kind, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) {
      throw errors.conflict(def.group, def.kind, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`);
    }
    if (opts.dryRun) return { object: cur, removed: false };
    if (def.resource === 'namespaces') return this.deleteNamespace(b, cur);
    const policy = opts.propagationPolicy ?? 'Background';
    if (policy === 'Orphan') this.orphan(cur.metadata.uid);
    const grace = gracePeriodFor(def, cur, opts.gracePeriodSeconds);
    const finalizers = [...(cur.metadata.finalizers ?? [])];
    if (policy === 'Foreground' && this.dependents.get(cur.metadata.uid)?.size && !finalizers.includes(FOREGROUND)) finalizers.push(FOREGROUND);

    if (cur.metadata.deletionTimestamp) {
      // Already terminating: a second delete may only shorten the grace period.
      const curGrace = cur.metadata.deletionGracePeriodSeconds ?? 0;
      if (grace >= curGrace && finalizers.length === (cur.metadata.finalizers?.length ?? 0)) return { object: cur, removed: false };
      if (grace === 0 && finalizers.length === 0) { this.store.remove(b, cur); return { object: cur, removed: true }; }
      return { object: this.mark(b, cur, Math.min(grace, curGrace), finalizers), removed: false };
    }
    if (grace === 0 && finalizers.length === 0) {
      this.store.remove(b, cur);
      return { object: cur, removed: true };
    }
    const marked = this.mark(b, cur, grace, finalizers);
    if (finalizers.includes(FOREGROUND)) setImmediate(() => this.collect(cur.metadata.uid, 'Foreground'));
    return { object: marked, removed: false };
  }

  private mark(b: Bucket, cur: StoredObject, grace: number, finalizers: string[]): StoredObject {
    const o = structuredClone(cur) as KubeObject;
    o.metadata.deletionTimestamp = rfc3339(this.store.clock.now() + grace * 1000);
    o.metadata.deletionGracePeriodSeconds = grace;
    o.metadata.generation = (cur.metadata.generation ?? 1) + 1;
    if (finalizers.length) o.metadata.finalizers = finalizers;
    const stored = this.store.commit(b, 'MODIFIED', o, cur);
    if (grace > 0 && this.expireGrace) {
      const uid = cur.metadata.uid;
      const old = this.timers.get(uid);
      if (old) clearTimeout(old);
      const t = setTimeout(() => { this.timers.delete(uid); this.expire(b, stored); }, grace * 1000);
      t.unref();
      this.timers.set(uid, t);
    }
    return stored;
  }

  /** Grace period over and nobody (no kubelet) finished the deletion: do it like a force delete. */
  private expire(b: Bucket, marked: StoredObject): void {
    const cur = b.get(marked.metadata.namespace ?? '', marked.metadata.name);
    if (!cur || cur.metadata.uid !== marked.metadata.uid) return;
    if (cur.metadata.finalizers?.length) this.mark(b, cur, 0, cur.metadata.finalizers);
    else this.store.remove(b, cur);
  }

  private lookup(key: string): { b: Bucket; o: StoredObject } | undefined {
    const [rk, ns, name] = key.split('|');
    if (rk === undefined || ns === undefined || name === undefined) return undefined;
    const b = this.store.bucket(rk);
    const o = b.get(ns, name);
    return o ? { b, o } : undefined;
  }

  /** GC: delete dependents of a removed (or foreground-deleting) owner whose owners are all gone. */
  private collect(ownerUid: string, policy: PropagationPolicy): void {
    for (const key of this.dependentsOf(ownerUid)) {
      const found = this.lookup(key);
      if (!found || found.o.metadata.deletionTimestamp) continue;
      const { b, o } = found;
      const refs = o.metadata.ownerReferences ?? [];
      const others = refs.filter((r) => r.uid !== ownerUid && this.uids.has(r.uid));
      try {
        if (others.length === 0 || policy === 'Foreground') {
          this.delete(b, o.metadata.namespace, o.metadata.name, { propagationPolicy: policy });
        } else {
          this.store.mutate(b.def, o.metadata.namespace, o.metadata.name, (d) => { d.metadata.ownerReferences = refs.filter((r) => r.uid !== ownerUid); });
        }
      } catch (e) {
        console.error('kube-sim: garbage collection failed for', key, e);
      }
    }
    if (!this.uids.has(ownerUid) && !this.dependents.get(ownerUid)?.size) this.dependents.delete(ownerUid);
  }

  /** Orphan policy: dependents lose their reference to the owner and survive it. */
  private orphan(ownerUid: string): void {
    for (const key of this.dependentsOf(ownerUid)) {
      const found = this.lookup(key);
      if (!found) continue;
      this.store.mutate(found.b.def, found.o.metadata.namespace, found.o.metadata.name, (d) => {
        d.metadata.ownerReferences = (d.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
        if (d.metadata.ownerReferences.length === 0) delete d.metadata.ownerReferences;
      });
    }
  }

  /** A foreground-deleting owner goes once its last dependent is gone. */
  private finishForeground(ownerUid: string): void {
    if (this.dependents.get(ownerUid)?.size) return;
    const key = this.uids.get(ownerUid);
    const found = key ? this.lookup(key) : undefined;
    if (!found || !found.o.metadata.finalizers?.includes(FOREGROUND)) return;
    this.store.mutate(found.b.def, found.o.metadata.namespace, found.o.metadata.name, (d) => {
      d.metadata.finalizers = (d.metadata.finalizers ?? []).filter((f) => f !== FOREGROUND);
      d.metadata.deletionGracePeriodSeconds = 0;
    });
  }

  private deleteNamespace(b: Bucket, cur: StoredObject): DeleteResult {
    if (cur.metadata.deletionTimestamp) return { object: cur, removed: false };
    const o = structuredClone(cur) as KubeObject;
    o.metadata.deletionTimestamp = rfc3339(this.store.clock.now());
    o.metadata.deletionGracePeriodSeconds = 0;
    o.status = { phase: 'Terminating' };
    const marked = this.store.commit(b, 'MODIFIED', o, cur);
    const name = cur.metadata.name;
    setImmediate(() => this.drainNamespace(name));
    return { object: marked, removed: false };
  }

  /** The namespace controller: delete everything in a terminating namespace. */
  private drainNamespace(ns: string): void {
    for (const b of this.store.resources()) {
      if (!b.def.namespaced) continue;
      for (const o of [...(b.byNs.get(ns)?.values() ?? [])]) {
        if (o.metadata.deletionTimestamp) continue;
        try { this.delete(b, ns, o.metadata.name, { propagationPolicy: 'Background' }); } catch (e) { console.error('kube-sim: namespace cleanup failed', e); }
      }
    }
    this.finishNamespace(ns);
  }

  private finishNamespace(ns: string): void {
    const nsBucket = this.store.bucket(R.namespaces);
    const nsObj = nsBucket.get('', ns);
    if (!nsObj?.metadata.deletionTimestamp) return;
    let left = false;
    for (const b of this.store.resources()) {
      if (!b.def.namespaced || !b.byNs.get(ns)?.size) continue;
      left = true;
      // Written during the teardown (Events stay writable): deleted too, as the real namespace
      // controller's next pass does — otherwise the namespace would stay Terminating for ever.
      for (const o of [...(b.byNs.get(ns)?.values() ?? [])]) {
        if (o.metadata.deletionTimestamp) continue;
        try { this.delete(b, ns, o.metadata.name, { propagationPolicy: 'Background' }); } catch (e) { console.error('kube-sim: namespace cleanup failed', e); }
      }
    }
    if (left) return; // called again as each remaining object goes
    this.store.remove(nsBucket, nsObj, { ...nsObj, spec: { finalizers: [] } });
  }
}
