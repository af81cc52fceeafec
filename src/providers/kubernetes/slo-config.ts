// The one source of truth for SLO targets: the in-process compliance check (slo.ts), the generated
// Prometheus recording/alert rules and the dashboard thresholds (monitoring/) all read this.
// The guide's four Kubernetes provider SLOs, plus the two of queues and schedules (issue 17): one
// `slo:` config section, one engine, one set of rules.

/** SLO targets of the Kubernetes provider; fields and defaults exactly as the observability guide. */
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

/** SLO targets of queues and schedules (every provider). */
export interface JobSLOs {
  /** Seconds; P95 time a job waits in its queue (last queued → running, per attempt, every queue). @defaultValue 60 */
  maxQueueWaitTime: number;
  /** Seconds; P95 time from a schedule tick to its job running, a missed tick counting as never started. @defaultValue 60 */
  maxScheduleStartDelay: number;
}

/** Every SLO target of the `slo:` config section: what the engine, the rules and the dashboards judge. */
export type SloTargets = KubernetesSLOs & JobSLOs;

export const DEFAULT_KUBERNETES_SLOS: Readonly<KubernetesSLOs> = Object.freeze({
  maxPodCreationTime: 30,
  minWorkerCreationSuccessRate: 0.99,
  maxApiErrorRate: 0.01,
  maxHpaResponseTime: 60,
});

export const DEFAULT_JOB_SLOS: Readonly<JobSLOs> = Object.freeze({
  maxQueueWaitTime: 60,
  maxScheduleStartDelay: 60,
});

export const DEFAULT_SLOS: Readonly<SloTargets> = Object.freeze({ ...DEFAULT_KUBERNETES_SLOS, ...DEFAULT_JOB_SLOS });

/** Stable SLO names, used as the `slo` label and in rule/alert names. */
export const SLO_NAMES = {
  maxPodCreationTime: 'pod_creation_time',
  minWorkerCreationSuccessRate: 'worker_creation_success_rate',
  maxApiErrorRate: 'api_error_rate',
  maxHpaResponseTime: 'hpa_response_time',
  maxQueueWaitTime: 'queue_wait_time',
  maxScheduleStartDelay: 'schedule_punctuality',
} as const satisfies Record<keyof SloTargets, string>;

/** SLOs stated as a P95 in seconds (the others are ratios): how clients show target and current value. */
export const SECONDS_SLOS: ReadonlySet<string> = new Set([
  SLO_NAMES.maxPodCreationTime, SLO_NAMES.maxHpaResponseTime, SLO_NAMES.maxQueueWaitTime, SLO_NAMES.maxScheduleStartDelay,
]);

/** Metric names of the Kubernetes provider (`hodei_kubernetes_<name>`), shared by code, rules and dashboards. */
export const K8S_METRIC_PREFIX = 'hodei_kubernetes_';

/** Buckets (seconds) of hodei_job_queue_wait_seconds; the queue wait SLO is counted with its `le="<target>"` bucket. */
export const QUEUE_WAIT_BUCKETS: readonly number[] = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
/** Buckets (seconds) of hodei_schedule_start_delay_seconds (tick → job running). */
export const SCHEDULE_DELAY_BUCKETS: readonly number[] = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
