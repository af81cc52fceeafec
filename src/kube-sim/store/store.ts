// The object store: every API object of the simulated cluster, indexed by resource → namespace →
// name, with a global monotonic resourceVersion, per-resource event history and watch fan-out.
// Deletion semantics (grace periods, finalizers, owner GC, namespaces) live in deletion.ts.
import { randomUUID, randomInt } from 'node:crypto';
import { errors, qualified, StatusError } from './errors.js';
import { apiVersionOf, resolveResource, resourceKey, R, STORED_RESOURCES, type ResourceRef } from './resources.js';
import { combine, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { applyPatch, type PatchType } from './patch.js';
import { hasStatusSubresource, prepareForCreate, specOf } from './strategy.js';
import { Bucket, type ChangeListener } from './bucket.js';
import { makeEvent, Watcher } from './watch.js';
import { Deleter, type DeleteOptions, type DeleteResult } from './deletion.js';

export { Bucket, type ChangeListener } from './bucket.js';
import { rfc3339, systemClock, type Clock, type KubeObject, type ResourceDef, type StoreEvent, type StoredObject } from './types.js';

export interface StoreOptions {
  clock?: Clock;
  /** Events kept per resource for watch resume; older resourceVersions get 410 Gone. Default 10,000. */
  historySize?: number;
  /** Remove gracefully deleted objects once their grace period expires even if no kubelet does. Default true. */
  expireGracePeriods?: boolean;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface ListResult<T extends KubeObject = KubeObject> {
  items: StoredObject<T>[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface WatchOptions {
  /** '' / '0' / undefined: current state as ADDED events first; 'N': events after N (410 if compacted). */
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface WriteOptions {
  subresource?: 'status';
  dryRun?: boolean;
  /** Called on the incoming (cloned) object before anything else: the HTTP layer's schema decoding. */
  decode?: (o: KubeObject) => void;
}

/** Admission: called before each create/update is committed; throw a StatusError to refuse. */
export type AdmissionPlugin = (op: 'create' | 'update', def: ResourceDef, obj: KubeObject, old: StoredObject | undefined) => void;

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

export class ObjectStore {
  readonly clock: Clock;
  private rv = 0;
  private readonly buckets = new Map<string, Bucket>();
  private readonly admission: AdmissionPlugin[] = [];
  private readonly globalListeners = new Set<ChangeListener>();
  /** Deletion, finalizers, owner-reference GC and namespace termination. */
  readonly deleter: Deleter;

  constructor(readonly options: StoreOptions = {}) {
    this.clock = options.clock ?? systemClock;
    for (const def of STORED_RESOURCES) this.buckets.set(resourceKey(def), new Bucket(def, options.historySize ?? 10_000));
    this.deleter = new Deleter(this, options.expireGracePeriods ?? true);
  }

  bucket(ref: ResourceRef): Bucket {
    const b = this.buckets.get(resourceKey(resolveResource(ref)));
    if (!b) throw errors.notFound('', String(typeof ref === 'string' ? ref : ref.resource), '');
    return b;
  }

  /** Current (highest) resourceVersion of the store. */
  get resourceVersion(): number {
    return this.rv;
  }

  addAdmission(plugin: AdmissionPlugin): void {
    this.admission.push(plugin);
  }

  /** Synchronous callback after every committed change of a resource. Returns an unsubscribe. */
  onChange(ref: ResourceRef, cb: ChangeListener): () => void {
    const b = this.bucket(ref);
    b.listeners.add(cb);
    return () => b.listeners.delete(cb);
  }

  /** Callback for changes of every resource (e.g. statistics, quota). */
  onAnyChange(cb: ChangeListener): () => void {
    this.globalListeners.add(cb);
    return () => this.globalListeners.delete(cb);
  }

  get<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, name: string): StoredObject<T> | undefined {
    const b = this.bucket(ref);
    return b.get(b.def.namespaced ? (namespace ?? '') : '', name) as StoredObject<T> | undefined;
  }

  /** get, or 404 NotFound. */
  mustGet<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, name: string): StoredObject<T> {
    const o = this.get<T>(ref, namespace, name);
    if (!o) { const d = resolveResource(ref); throw errors.notFound(d.group, d.resource, name); }
    return o;
  }

  list<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace?: string, opts: ListOptions = {}): ListResult<T> {
    const b = this.bucket(ref);
    const match = combine(parseLabelSelector(opts.labelSelector), parseFieldSelector(opts.fieldSelector, b.def.resource));
    let start = '';
    let rv = this.rv;
    if (opts.continue) {
      const tok = decodeContinue(opts.continue);
      if (tok.rv < b.history.compactedRv) {
        throw errors.gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
      }
      start = tok.start;
      rv = tok.rv;
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const items: StoredObject<T>[] = [];
    let remaining = 0;
    let lastKey = '';
    for (const o of b.ordered(b.def.namespaced ? namespace : undefined)) {
      const key = `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      if (start && key <= start) continue;
      if (match && !match(o)) continue;
      if (items.length < limit) { items.push(o as StoredObject<T>); lastKey = key; } else remaining++;
    }
    const out: ListResult<T> = { items, resourceVersion: String(rv) };
    if (remaining > 0) {
      out.continue = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: lastKey })).toString('base64');
      if (!match) out.remainingItemCount = remaining;
    }
    return out;
  }

  create<T extends KubeObject = KubeObject>(ref: ResourceRef, input: KubeObject, opts: WriteOptions = {}): StoredObject<T> {
    const b = this.bucket(ref);
    const def = b.def;
    const o = structuredClone(input);
    o.metadata = { ...(o.metadata ?? {}) };
    opts.decode?.(o);
    const meta = o.metadata;
    const ns = def.namespaced ? (meta.namespace ?? '') : '';
    if (def.namespaced) {
      if (!ns) throw errors.badRequest('the server could not find the requested resource: namespace is required');
      meta.namespace = ns;
      this.checkNamespaceWritable(ns, def, meta.name);
    } else delete meta.namespace;
    if (!meta.name) {
      if (!meta.generateName) throw errors.invalid(def.group, def.kind, '', [{ reason: 'FieldValueRequired', message: 'name or generateName is required', field: 'metadata.name' }]);
      do meta.name = meta.generateName + Array.from({ length: 5 }, () => NAME_CHARS[randomInt(NAME_CHARS.length)]).join('');
      while (b.get(ns, meta.name));
    }
    o.apiVersion = apiVersionOf(def);
    o.kind = def.kind;
    for (const k of ['uid', 'resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink'] as const) delete meta[k];
    prepareForCreate(def, o);
    for (const admit of this.admission) admit('create', def, o, undefined);
    if (b.get(ns, meta.name)) throw errors.alreadyExists(def.group, def.resource, meta.name);
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(this.clock.now());
    meta.generation = 1;
    if (opts.dryRun) return o as StoredObject<T>;
    return this.commit(b, 'ADDED', o, undefined) as StoredObject<T>;
  }

  /**
   * Replace an object (PUT). A resourceVersion in the input must match the stored one (409
   * Conflict otherwise). With `subresource: 'status'` only status changes; without it, status is
   * kept for resources that have a status subresource.
   */
  update<T extends KubeObject = KubeObject>(ref: ResourceRef, input: KubeObject, opts: WriteOptions = {}): StoredObject<T> {
    const b = this.bucket(ref);
    const def = b.def;
    const name = input.metadata?.name ?? '';
    const ns = def.namespaced ? (input.metadata?.namespace ?? '') : '';
    const old = b.get(ns, name);
    if (!old) throw errors.notFound(def.group, def.resource, name);
    const want = input.metadata.resourceVersion;
    if (want && want !== old.metadata.resourceVersion) throw errors.conflict(def.group, def.resource, name);
    const incoming = structuredClone(input);
    opts.decode?.(incoming);
    let o: KubeObject;
    if (opts.subresource === 'status') {
      o = { ...structuredClone(old) as KubeObject, status: incoming.status };
    } else {
      o = incoming;
      if (hasStatusSubresource(def) && def.resource !== 'namespaces') o.status = structuredClone(old.status);
      if (def.resource === 'namespaces') { o.spec = structuredClone(old.spec); o.status = structuredClone(old.status); }
      const m = old.metadata;
      o.metadata = {
        ...o.metadata, name: m.name, uid: m.uid, creationTimestamp: m.creationTimestamp,
        generation: m.generation ?? 1,
        ...(m.namespace !== undefined ? { namespace: m.namespace } : {}),
        ...(m.deletionTimestamp !== undefined ? { deletionTimestamp: m.deletionTimestamp, deletionGracePeriodSeconds: m.deletionGracePeriodSeconds ?? 0 } : {}),
      };
      if (m.generateName !== undefined) o.metadata.generateName = m.generateName;
      if (specOf(o) !== specOf(old)) o.metadata.generation = (m.generation ?? 1) + 1;
      for (const admit of this.admission) admit('update', def, o, old);
    }
    o.apiVersion = apiVersionOf(def);
    o.kind = def.kind;
    o.metadata.resourceVersion = old.metadata.resourceVersion;
    if (JSON.stringify(o) === JSON.stringify(old)) return old as StoredObject<T>; // no-op: no new version
    if (opts.dryRun) return o as StoredObject<T>;
    if (old.metadata.deletionTimestamp && !(o.metadata.finalizers?.length) && (o.metadata.deletionGracePeriodSeconds ?? 0) === 0) {
      this.remove(b, old, o);
      return this.get<T>(def, ns, name) ?? (o as StoredObject<T>);
    }
    return this.commit(b, 'MODIFIED', o, old) as StoredObject<T>;
  }

  patch<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts: WriteOptions = {}): StoredObject<T> {
    const old = this.mustGet(ref, namespace, name);
    const patched = applyPatch(type, structuredClone(old), patch) as KubeObject;
    if (!patched || typeof patched !== 'object' || typeof patched.metadata !== 'object' || patched.metadata === null) throw errors.badRequest('patch removed metadata');
    // Only a resourceVersion written by the patch itself is a precondition.
    let precondition: string | undefined;
    if (type === 'json') {
      if (patched.metadata.resourceVersion !== old.metadata.resourceVersion) precondition = patched.metadata.resourceVersion;
    } else precondition = (patch as { metadata?: { resourceVersion?: string } } | null)?.metadata?.resourceVersion;
    patched.metadata = { ...patched.metadata };
    if (precondition) patched.metadata.resourceVersion = precondition;
    else delete patched.metadata.resourceVersion;
    patched.metadata.name = old.metadata.name;
    if (old.metadata.namespace !== undefined) patched.metadata.namespace = old.metadata.namespace;
    return this.update<T>(ref, patched, opts);
  }

  /** Read-modify-write with retry on conflict: the convenient way for controllers to edit. */
  mutate<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, name: string, fn: (draft: T) => void, opts: WriteOptions = {}): StoredObject<T> | undefined {
    for (let i = 0; i < 5; i++) {
      const cur = this.get<T>(ref, namespace, name);
      if (!cur) return undefined;
      const draft = structuredClone(cur) as T;
      fn(draft);
      try { return this.update<T>(ref, draft, opts); } catch (e) { if (!(e instanceof StatusError && e.reason === 'Conflict')) throw e; }
    }
    throw errors.conflict(resolveResource(ref).group, resolveResource(ref).resource, name);
  }

  delete(ref: ResourceRef, namespace: string | undefined, name: string, opts: DeleteOptions = {}): DeleteResult {
    return this.deleter.delete(this.bucket(ref), namespace, name, opts);
  }

  deleteCollection(ref: ResourceRef, namespace: string | undefined, list: ListOptions = {}, opts: DeleteOptions = {}): DeleteResult[] {
    const { items } = this.list(ref, namespace, { ...list, limit: 0 });
    const out: DeleteResult[] = [];
    for (const o of items) {
      try { out.push(this.delete(ref, o.metadata.namespace, o.metadata.name, opts)); } catch (e) { if (!(e instanceof StatusError && e.code === 404)) throw e; }
    }
    return out;
  }

  watch(ref: ResourceRef, namespace?: string, opts: WatchOptions = {}): Watcher {
    const b = this.bucket(ref);
    const ns = b.def.namespaced ? namespace : undefined;
    const matcher = combine(parseLabelSelector(opts.labelSelector), parseFieldSelector(opts.fieldSelector, b.def.resource));
    const rvStr = opts.resourceVersion ?? '';
    const from = rvStr === '' ? 0 : Number(rvStr);
    if (!Number.isInteger(from) || from < 0) throw errors.badRequest(`invalid resource version: ${rvStr}`);
    if (from > 0 && from < b.history.compactedRv) throw errors.gone(`too old resource version: ${from} (${b.history.compactedRv + 1})`);
    const w = new Watcher(ns !== undefined ? { namespace: ns, ...(matcher ? { matcher } : {}) } : (matcher ? { matcher } : {}), (x) => b.watchers.delete(x));
    if (from === 0) {
      for (const o of b.ordered(ns)) if (!matcher || matcher(o)) w.push(makeEvent('ADDED', o, this.rv));
    } else {
      for (const ev of b.history.since(from)) w.offer(ev);
    }
    b.watchers.add(w);
    return w;
  }

  /** A BOOKMARK event carrying the current resourceVersion, for watch streams. */
  bookmark(ref: ResourceRef): StoreEvent {
    const def = resolveResource(ref);
    return makeEvent('BOOKMARK', { kind: def.kind, apiVersion: apiVersionOf(def), metadata: { resourceVersion: String(this.rv) } }, this.rv);
  }

  /** Forget watch history up to `rv` (default: now) in every resource, like an etcd compaction. */
  compact(rv = this.rv): void {
    for (const b of this.buckets.values()) b.history.compact(rv);
  }

  /** Stop timers and end every watch. */
  close(): void {
    this.deleter.close();
    for (const b of this.buckets.values()) for (const w of [...b.watchers]) w.close();
  }

  /** 403 when the namespace is terminating, 404 when it does not exist. */
  checkNamespaceWritable(ns: string, def: ResourceDef, name?: string): void {
    const nsObj = this.buckets.get(resourceKey(R.namespaces))?.get('', ns);
    if (!nsObj) throw errors.notFound('', 'namespaces', ns);
    // Events stay writable so components can still report what happens during the teardown.
    if (nsObj.metadata.deletionTimestamp && def.resource !== 'events') {
      const what = qualified(def.group, def.resource) + (name ? ` "${name}"` : '');
      throw errors.forbidden(def.group, def.resource, name, `${what} is forbidden: unable to create new content in namespace ${ns} because it is being terminated`);
    }
  }

  /** Store a new version and fan the event out. Internal to the store package. */
  commit(b: Bucket, type: 'ADDED' | 'MODIFIED', o: KubeObject, old: StoredObject | undefined): StoredObject {
    o.metadata.resourceVersion = String(++this.rv);
    const stored = deepFreeze(o) as StoredObject;
    b.set(stored.metadata.namespace ?? '', stored.metadata.name, stored);
    this.deleter.indexOwners(b, stored, old);
    this.emit(b, makeEvent(type, stored, this.rv, old));
    return stored;
  }

  /** Remove an object for good (DELETED event). `last` is the final state to report. */
  remove(b: Bucket, old: StoredObject, last: KubeObject = old): void {
    const o = { ...last, metadata: { ...last.metadata, resourceVersion: String(++this.rv) } };
    const stored = deepFreeze(o) as StoredObject;
    b.remove(old.metadata.namespace ?? '', old.metadata.name);
    this.deleter.onRemoved(b, old);
    this.emit(b, makeEvent('DELETED', stored, this.rv, old));
  }

  private emit(b: Bucket, ev: StoreEvent): void {
    b.history.push(ev);
    for (const w of b.watchers) w.offer(ev);
    for (const cb of b.listeners) safe(cb, ev);
    for (const cb of this.globalListeners) safe(cb, ev);
  }

  resources(): Bucket[] {
    return [...this.buckets.values()];
  }
}

function safe(cb: ChangeListener, ev: StoreEvent): void {
  try { cb(ev); } catch (e) { console.error('kube-sim: change listener failed', e); }
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { v?: string; rv?: number; start?: string };
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string') throw new Error('bad');
    return { rv: t.rv, start: t.start };
  } catch {
    throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}
