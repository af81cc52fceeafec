// The one source of truth for SLO targets: the in-process compliance check (observability/kubernetes/slo.ts), the generated
// Prometheus recording/alert rules and the dashboard thresholds (monitoring/) all read this.

/** SLO targets of the Kubernetes provider; defaults exactly as the observability guide. */
export interface KubernetesSLOs {
  /** Seconds; P95 pod creation time (create request → pod Running and agent registered) must stay below. @defaultValue 30 */
  maxPodCreationTime: number;
  /** Ratio 0..1 of worker creations that succeed. @defaultValue 0.99 */
  minWorkerCreationSuccessRate: number;
  /** Ratio 0..1 of Kubernetes API requests that fail. @defaultValue 0.01 */
  maxApiErrorRate: number;
  /** Seconds; P95 time from an HPA's desired-replica change until that many pool workers are ready. @defaultValue 60 */
  maxHpaResponseTime: number;
}

export const DEFAULT_KUBERNETES_SLOS: Readonly<KubernetesSLOs> = Object.freeze({
  maxPodCreationTime: 30,
  minWorkerCreationSuccessRate: 0.99,
  maxApiErrorRate: 0.01,
  maxHpaResponseTime: 60,
});

/** Stable SLO names, used as the `slo` label and in rule/alert names. */
export const SLO_NAMES = {
  maxPodCreationTime: 'pod_creation_time',
  minWorkerCreationSuccessRate: 'worker_creation_success_rate',
  maxApiErrorRate: 'api_error_rate',
  maxHpaResponseTime: 'hpa_response_time',
} as const satisfies Record<keyof KubernetesSLOs, string>;

/** Metric names of the Kubernetes provider (`hodei_kubernetes_<name>`), shared by code, rules and dashboards. */
export const K8S_METRIC_PREFIX = 'hodei_kubernetes_';
