// The public library API of the `hodei` package (named exports only): what a user of the
// observability guide imports — the Kubernetes provider's metrics, health checker and SLO types,
// the event recorder and its types — plus the control plane, its HTTP client, the provider
// interface and the Kubernetes API simulator. Everything else is internal and may change.

// Metrics
export {
  KubernetesProviderMetrics, POD_STATES, FAILURE_REASONS,
  type KubernetesProviderMetricsOptions, type ApiRequestLabels, type PodState,
} from './providers/kubernetes/metrics.js';
// Health
export { KubernetesHealthChecker, type HealthCheckerOptions } from './providers/kubernetes/health.js';
export type { HealthCheck, HealthCheckResult, HealthStatus, WorkerProvider, ProviderWorker, ProvisionRequest, ProviderEvents } from './providers/provider.js';
export { KubeClient, type KubeClientOptions } from './providers/kubernetes/client.js';
export { loadKubeConfig } from './providers/kubernetes/kubeconfig.js';
// SLOs / SLIs
export {
  KubernetesSLOs, KubernetesSLIs, checkSloCompliance, SliTracker,
  type KubernetesSLIsData, type SloViolation, type SloStatus, type SloName, type SloTargets,
} from './providers/kubernetes/slo.js';
export { SloEngine, type SloEngineOptions, type SloReport } from './observability/slo-engine.js';
// Events
export { EventRecorder, type EventRecorderOptions, type EventRetention } from './observability/events/recorder.js';
export {
  EVENT_TYPES, EVENT_KEYS,
  type EventType, type EventDetailsMap, type HodeiEvent, type RecordOptions, type EventSink, type EventSource,
} from './observability/events/types.js';
export type { EventStore, EventQuery, NewEvent, StoredEvent } from './store/store.js';
// Control plane, client, provider interface, simulator
export { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './control-plane/control-plane.js';
export { loadConfig, type HodeiConfig } from './config.js';
export { HodeiClient, ApiError, UnreachableError, type JobSubmission } from './client/client.js';
export { startKubeSim, type KubeSim, type KubeSimOptions } from './kube-sim/index.js';
