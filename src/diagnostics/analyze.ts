// Turns a snapshot into what an SRE asks first — how fast workers are created, what state pods are
// in and why they wait, what failed and why, API error rate, health, SLOs — plus the likely cause
// when a known pattern shows. Pure: tested with hand-built snapshots and end to end.
import type { HealthCheck } from '../providers/provider.js';
import { queueCauses } from './queues.js';
import { sum, type Snapshot } from './snapshot.js';

export interface Diagnosis {
  windowMinutes: number;
  created: number;
  failed: number;
  creationRatePerMinute: number;
  podsByState: Record<string, number>;
  pendingByReason: Record<string, number>;
  failuresByReason: Array<{ reason: string; count: number }>;
  api: { requests: number; errors: number; rate: number };
  readiness: { status: string; failing: HealthCheck[] };
  slo: Array<{ slo: string; compliant: boolean; current: number; target: number; burnRate: number }>;
  /** Denied connections of worker pods, by policy and peer (network_policy.violation events). */
  networkPolicyViolations: Array<{ policy: string; destination: string; count: number }>;
  /** Worker namespaces deleted outside Hodei and recreated (namespace.created, reason Recreated). */
  namespacesRecreated: Array<{ namespace: string; count: number }>;
  /** Worker pods deleted outside Hodei (worker.deleted with cause `external`). */
  podsDeletedExternally: number;
  causes: string[];
}

const byLabel = (s: Snapshot, metric: string, label: string): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const m of s.metrics.get(metric) ?? []) {
    const k = m.labels[label];
    if (k !== undefined && m.value > 0) out[k] = (out[k] ?? 0) + m.value;
  }
  return out;
};

