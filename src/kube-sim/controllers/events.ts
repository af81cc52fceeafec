// core/v1 Events as the real components write them: one object per (object, reason, message,
// fieldPath), whose count and lastTimestamp grow on repeats — what `kubectl describe` shows.
import { randomBytes } from 'node:crypto';
import { R, rfc3339, StatusError, type KubeObject, type ObjectStore } from '../store/index.js';

export interface EventSource { component: string; host?: string }

export type EventType = 'Normal' | 'Warning';

const MAX_TRACKED = 20_000;

export class EventRecorder {
  /** aggregation key → event name; insertion-ordered so the oldest is dropped first. */
  private readonly recent = new Map<string, string>();

  constructor(private readonly store: ObjectStore) {}

  record(obj: KubeObject, type: EventType, reason: string, message: string, source: EventSource, fieldPath?: string): void {
    const ns = obj.metadata.namespace ?? 'default';
    const name = obj.metadata.name ?? '';
    const uid = obj.metadata.uid ?? '';
    const key = `${ns}|${uid}|${reason}|${message}|${fieldPath ?? ''}|${source.component}`;
    const now = rfc3339(this.store.clock.now());
    try {
      const existing = this.recent.get(key);
      if (existing && this.store.get(R.events, ns, existing)) {
        this.store.mutate(R.events, ns, existing, (e) => {
          e.count = (typeof e.count === 'number' ? e.count : 1) + 1;
          e.lastTimestamp = now;
        });
        return;
      }
      // Real names are <object>.<unix nanos in hex>; random bits keep two recorders from colliding.
      const evName = `${name}.${randomBytes(8).toString('hex')}`;
      this.store.create(R.events, {
        metadata: { name: evName, namespace: ns },
        involvedObject: {
          kind: obj.kind, namespace: obj.metadata.namespace, name, uid, apiVersion: obj.apiVersion,
          resourceVersion: obj.metadata.resourceVersion, ...(fieldPath ? { fieldPath } : {}),
        },
        reason, message, type, count: 1,
        source: { component: source.component, ...(source.host ? { host: source.host } : {}) },
        firstTimestamp: now, lastTimestamp: now, eventTime: null,
        reportingComponent: source.component, reportingInstance: source.host ?? '',
      });
      this.recent.set(key, evName);
      if (this.recent.size > MAX_TRACKED) { const first = this.recent.keys().next().value; if (first !== undefined) this.recent.delete(first); }
    } catch (e) {
      // A terminating or deleted namespace refuses new events: nothing to report there any more.
      if (!(e instanceof StatusError)) throw e;
    }
  }
}
