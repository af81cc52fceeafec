// Mirrors worker lifecycle events onto the worker's pod as Kubernetes Events (events.k8s.io/v1), so
// `kubectl describe pod` shows what Hodei did with it. Best effort: a failure here is logged by the
// recorder and never blocks the event store.
import type { KubeClient } from '../../providers/kubernetes/client/client.js';
import type { EventSink, HodeiEvent } from '../events/types.js';

/** Hodei event type → Kubernetes Event action, reason and type. */
const MIRRORED: Record<string, { action: string; reason: string; type: 'Normal' | 'Warning' }> = {
  'worker.created': { action: 'Create', reason: 'WorkerCreated', type: 'Normal' },
  'worker.deleted': { action: 'Delete', reason: 'WorkerDeleted', type: 'Normal' },
  'worker.failed': { action: 'Fail', reason: 'WorkerFailed', type: 'Warning' },
};

const REPORTING_CONTROLLER = 'hodei.io/control-plane';

/** MicroTime, as events.k8s.io/v1 requires ("2006-01-02T15:04:05.000000Z"). */
const microTime = (iso: string): string => iso.replace(/\.(\d{3})Z$/, '.$1000Z');

function toKubernetesEvent(e: HodeiEvent, reportingInstance: string, podUid?: string): Record<string, unknown> | null {
  const m = MIRRORED[e.event_type];
  const pod = typeof e.details.pod === 'string' ? e.details.pod : undefined;
  if (!m || !pod || !e.namespace) return null;
  const reason = typeof e.details.reason === 'string' && e.event_type === 'worker.failed' ? e.details.reason : m.reason;
  const note = [
    `hodei ${e.event_type}`,
    e.worker_id ? `worker ${e.worker_id}` : '',
    typeof e.details.job_id === 'string' ? `job ${e.details.job_id}` : '',
    e.duration_ms !== null ? `in ${Math.round(e.duration_ms)} ms` : '',
    typeof e.details.message === 'string' ? e.details.message : '',
  ].filter(Boolean).join(', ').slice(0, 1024);
  return {
    apiVersion: 'events.k8s.io/v1', kind: 'Event',
    // A generateName may end in "-" but not "." (the real API server validates it as a name prefix).
    metadata: { generateName: `${pod}-`, namespace: e.namespace },
    eventTime: microTime(e.timestamp), action: m.action, reason, type: m.type, note,
    reportingController: REPORTING_CONTROLLER, reportingInstance,
    // kubectl describe finds a pod's events by its uid.
    regarding: { apiVersion: 'v1', kind: 'Pod', name: pod, namespace: e.namespace, ...(podUid ? { uid: podUid } : {}) },
  };
}

export class KubernetesEventSink implements EventSink {
  readonly name = 'kubernetes-events';

  /**
   * `client` is a getter: the provider's client exists only once the provider started. `podUid`
   * finds the pod's uid (the informer's view) so the Event is attached to that very pod.
   */
  constructor(
    private readonly client: () => KubeClient,
    private readonly reportingInstance: string,
    private readonly podUid: (namespace: string, name: string) => string | undefined = () => undefined,
  ) {}

  async write(events: readonly HodeiEvent[]): Promise<void> {
    const bodies = events.map((e) => {
      const pod = typeof e.details.pod === 'string' ? e.details.pod : '';
      return toKubernetesEvent(e, this.reportingInstance, e.namespace ? this.podUid(e.namespace, pod) : undefined);
    }).filter((b) => b !== null);
    await Promise.all(bodies.map((b) => {
      const ns = (b.metadata as { namespace: string }).namespace;
      return this.client().request('POST', `/apis/events.k8s.io/v1/namespaces/${ns}/events`, {}, b);
    }));
  }
}
