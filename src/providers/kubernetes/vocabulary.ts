// The provider's fixed vocabularies: every label value its metrics, events and dashboards use comes
// from these lists (anything else is folded into `Unknown` / `Other`), so the series can exist at 0
// from the first scrape and cardinality stays bounded. One list per concept, shared by the pod
// status reader, the metrics, the generated monitoring assets and the docs.
/** Why a worker never became ready or ended abnormally. */
export const FAILURE_REASONS = [
  'ImagePullBackOff', 'ErrImagePull', 'Unschedulable', 'OOMKilled', 'Evicted', 'DeadlineExceeded',
  'CrashLoopBackOff', 'ExceededQuota', 'Forbidden', 'ApiError', 'AgentNeverRegistered', 'ProvisioningFailed',
  'NetworkPolicyViolation', 'InvalidImageName', 'CreateContainerConfigError', 'PodPending',
  // Deleted outside Hodei: the pod alone (kubectl delete pod), or with its whole namespace.
  'PodDeleted', 'NamespaceDeleted', 'Unknown',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** A pod's state for counting (pods_by_state): the pod phase, or Terminating while being deleted. */
export const POD_STATES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown', 'Terminating'] as const;
export type PodState = (typeof POD_STATES)[number];

/** Why a pod is Pending; anything else is exported as `Other`. */
export const PENDING_REASONS = [
  'Unschedulable', 'ImagePullBackOff', 'ErrImagePull', 'ContainerCreating', 'PodInitializing',
  'CreateContainerConfigError', 'ExceededQuota', 'Scheduling', 'Other',
] as const;

export const STARTUP_PHASES = ['scheduling', 'image_pull', 'container_start', 'agent_registration'] as const;
export type StartupPhase = (typeof STARTUP_PHASES)[number];

/** What the worker pools do to their HPAs (hpa_operations_total{operation}). */
export const HPA_OPERATIONS = ['create', 'update', 'delete', 'scale_up', 'scale_down'] as const;
/** namespace_operations_total{operation}. */
export const NAMESPACE_OPERATIONS = ['create', 'delete'] as const;
/** Where a network policy violation was seen: refused at admission, or reported by the network layer (CNI / sim). */
export const VIOLATION_SOURCES = ['admission', 'cni'] as const;
export type ViolationSource = (typeof VIOLATION_SOURCES)[number];

/** `code` label of a request that got no response (as client-go labels it). */
const NO_RESPONSE = '<error>';
/** `code` label of a request that got no response within the client-side timeout (requestTimeoutMs). */
export const TIMED_OUT = 'timeout';
/** The `code` values that make a request an API error (see isFailedApiRequest). */
export const API_ERROR_CODES = ['429', '500', '502', '503', '504', NO_RESPONSE, TIMED_OUT] as const;

/**
 * THE decision whether a Kubernetes API request failed — for the SLO, the readiness error rate,
 * the error counter and `api.request.failed` events alike: no response (code 0), 429 or 5xx. Other
 * 4xx are answers (a 404 probe or a 409 race is not an outage; a 403 storm shows by `code`).
 */
export function isFailedApiRequest(code: number | undefined): boolean {
  return code === undefined || code === 0 || code === 429 || code >= 500;
}

/** The `code` label of a request: its HTTP status, `timeout` (no answer within the client's timeout), or NO_RESPONSE. */
export const codeLabel = (code: number | undefined, timedOut = false): string => (timedOut ? TIMED_OUT : code ? String(code) : NO_RESPONSE);
