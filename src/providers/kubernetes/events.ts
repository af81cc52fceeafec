// Typed events of the Kubernetes provider (`provider.k8sEvents`). Metrics, the event recorder and
// health subscribe here; the provider's internals never call observability code. Payloads carry no
// tokens or secret values. Names are namespaced like the spec's event types.
import type { ApiRequestEvent } from './client/client.js';
import type { BreakerState } from './client/resilience.js';
import type { FailureReason, PodState } from './pods/pod-status.js';

export interface PodRef {
  workerId: string;
  jobId: string | null;
  namespace: string;
  pod: string;
}

export interface PodResources {
  cpuMillis: number;
  memoryBytes: number;
  gpus: number;
}

/** Milliseconds since the epoch at which each startup step was first observed (local clock). */
export interface StartupBreakdown {
  /** The create request was sent (for adopted pods: the pod's creationTimestamp). */
  createdAt: number;
  scheduledAt?: number;
  /** The main container's image was present (imageID set, or the container left "waiting"). */
  imagePulledAt?: number;
  containerStartedAt?: number;
  agentRegisteredAt?: number;
}

export interface KubernetesProviderEventMap {
  /** Every HTTP request sent to the API server (each retry included) — the client hook, re-emitted. */
  'api.request': [ev: ApiRequestEvent];
  'api.breaker': [ev: { state: BreakerState }];
  /** A worker pod was created; `durationMs` is the create call (with its retries). */
  'pod.created': [ev: PodRef & { durationMs: number; image: string; resources: PodResources }];
  /** Provisioning failed before or after the pod existed (quota, RBAC, pull failure, pending timeout...). */
  'pod.failed': [ev: PodRef & { reason: FailureReason; message: string; durationMs?: number }];
  /** The pod's state (pods_by_state) changed; `from` is null for a pod first seen. */
  'pod.state': [ev: PodRef & { from: PodState | null; to: PodState }];
  /** The pod is Running and its agent registered: `startup` holds the breakdown, `durationMs` create → registered. */
  'pod.ready': [ev: PodRef & { durationMs: number; startup: StartupBreakdown }];
  /** The pod is gone from the API. `durationMs`: our delete request → gone (null when someone else deleted it). */
  'pod.deleted': [ev: PodRef & { durationMs: number | null; cause: 'terminated' | 'finished' | 'orphan' | 'external' | 'failed' }];
  /** A pod of ours found at start (or after a relist) and matched to a live worker. */
  'pod.adopted': [ev: PodRef];
  /** `recreated`: it was deleted outside Hodei under a running control plane, and created again. */
  'namespace.created': [ev: { namespace: string; durationMs: number; recreated?: boolean }];
  'namespace.deleted': [ev: { namespace: string; durationMs: number }];
  /** The informer (re)listed: at start, after 410 Gone, or after a failed watch could not resume. */
  'informer.relist': [ev: { reason: 'initial' | 'gone' | 'error'; pods: number }];
  /** One pass of the provider's reconcile finished (liveness for the health checker). */
  'reconcile.done': [ev: { durationMs: number; orphansDeleted: number; secretsDeleted: number }];
}