export function diagnose(s: Snapshot, windowMinutes: number): Diagnosis {
  const created = s.events.filter((e) => e.event_type === 'worker.created').length;
  const failedEvents = s.events.filter((e) => e.event_type === 'worker.failed');
  const reasons = new Map<string, number>();
  for (const e of failedEvents) {
    const r = typeof e.details.reason === 'string' ? e.details.reason : 'Unknown';
    reasons.set(r, (reasons.get(r) ?? 0) + 1);
  }
  const requests = sum(s.metrics, 'hodei_kubernetes_api_requests_total');
  const errors = sum(s.metrics, 'hodei_kubernetes_api_request_errors_total');
  const failing = s.health.readiness.checks.filter((c) => c.status !== 'Healthy');
  const d: Diagnosis = {
    windowMinutes, created, failed: failedEvents.length, creationRatePerMinute: created / windowMinutes,
    podsByState: byLabel(s, 'hodei_kubernetes_pods_by_state', 'state'),
    pendingByReason: byLabel(s, 'hodei_kubernetes_pods_pending', 'reason'),
    failuresByReason: [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
    api: { requests, errors, rate: requests ? errors / requests : 0 },
    readiness: { status: s.health.readiness.status, failing },
    slo: (s.slo?.slos ?? []).map(({ slo, compliant, current, target, burnRate }) => ({ slo, compliant, current, target, burnRate })),
    networkPolicyViolations: violations(s),
    namespacesRecreated: recreated(s),
    podsDeletedExternally: s.events.filter((e) => e.event_type === 'worker.deleted' && e.details.reason === 'external').length,
    causes: [],
  };
  d.causes = [...likelyCauses(d), ...queueCauses(s)];
  return d;
}

function violations(s: Snapshot): Diagnosis['networkPolicyViolations'] {
  const by = new Map<string, { policy: string; destination: string; count: number }>();
  for (const e of s.events.filter((x) => x.event_type === 'network_policy.violation')) {
    const policy = typeof e.details.policy === 'string' ? e.details.policy : 'unknown policy';
    const destination = typeof e.details.destination === 'string' ? e.details.destination : 'unknown peer';
    const v = by.get(`${policy} ${destination}`) ?? { policy, destination, count: 0 };
    v.count++;
    by.set(`${policy} ${destination}`, v);
  }
  return [...by.values()].sort((a, b) => b.count - a.count);
}

function recreated(s: Snapshot): Diagnosis['namespacesRecreated'] {
  const by = new Map<string, number>();
  for (const e of s.events) {
    if (e.event_type !== 'namespace.created' || e.details.reason !== 'Recreated') continue;
    const ns = e.namespace ?? 'unknown';
    by.set(ns, (by.get(ns) ?? 0) + 1);
  }
  return [...by].map(([namespace, count]) => ({ namespace, count }));
}

const failingCheck = (d: Diagnosis, name: string): HealthCheck | undefined => d.readiness.failing.find((c) => c.name.endsWith(name));
const count = (d: Diagnosis, ...reasons: string[]): number =>
  d.failuresByReason.filter((f) => reasons.includes(f.reason)).reduce((a, f) => a + f.count, 0)
  + reasons.reduce((a, r) => a + (d.pendingByReason[r] ?? 0), 0);

/** Known patterns, most specific first; each names the evidence and the next step. */
export function likelyCauses(d: Diagnosis): string[] {
  const out: string[] = [];
  const quota = failingCheck(d, 'quota');
  const quotaFailures = count(d, 'ExceededQuota');
  if (quota || quotaFailures) {
    out.push(`Quota exhausted${quota ? `: ${quota.message}` : ''}${quotaFailures ? ` (${quotaFailures} workers refused)` : ''}. `
      + 'Raise the ResourceQuota or lower max workers: kubectl describe resourcequota -n <namespace>');
  }
  const pulls = count(d, 'ImagePullBackOff', 'ErrImagePull', 'InvalidImageName');
  if (pulls) out.push(`Image pull failures (${pulls}): check the image name and tag, the registry and imagePullSecrets: kubectl describe pod -n <namespace> <pod>`);
  const config = count(d, 'CreateContainerConfigError');
  if (config) out.push(`Containers cannot be configured (${config} CreateContainerConfigError): a Secret or ConfigMap the pod refers to is missing: kubectl describe pod -n <namespace> <pod>`);
  const pending = count(d, 'PodPending');
  if (pending) out.push(`Worker pods still Pending at the registration timeout (${pending}): kubectl describe pod -n <namespace> <pod> shows what they wait on`);
  const rbac = failingCheck(d, 'rbac');
  const forbidden = count(d, 'Forbidden');
  if (rbac || forbidden) out.push(`RBAC denied${rbac ? `: ${rbac.message}` : ` (${forbidden} workers)`}. Apply deploy/kubernetes/rbac.yaml; check with kubectl auth can-i --as=<service account>`);
  const capacity = failingCheck(d, 'capacity');
  const unschedulable = count(d, 'Unschedulable');
  if (capacity || unschedulable) out.push(`No capacity${capacity ? `: ${capacity.message}` : ''}${unschedulable ? ` (${unschedulable} pods unschedulable)` : ''}. Add nodes, lower requests, or check nodeSelector/tolerations: kubectl top nodes`);
  const api = failingCheck(d, 'api-error-rate') ?? failingCheck(d, 'circuit-breaker') ?? failingCheck(d, 'api');
  const apiSlo = d.slo.find((s) => s.slo === 'api_error_rate' && !s.compliant);
  if (api || apiSlo) out.push(`Kubernetes API errors: ${api?.message ?? `error rate ${(d.api.rate * 100).toFixed(2)}%`}. Check the API server's health, rate limits (429) and the control plane's network path`);
  const oom = count(d, 'OOMKilled');
  if (oom) out.push(`Jobs exceed their memory limit (${oom} OOMKilled): raise the job's memory request (hodei run --memory)`);
  const lost = count(d, 'AgentNeverRegistered', 'WorkerLost');
  if (lost) out.push(`Workers start but do not reach or stay connected to the control plane (${lost}): check the control-plane URL workers use and the network policy egress to it`);
  for (const v of d.networkPolicyViolations.slice(0, 3)) {
    out.push(`Network policy violation (${v.count}): NetworkPolicy ${v.policy} denied a worker pod's connection to ${v.destination}. Allow it in that policy, or fix the job's destination: kubectl describe networkpolicy -n <namespace>`);
  }
  for (const n of d.namespacesRecreated) {
    out.push(`Worker namespace ${n.namespace} was deleted outside Hodei (${n.count}×) and recreated; jobs whose pods it held ended with NamespaceDeleted. Find who deleted it: kubectl get events -A, the API server's audit log`);
  }
  if (d.podsDeletedExternally) out.push(`Worker pods deleted outside Hodei (${d.podsDeletedExternally}): their jobs ended with PodDeleted (or NamespaceDeleted). Check who deletes pods in the worker namespace (kubectl get events, audit log, eviction tools)`);
  const deadline = count(d, 'DeadlineExceeded');
  if (deadline) out.push(`Pods hit activeDeadlineSeconds (${deadline}): jobs run longer than their timeout`);
  return out;
}
