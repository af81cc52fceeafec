// Connects the Kubernetes provider's typed events (`provider.k8sEvents`) and its informer view
// (`provider.pods()`) to KubernetesProviderMetrics, the SLI window and the event recorder. The
// provider never calls observability code; this is the one subscriber (the seam: docs/adr/0005).
import type { EventEmitter } from 'node:events';
import type { KubernetesProviderEventMap, PodResources as Resources } from '../../providers/kubernetes/events.js';
import type { KubernetesProviderMetrics, PodSnapshot, StartupPhase } from './metrics.js';
import { cpuMillis, memoryBytes } from '../../util/quantity.js';
import type { EventSource } from '../events/types.js';
import type { ApiRequestEvents } from './api-requests.js';

/** The events this observer consumes. */
export type ObservedK8sEvents = Pick<KubernetesProviderEventMap,
  'api.request' | 'pod.created' | 'pod.failed' | 'pod.ready' | 'pod.deleted' | 'namespace.created' | 'namespace.deleted'>;

/** A pod as list/watch returns it (the fields the gauges read). */
export interface PodLike {
  metadata: { deletionTimestamp?: string };
  spec?: { containers?: { resources?: { requests?: Record<string, string> } }[] };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; reason?: string }[];
    containerStatuses?: { state?: { waiting?: { reason?: string } } }[];
    initContainerStatuses?: { state?: { waiting?: { reason?: string } } }[];
  };
}

export interface KubernetesEventSource {
  /** The provider's own name: the `provider` of every event recorded for it. */
  readonly id: string;
  readonly k8sEvents: EventEmitter<ObservedK8sEvents> | EventEmitter;
  pods(): readonly PodLike[];
}

export const isKubernetesEventSource = (p: object): p is KubernetesEventSource =>
  typeof (p as Partial<KubernetesEventSource>).pods === 'function'
  && typeof (p as { k8sEvents?: { on?: unknown } }).k8sEvents?.on === 'function';

/** What the gauges need from a pod: phase (Terminating while being deleted), why it is Pending, its requests. */
function podSnapshot(p: PodLike): PodSnapshot {
  const phase = p.status?.phase ?? 'Pending';
  const finished = phase === 'Succeeded' || phase === 'Failed';
  const requests = (p.spec?.containers ?? []).map((c) => c.resources?.requests ?? {});
  const snap: PodSnapshot = {
    phase: p.metadata.deletionTimestamp && !finished ? 'Terminating' : phase,
    cpuMillicores: requests.reduce((a, r) => a + cpuMillis(r.cpu), 0),
    memoryBytes: requests.reduce((a, r) => a + memoryBytes(r.memory), 0),
    gpus: requests.reduce((a, r) => a + (Number(r['nvidia.com/gpu'] ?? 0) || 0), 0),
  };
  if (phase === 'Pending') snap.pendingReason = pendingReason(p);
  return snap;
}

function pendingReason(p: PodLike): string {
  const sched = p.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (sched?.status === 'False' && sched.reason === 'Unschedulable') return 'Unschedulable';
  if (sched?.status !== 'True') return 'Scheduling';
  for (const c of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
    if (c.state?.waiting?.reason) return c.state.waiting.reason;
  }
  return 'ContainerCreating';
}

const fmtMemory = (b: number): string => (b % 2 ** 20 === 0 ? `${b / 2 ** 20}Mi` : String(b));

