// Metric names the assets query. Kubernetes names come from the shared prefix; keep in step with
// src/providers/kubernetes/metrics.ts and docs/metrics.md.
import { K8S_METRIC_PREFIX } from '../../src/providers/kubernetes/slo-config.js';

const k8s = <N extends string>(name: N): `hodei_kubernetes_${N}` => `${K8S_METRIC_PREFIX}${name}` as `hodei_kubernetes_${N}`;

export const M = {
  workersCreated: k8s('workers_created_total'),
  workersDeleted: k8s('workers_deleted_total'),
  workersFailed: k8s('workers_failed_total'),
  workersActive: k8s('workers_active'),
  podCreation: k8s('pod_creation_duration_seconds'),
  podDeletion: k8s('pod_deletion_duration_seconds'),
  apiRequests: k8s('api_requests_total'),
  apiErrors: k8s('api_request_errors_total'),
  apiDuration: k8s('api_request_duration_seconds'),
  cpuRequest: k8s('cpu_request_total'),
  memoryRequest: k8s('memory_request_total'),
  gpuCount: k8s('gpu_count_total'),
  podsByState: k8s('pods_by_state'),
  hpaOperations: k8s('hpa_operations_total'),
  namespaceOperations: k8s('namespace_operations_total'),
  networkPolicyViolations: k8s('network_policy_violations_total'),
  podStartupPhase: k8s('pod_startup_phase_seconds'),
  podsPending: k8s('pods_pending'),
  hpaResponse: k8s('hpa_response_duration_seconds'),
  jobsQueued: 'hodei_jobs_queued',
  jobQueueWait: 'hodei_job_queue_wait_seconds',
  jobDuration: 'hodei_job_duration_seconds',
  jobsFinished: 'hodei_jobs_finished_total',
  queueJobs: 'hodei_queue_jobs',
  queueOldest: 'hodei_queue_oldest_queued_seconds',
  queuePaused: 'hodei_queue_paused',
  queueLastStart: 'hodei_queue_last_start_timestamp_seconds',
  scheduleRuns: 'hodei_schedule_runs_total',
  scheduleStartDelay: 'hodei_schedule_start_delay_seconds',
  healthStatus: 'hodei_health_status',
  sloCompliant: 'hodei_slo_compliant',
  sloBudgetRemaining: 'hodei_slo_error_budget_remaining_ratio',
  sloBurnRate: 'hodei_slo_burn_rate',
  sliValue: 'hodei_sli_value',
} as const;

/** Labels every alert and recording rule aggregates to: the scrape target's, plus the provider. */
export const BY_TARGET = 'job, namespace';
export const BY_PROVIDER = 'job, namespace, provider';

/**
 * Increase of a counter over `w` that also counts series born inside the window. prom-client
 * creates a labelled series at its first increment, so increase()/rate() never see that first
 * step (a series first scraped at 2 looks flat): a series absent `w` ago contributes its whole value.
 */
export const increaseNewAware = (selector: string, w: string): string =>
  `(${selector} unless ${selector} offset ${w}) or increase(${selector}[${w}])`;
