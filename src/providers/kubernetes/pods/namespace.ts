// Worker namespaces: ensured to exist with Pod Security Standards "restricted" enforced (the
// pods we create already comply; the label makes the cluster refuse anything that does not).
import type { CoreV1Api, V1Namespace } from '@kubernetes/client-node';
import type { Logger } from '../../../observability/logger.js';
import { isConflict, isNotFound, ProvisionError, apiMessage, failureReasonOf } from '../client/api-errors.js';
import { dnsName, LABEL, MANAGED_BY } from '../labels.js';

export const PSS_LABELS: Record<string, string> = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
};

/** Namespace of a job: `<base>-<tenant>` for a `hodei.io/tenant` label when tenant namespaces are on. */
export function namespaceFor(base: string, tenantNamespaces: boolean, labels: Record<string, string>): string {
  const tenant = labels[LABEL.tenant];
  return tenantNamespaces && tenant ? dnsName(`${base}-${tenant}`) : base;
}

export interface NamespaceManagerOptions {
  core: CoreV1Api;
  logger: Logger;
  /** Create missing namespaces; false: a missing namespace is a configuration error. */
  create: boolean;
  onCreated: (namespace: string, durationMs: number) => void;
}

/** Ensures each namespace once per process (concurrent callers share the same attempt). */
export class NamespaceManager {
  private readonly ensured = new Map<string, Promise<void>>();

  constructor(private readonly o: NamespaceManagerOptions) {}

  ensure(name: string): Promise<void> {
    let p = this.ensured.get(name);
    if (!p) {
      p = this.doEnsure(name);
      this.ensured.set(name, p);
      p.catch(() => this.ensured.delete(name)); // a failed attempt is retried by the next caller
    }
    return p;
  }

  private async doEnsure(name: string): Promise<void> {
    let existing: V1Namespace | undefined;
    try {
      existing = await this.o.core.readNamespace({ name });
    } catch (err) {
      if (!isNotFound(err)) throw new ProvisionError(failureReasonOf(err), `reading namespace ${name}: ${apiMessage(err)}`);
    }
    if (existing) {
      const labels = existing.metadata?.labels ?? {};
      if (labels['pod-security.kubernetes.io/enforce'] !== 'restricted') {
        this.o.logger.warn({ namespace: name }, 'worker namespace does not enforce Pod Security "restricted"; pods comply anyway');
      }
      return;
    }
    if (!this.o.create) throw new ProvisionError('ApiError', `namespace ${name} does not exist and createNamespace is false`);
    const started = Date.now();
    try {
      await this.o.core.createNamespace({
        body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { ...PSS_LABELS, [LABEL.managedBy]: MANAGED_BY } } },
      });
      this.o.logger.info({ namespace: name }, 'created worker namespace (PSS restricted)');
      this.o.onCreated(name, Date.now() - started);
    } catch (err) {
      if (isConflict(err)) return; // created concurrently (or our retried create had landed)
      throw new ProvisionError(failureReasonOf(err), `creating namespace ${name}: ${apiMessage(err)}`);
    }
  }
}