/** Subscribes; returns the function that unsubscribes. */
export function observeKubernetesProvider(provider: KubernetesEventSource, o: {
  metrics: KubernetesProviderMetrics; events: EventSource; api?: ApiRequestEvents;
}): () => void {
  const { metrics, events } = o;
  const emitter = provider.k8sEvents as EventEmitter<ObservedK8sEvents>;
  const base = { provider: provider.id };
  // What pod.created told us, until the pod is gone (bounded by live pods).
  const created = new Map<string, { image: string; resources: Resources }>();
  // The informer replaces a pod's object when the pod changes, so a snapshot cached per object is
  // never stale: a scrape at 10,000 pods parses only the quantities of pods that changed since.
  const snapshots = new WeakMap<PodLike, PodSnapshot>();
  const snapshotOf = (p: PodLike): PodSnapshot => {
    let snap = snapshots.get(p);
    if (!snap) snapshots.set(p, snap = podSnapshot(p));
    return snap;
  };
  metrics.bindPodView(() => provider.pods().map(snapshotOf));

  const handlers: { [K in keyof ObservedK8sEvents]: (...a: ObservedK8sEvents[K]) => void } = {
    'api.request': (ev) => {
      metrics.observeApiRequest(ev);
      o.api?.record(ev);
    },
    'pod.created': (ev) => {
      created.set(ev.workerId, { image: ev.image, resources: ev.resources });
      const r = ev.resources;
      if (r.cpuMillis || r.memoryBytes || r.gpus) {
        events.record('resource.allocated', { ...base, workerId: ev.workerId, jobId: ev.jobId, namespace: ev.namespace,
          details: { cpu_millicores: r.cpuMillis, memory_bytes: r.memoryBytes, gpus: r.gpus } });
      }
    },
    'pod.ready': (ev) => {
      metrics.incrementWorkersCreated();
      metrics.observePodCreation(ev.durationMs);
      const s = ev.startup;
      // Each phase observed goes to the histogram and into the event (details.startup_ms), so the
      // console shows one job's startup next to its log.
      const startupMs: Partial<Record<StartupPhase, number>> = {};
      const phase = (name: StartupPhase, from?: number, to?: number): void => {
        if (from === undefined || to === undefined || to < from) return;
        metrics.observeStartupPhase(name, to - from);
        startupMs[name] = Math.round(to - from);
      };
      phase('scheduling', s.createdAt, s.scheduledAt);
      phase('image_pull', s.scheduledAt, s.imagePulledAt);
      phase('container_start', s.imagePulledAt ?? s.scheduledAt, s.containerStartedAt);
      phase('agent_registration', s.containerStartedAt, s.agentRegisteredAt);
      const c = created.get(ev.workerId);
      events.record('worker.created', {
        ...base, workerId: ev.workerId, jobId: ev.jobId, namespace: ev.namespace, durationMs: ev.durationMs,
        details: {
          pod: ev.pod, ...(c ? { image: c.image } : {}),
          ...(c?.resources.cpuMillis ? { cpu_request: `${c.resources.cpuMillis}m` } : {}),
          ...(c?.resources.memoryBytes ? { memory_request: fmtMemory(c.resources.memoryBytes) } : {}),
          ...(c?.resources.gpus ? { gpu_request: c.resources.gpus } : {}),
          startup_ms: startupMs,
        },
      });
    },
    'pod.failed': (ev) => {
      metrics.incrementWorkersFailed(ev.reason);
      events.record('worker.failed', { ...base, workerId: ev.workerId, jobId: ev.jobId, namespace: ev.namespace,
        durationMs: ev.durationMs ?? null, details: { reason: ev.reason, message: ev.message, pod: ev.pod } });
    },
    'pod.deleted': (ev) => {
      metrics.incrementWorkersDeleted();
      if (ev.durationMs !== null) metrics.observePodDeletion(ev.durationMs);
      events.record('worker.deleted', { ...base, workerId: ev.workerId, jobId: ev.jobId, namespace: ev.namespace,
        durationMs: ev.durationMs, details: { reason: ev.cause, pod: ev.pod } });
      const c = created.get(ev.workerId);
      created.delete(ev.workerId);
      const r = c?.resources;
      if (r && (r.cpuMillis || r.memoryBytes || r.gpus)) {
        events.record('resource.released', { ...base, workerId: ev.workerId, jobId: ev.jobId, namespace: ev.namespace,
          details: { cpu_millicores: r.cpuMillis, memory_bytes: r.memoryBytes, gpus: r.gpus } });
      }
    },
    'namespace.created': (ev) => {
      metrics.recordNamespaceOperation('create');
      events.record('namespace.created', { ...base, namespace: ev.namespace, durationMs: ev.durationMs,
        ...(ev.recreated ? { details: { reason: 'Recreated', message: `namespace ${ev.namespace} was deleted outside Hodei; recreated` } } : {}) });
    },
    'namespace.deleted': (ev) => {
      metrics.recordNamespaceOperation('delete');
      events.record('namespace.deleted', { ...base, namespace: ev.namespace, durationMs: ev.durationMs });
    },
  };
  for (const [name, fn] of Object.entries(handlers)) emitter.on(name as keyof ObservedK8sEvents, fn as never);
  return () => {
    for (const [name, fn] of Object.entries(handlers)) emitter.off(name as keyof ObservedK8sEvents, fn as never);
  };
}
