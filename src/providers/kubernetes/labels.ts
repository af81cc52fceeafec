// Labels, names and selectors every object of this provider carries: how the informer, adoption and
// garbage collection recognise "ours" (managed-by + provider-id) and map a pod to its worker.
import { VERSION } from '../../version.js';

export const LABEL = {
  name: 'app.kubernetes.io/name',
  component: 'app.kubernetes.io/component',
  managedBy: 'app.kubernetes.io/managed-by',
  instance: 'app.kubernetes.io/instance',
  version: 'app.kubernetes.io/version',
  partOf: 'app.kubernetes.io/part-of',
  workerId: 'hodei.io/worker-id',
  jobId: 'hodei.io/job-id',
  providerId: 'hodei.io/provider-id',
  /** Job label choosing a per-tenant namespace when `tenantNamespaces` is on. */
  tenant: 'hodei.io/tenant',
} as const;

export const MANAGED_BY = 'hodei';

/** Selector of every object this provider instance owns. */
export function ownedSelector(providerId: string): string {
  return `${LABEL.managedBy}=${MANAGED_BY},${LABEL.providerId}=${providerId}`;
}

export function workerLabels(providerId: string, workerId: string, jobId: string | null): Record<string, string> {
  return {
    [LABEL.name]: 'hodei-worker',
    [LABEL.component]: 'worker',
    [LABEL.partOf]: 'hodei',
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.instance]: labelValue(providerId),
    [LABEL.version]: labelValue(VERSION),
    [LABEL.workerId]: labelValue(workerId),
    [LABEL.providerId]: labelValue(providerId),
    ...(jobId ? { [LABEL.jobId]: labelValue(jobId) } : {}),
  };
}

/** Deterministic pod name of a worker: a retried create of the same worker is a 409, never a second pod. */
export function podName(workerId: string): string {
  return dnsName(`hodei-${workerId}`);
}

export function secretName(workerId: string): string {
  return dnsName(`hodei-${workerId}-token`);
}

/** Lowercase RFC 1123 name of at most 63 characters. */
export function dnsName(raw: string): string {
  const s = raw.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return s.slice(0, 63).replace(/-+$/, '') || 'hodei';
}

/** A valid label value (≤ 63 chars of [A-Za-z0-9-_.], alphanumeric at both ends). */
export function labelValue(raw: string): string {
  return raw.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}
