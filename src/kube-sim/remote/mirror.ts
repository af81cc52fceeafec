// The bridge between a real kube-apiserver and kube-sim's kubelet, which works on an in-process
// ObjectStore: pods bound to our nodes (and the Secrets/ConfigMaps their env reads, the
// NetworkPolicies and namespace labels the network layer evaluates) are mirrored into a local store; what the kubelet writes there — pod status, the final deletion of a pod it
// stopped, core/v1 Events — is sent back to the API server like a real kubelet sends it.
// Local objects get their own uids; `uids` maps them back to the real ones.
import { R, StatusError, type KubeObject, type ObjectStore, type ResourceRef, type StoreEvent } from '../store/index.js';
import type { SimLogger } from '../types.js';
import { keyOf, type RemoteApi, type WatchedObject } from './api.js';

interface RealPod extends WatchedObject {
  spec: { nodeName?: string; [k: string]: unknown };
  status?: Record<string, unknown>;
}

const podPath = (ns: string, name: string) => `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}`;

export class PodMirror {
  /** local uid → real uid (pods). */
  private readonly uids = new Map<string, string>();
  /** local pod key whose deletion came from the API server (nothing to send back). */
  private readonly deletedUpstream = new Set<string>();
  private readonly pushedStatus = new Map<string, string>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly offs: (() => void)[] = [];

  constructor(private readonly api: RemoteApi, private readonly local: ObjectStore, private readonly nodes: Set<string>, private readonly logger: SimLogger) {}

  start(signal: AbortSignal): void {
    void this.api.listWatch('/api/v1/secrets', signal, (t, o) => this.plain(R.secrets, t, o), (seen) => this.prune(R.secrets, seen));
    void this.api.listWatch('/api/v1/configmaps', signal, (t, o) => this.plain(R.configmaps, t, o), (seen) => this.prune(R.configmaps, seen));
    void this.api.listWatch('/apis/networking.k8s.io/v1/networkpolicies', signal, (t, o) => this.plain(R.networkpolicies, t, o), (seen) => this.prune(R.networkpolicies, seen));
    void this.api.listWatch('/api/v1/namespaces', signal, (t, o) => this.namespaceLabels(t, o), () => {});
    void this.api.listWatch('/api/v1/pods?fieldSelector=spec.nodeName!%3D', signal, (t, o) => this.pod(t, o as RealPod), (seen) => this.prune(R.pods, seen));
    this.offs.push(this.local.onChange(R.pods, (ev) => this.localPod(ev)));
    this.offs.push(this.local.onChange(R.events, (ev) => this.localEvent(ev)));
  }

  stop(): void { for (const off of this.offs) off(); }

  /** Work on one key runs in order (status pushes, then the deletion). */
  private chain(key: string, fn: () => Promise<void>): void {
    const next = (this.chains.get(key) ?? Promise.resolve()).then(fn).catch((e: unknown) => {
      this.logger.warn('kube-sim remote kubelet: request failed', { key, error: String(e) });
    });
    this.chains.set(key, next);
    void next.then(() => { if (this.chains.get(key) === next) this.chains.delete(key); });
  }

  private ensureNamespace(ns: string): void {
    if (!this.local.get(R.namespaces, undefined, ns)) this.local.create(R.namespaces, { metadata: { name: ns } });
  }

  /** Owner references and finalizers stay upstream: the local store must not garbage-collect. */
  private stripped(o: WatchedObject): KubeObject {
    const { ownerReferences: _o, finalizers: _f, managedFields: _m, uid: _u, resourceVersion: _r, ...metadata } = o.metadata;
    void _o; void _f; void _m; void _u; void _r;
    return { ...o, metadata: { ...metadata, name: o.metadata.name } } as KubeObject;
  }

  private plain(ref: ResourceRef, type: string, o: WatchedObject): void {
    const ns = o.metadata.namespace ?? '';
    try {
      if (type === 'DELETED') { this.local.delete(ref, ns, o.metadata.name, { gracePeriodSeconds: 0 }); return; }
      this.ensureNamespace(ns);
      const cur = this.local.get(ref, ns, o.metadata.name);
      const body = this.stripped(o);
      if (cur) this.local.update(ref, { ...body, metadata: { ...body.metadata, namespace: ns } });
      else this.local.create(ref, body);
    } catch (e) {
      if (!(e instanceof StatusError)) throw e;
    }
  }

  /** Namespace labels (namespaceSelector peers); a local namespace stays while its pods do. */
  private namespaceLabels(type: string, o: WatchedObject): void {
    if (type === 'DELETED') return;
    const name = o.metadata.name;
    const labels = (o.metadata.labels ?? {}) as Record<string, string>;
    try {
      if (this.local.get(R.namespaces, undefined, name)) this.local.mutate(R.namespaces, undefined, name, (n) => { n.metadata.labels = labels; });
      else this.local.create(R.namespaces, { metadata: { name, labels } });
    } catch (e) {
      if (!(e instanceof StatusError)) throw e;
    }
  }

