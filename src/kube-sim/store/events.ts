// Recording core/v1 Events the way components do (what `kubectl describe` shows under Events).
// Repeated events for the same object+reason+message are aggregated by bumping `count`.
import { randomBytes } from 'node:crypto';
import { R } from './resources.js';
import { rfc3339, type KubeObject } from './types.js';
import type { ObjectStore } from './store.js';

export interface EventSpec {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** e.g. 'default-scheduler', 'kubelet', 'kube-sim-netpol'. */
  component: string;
  host?: string;
}

export function recordEvent(store: ObjectStore, involved: KubeObject, ev: EventSpec): void {
  const ns = involved.metadata.namespace ?? 'default';
  const name = involved.metadata.name ?? '';
  const now = rfc3339(store.clock.now());
  const same = store.list(R.events, ns, { fieldSelector: `involvedObject.name=${name},reason=${ev.reason}` }).items
    .find((e) => e.message === ev.message && (e.involvedObject as { uid?: string } | undefined)?.uid === involved.metadata.uid);
  if (same) {
    store.mutate(R.events, ns, same.metadata.name, (e) => { e.count = (typeof e.count === 'number' ? e.count : 1) + 1; e.lastTimestamp = now; });
    return;
  }
  store.create(R.events, {
    metadata: { name: `${name}.${randomBytes(8).toString('hex')}`, namespace: ns },
    involvedObject: {
      kind: involved.kind, namespace: involved.metadata.namespace, name, uid: involved.metadata.uid,
      apiVersion: involved.apiVersion, resourceVersion: involved.metadata.resourceVersion,
    },
    reason: ev.reason, message: ev.message, type: ev.type,
    source: { component: ev.component, ...(ev.host ? { host: ev.host } : {}) },
    firstTimestamp: now, lastTimestamp: now, count: 1,
    reportingComponent: ev.component, reportingInstance: ev.host ?? '',
  });
}
