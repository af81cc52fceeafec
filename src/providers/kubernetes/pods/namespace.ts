// Worker namespaces: ensured to exist with Pod Security Standards "restricted" enforced (the
// pods we create already comply; the label makes the cluster refuse anything that does not).
import type { CoreV1Api, V1Namespace } from '@kubernetes/client-node';
import type { Logger } from '../../../observability/logger.js';
import { isConflict, isNotFound, ProvisionError, apiMessage, failureReasonOf, httpCode } from '../client/api-errors.js';
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
  /** `recreated`: it had existed in this process and was deleted outside Hodei. */
  onCreated: (namespace: string, durationMs: number, recreated: boolean) => void;
  /** How long a recreation waits for a terminating namespace to go. @defaultValue 120000 */
  terminatingWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * A write refused because its namespace is gone (404 naming the namespace) or being deleted (403
 * "being terminated"): what every create in a namespace deleted under a running control plane gets.
 */
export function isNamespaceGone(err: unknown): boolean {
  const code = httpCode(err);
  const msg = apiMessage(err);
  return (code === 404 && /namespaces? "[^"]*" not found/.test(msg)) || (code === 403 && /because it is being terminated/.test(msg));
}

/**
 * Ensures each namespace once per process (concurrent callers share the same attempt), and
 * recreates one deleted under it: `recover` waits for a terminating namespace to go, then creates
 * it again (reported with `recreated`, so extensions re-apply what they keep there).
 */
export class NamespaceManager {
  private readonly ensured = new Map<string, Promise<void>>();
  private readonly recovering = new Map<string, Promise<void>>();
  /** Namespaces seen to exist in this process: a later creation of one is a recreation. */
  private readonly known = new Set<string>();

  constructor(private readonly o: NamespaceManagerOptions) {}

  /**
   * `name` was found deleted (or deleting): forget it was ensured and ensure it again. Concurrent
   * callers share one attempt; a call after it finished costs one read when the namespace is back.
   */
  recover(name: string): Promise<void> {
    let p = this.recovering.get(name);
    if (!p) {
      this.ensured.delete(name);
      p = this.ensure(name).finally(() => this.recovering.delete(name));
      this.recovering.set(name, p);
    }
    return p;
  }

  /** Whether `name` is missing or terminating (a read; false when the read itself fails). */
  async isGone(name: string): Promise<boolean> {
    try {
      const ns = await this.o.core.readNamespace({ name });
      return Boolean(ns.metadata?.deletionTimestamp);
    } catch (err) {
      return isNotFound(err);
    }
  }

  ensure(name: string): Promise<void> {
    let p = this.ensured.get(name);
    if (!p) {
      p = this.doEnsure(name);
      this.ensured.set(name, p);
      p.catch(() => this.ensured.delete(name)); // a failed attempt is retried by the next caller
    }
    return p;
  }

  private async read(name: string): Promise<V1Namespace | undefined> {
    try {
      return await this.o.core.readNamespace({ name });
    } catch (err) {
      if (!isNotFound(err)) throw new ProvisionError(failureReasonOf(err), `reading namespace ${name}: ${apiMessage(err)}`);
      return undefined;
    }
  }

  private async doEnsure(name: string): Promise<void> {
    let existing = await this.read(name);
    // Being deleted: nothing can be created in it until it is gone (the namespace controller is
    // deleting its content), then it is created anew.
    const deadline = Date.now() + (this.o.terminatingWaitMs ?? 120_000);
    const sleep = this.o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    while (existing?.metadata?.deletionTimestamp) {
      if (Date.now() > deadline) throw new ProvisionError('NamespaceDeleted', `namespace ${name} is still being deleted after ${this.o.terminatingWaitMs ?? 120_000} ms`);
      await sleep(500);
      existing = await this.read(name);
    }
    if (existing) {
      this.known.add(name);
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
      const recreated = this.known.has(name);
      this.known.add(name);
      if (recreated) this.o.logger.warn({ namespace: name }, 'worker namespace was deleted outside Hodei; recreated it (PSS restricted)');
      else this.o.logger.info({ namespace: name }, 'created worker namespace (PSS restricted)');
      this.o.onCreated(name, Date.now() - started, recreated);
    } catch (err) {
      if (isConflict(err)) return; // created concurrently (or our retried create had landed)
      throw new ProvisionError(failureReasonOf(err), `creating namespace ${name}: ${apiMessage(err)}`);
    }
  }
}