  private prune(ref: ResourceRef, seen: Set<string>): void {
    for (const o of this.local.list(ref).items) {
      if (seen.has(keyOf(o))) continue;
      if (ref === R.pods) this.deletedUpstream.add(keyOf(o));
      try { this.local.delete(ref, o.metadata.namespace, o.metadata.name, { gracePeriodSeconds: 0 }); } catch (e) { if (!(e instanceof StatusError)) throw e; }
    }
  }

  private pod(type: string, real: RealPod): void {
    const ns = real.metadata.namespace ?? 'default';
    const key = keyOf(real);
    if (!real.spec.nodeName || !this.nodes.has(real.spec.nodeName)) return;
    const cur = this.local.get(R.pods, ns, real.metadata.name);
    const same = cur && this.uids.get(cur.metadata.uid) === real.metadata.uid;
    try {
      if (type === 'DELETED') {
        if (!same) return;
        this.deletedUpstream.add(key);
        this.local.delete(R.pods, ns, real.metadata.name, { gracePeriodSeconds: 0 });
        return;
      }
      if (cur && !same) {
        this.deletedUpstream.add(key);
        this.local.delete(R.pods, ns, real.metadata.name, { gracePeriodSeconds: 0 });
      }
      if (!same) {
        this.ensureNamespace(ns);
        const created = this.local.create(R.pods, this.stripped(real));
        this.uids.set(created.metadata.uid, real.metadata.uid);
        this.pushedStatus.set(key, JSON.stringify(created.status ?? {}));
      } else {
        const labels = real.metadata.labels as Record<string, string> | undefined;
        const annotations = real.metadata.annotations as Record<string, string> | undefined;
        this.local.mutate(R.pods, ns, real.metadata.name, (p) => {
          p.metadata.labels = labels ?? {};
          p.metadata.annotations = annotations ?? {};
        });
      }
      const local = this.local.get(R.pods, ns, real.metadata.name);
      if (real.metadata.deletionTimestamp && local && !local.metadata.deletionTimestamp) {
        this.local.delete(R.pods, ns, real.metadata.name, { gracePeriodSeconds: Number(real.metadata.deletionGracePeriodSeconds ?? 0) });
      }
    } catch (e) {
      if (!(e instanceof StatusError)) throw e;
      this.logger.warn('kube-sim remote kubelet: cannot mirror pod', { pod: key, error: e.message });
    }
  }

  private localPod(ev: StoreEvent): void {
    const o = ev.object;
    const name = o.metadata.name ?? '';
    const key = `${o.metadata.namespace ?? ''}/${name}`;
    const localUid = o.metadata.uid ?? '';
    const realUid = this.uids.get(localUid);
    if (!realUid) return;
    const ns = o.metadata.namespace ?? 'default';
    const status = JSON.stringify(o.status ?? {});
    if (status !== this.pushedStatus.get(key)) {
      this.pushedStatus.set(key, status);
      const body = { metadata: { uid: realUid }, status: o.status };
      this.chain(key, async () => { await this.api.must('PATCH', `${podPath(ns, name)}/status`, body, 'application/merge-patch+json', [404, 409]); });
    }
    if (ev.type !== 'DELETED') return;
    this.uids.delete(localUid);
    this.pushedStatus.delete(key);
    if (this.deletedUpstream.delete(key)) return;
    // The kubelet stopped the containers of a terminating pod: finish its deletion upstream.
    const body = { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, preconditions: { uid: realUid } };
    this.chain(key, async () => { await this.api.must('DELETE', podPath(ns, name), body, undefined, [404, 409]); });
  }

  private localEvent(ev: StoreEvent): void {
    if (ev.type === 'DELETED') return;
    const e = ev.object as KubeObject & { involvedObject?: { uid?: string; resourceVersion?: string }; count?: number; lastTimestamp?: string };
    const ns = e.metadata.namespace ?? 'default';
    const path = `/api/v1/namespaces/${encodeURIComponent(ns)}/events`;
    const realUid = this.uids.get(e.involvedObject?.uid ?? '');
    const key = `event ${ns}/${e.metadata.name}`;
    if (ev.type === 'ADDED') {
      const { uid: _u, resourceVersion: _r, creationTimestamp: _c, ...metadata } = e.metadata;
      void _u; void _r; void _c;
      const involvedObject = { ...e.involvedObject, ...(realUid ? { uid: realUid } : {}) };
      delete involvedObject.resourceVersion;
      const body = { ...e, metadata, involvedObject };
      this.chain(key, async () => { await this.api.must('POST', path, body, undefined, [403, 404, 409]); });
    } else {
      const body = { count: e.count, lastTimestamp: e.lastTimestamp };
      this.chain(key, async () => { await this.api.must('PATCH', `${path}/${encodeURIComponent(e.metadata.name ?? '')}`, body, 'application/merge-patch+json', [404]); });
    }
  }
}
