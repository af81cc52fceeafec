// events.k8s.io/v1 and core/v1 Events are one resource in a real cluster (two API views of the same
// objects). The sim stores them separately, so this controller shows every events.k8s.io/v1 Event
// as its core/v1 twin too — which is what `kubectl describe` lists.
import { R, StatusError, type KubeObject } from '../store/index.js';
import type { SimContext, SimController } from '../types.js';

interface EventV1 extends KubeObject {
  regarding?: { kind?: string; name?: string; namespace?: string; uid?: string; apiVersion?: string; fieldPath?: string };
  note?: string;
  reason?: string;
  type?: string;
  action?: string;
  eventTime?: string;
  reportingController?: string;
  reportingInstance?: string;
  series?: { count?: number; lastObservedTime?: string };
}

/** The core/v1 view of an events.k8s.io/v1 Event (the real API server's conversion). */
export function toCoreEvent(e: EventV1): KubeObject {
  const at = e.series?.lastObservedTime ?? e.eventTime ?? e.metadata.creationTimestamp;
  return {
    apiVersion: 'v1', kind: 'Event',
    metadata: { name: e.metadata.name, namespace: e.metadata.namespace },
    involvedObject: { ...e.regarding },
    reason: e.reason, message: e.note, type: e.type, action: e.action,
    count: e.series?.count ?? 1, eventTime: e.eventTime ?? null,
    firstTimestamp: e.eventTime ?? at, lastTimestamp: at,
    source: { component: e.reportingController ?? '' },
    reportingComponent: e.reportingController ?? '', reportingInstance: e.reportingInstance ?? '',
  };
}

export class EventsV1Mirror implements SimController {
  readonly name = 'events-v1-mirror';
  private off: (() => void) | undefined;

  start(ctx: SimContext): void {
    this.off = ctx.store.onChange(R.eventsv1, (ev) => {
      const ns = ev.object.metadata.namespace ?? 'default';
      const name = ev.object.metadata.name ?? '';
      try {
        if (ev.type === 'DELETED') {
          if (ctx.store.get(R.events, ns, name)) ctx.store.delete(R.events, ns, name);
          return;
        }
        const core = toCoreEvent(ev.object as EventV1);
        if (ctx.store.get(R.events, ns, name)) ctx.store.mutate(R.events, ns, name, (e) => Object.assign(e, core));
        else ctx.store.create(R.events, core);
      } catch (err) {
        // A namespace being deleted refuses new objects: nothing to show there any more.
        if (!(err instanceof StatusError)) throw err;
      }
    });
  }

  stop(): void {
    this.off?.();
  }
}
