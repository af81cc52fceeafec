// The provider's own reconcile pass (besides the control plane's reconciler, which terminates
// whatever `list()` shows that the store does not know): adopts pods of live workers after a
// restart, deletes orphan pods (their worker is not live in the control plane), applies the
// retention policy to ended pods, and deletes leftover token Secrets.
import type { Logger } from '../../../observability/logger.js';
import type { RetentionPolicy } from '../config.js';
import type { KubernetesProviderEventMap } from '../events.js';
import type { PodInformer } from './informer.js';
import { LABEL } from '../labels.js';
import type { PodOps } from './pod-ops.js';
import { isFinished, type PodJson } from './pod-status.js';
import { isLiveState, type Tracked, type WorkerLookup, type WorkerTracker } from './worker-tracker.js';
import type { EventEmitter } from 'node:events';

/** A token Secret younger than this may belong to a provision in flight (its pod not seen by the informer yet). */
const SECRET_MIN_AGE_MS = 60_000;
/** A worker that just ended leaves its agent a moment to exit by itself before its pod is an orphan. */
export const ENDED_WORKER_GRACE_MS = 30_000;

export interface GcOptions {
  informer: PodInformer;
  tracker: WorkerTracker;
  ops: PodOps;
  logger: Logger;
  retention: RetentionPolicy;
  selector: string;
  namespaces: () => string[];
  lookupWorker?: WorkerLookup;
  k8sEvents: EventEmitter<KubernetesProviderEventMap>;
  deletePod: (t: Tracked | PodJson, cause: 'orphan' | 'finished') => Promise<void>;
  now?: () => number;
}

/** Whether an ended pod is deleted or kept for inspection. */
export function shouldDelete(retention: RetentionPolicy, failed: boolean): boolean {
  return retention === 'never' || (retention === 'onFailure' && !failed);
}

export function podFailed(p: PodJson): boolean {
  return p.status?.phase === 'Failed';
}

export class ProviderGc {
  private readonly adopted = new Set<string>();
  /** Worker id → when its worker was first seen ended while its pod still ran. */
  private readonly endedSince = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly o: GcOptions) {
    this.now = o.now ?? Date.now;
  }

  async run(): Promise<{ orphansDeleted: number; secretsDeleted: number }> {
    let orphansDeleted = 0;
    const pods = this.o.informer.list();
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp) continue;
      const workerId = pod.metadata.labels?.[LABEL.workerId];
      if (!workerId) continue;
      if (isFinished(pod)) {
        if (shouldDelete(this.o.retention, podFailed(pod))) await this.o.deletePod(pod, 'finished');
        continue;
      }
      if (!this.o.lookupWorker) continue;
      const info = await this.o.lookupWorker(workerId);
      if (info && isLiveState(info.state)) {
        const t = this.o.tracker.workers.get(workerId);
        if (t && !t.ours && !this.adopted.has(workerId)) {
          this.adopted.add(workerId);
          this.o.logger.info({ workerId, pod: pod.metadata.name }, 'adopted running worker pod');
          this.o.k8sEvents.emit('pod.adopted', { workerId, jobId: t.jobId, namespace: t.namespace, pod: t.pod });
        }
        continue;
      }
      // Unknown to the control plane: an orphan now. Ended: after a grace for the agent's own exit.
      if (info) {
        const since = this.endedSince.get(workerId) ?? this.now();
        this.endedSince.set(workerId, since);
        if (this.now() - since < ENDED_WORKER_GRACE_MS) continue;
      }
      this.o.logger.warn({ workerId, pod: pod.metadata.name, state: info?.state ?? 'unknown' }, 'deleting orphan worker pod');
      await this.o.deletePod(pod, 'orphan');
      this.endedSince.delete(workerId);
      orphansDeleted++;
    }
    const present = new Set(pods.map((p) => p.metadata.labels?.[LABEL.workerId]));
    for (const id of this.endedSince.keys()) if (!present.has(id)) this.endedSince.delete(id);
    return { orphansDeleted, secretsDeleted: await this.cleanSecrets(pods) };
  }

  /** Token Secrets whose pod is gone or ended (the token is single-use; GC by ownerReference may lag or be missing). */
  private async cleanSecrets(pods: PodJson[]): Promise<number> {
    const liveWorkers = new Set<string>();
    for (const p of pods) {
      const id = p.metadata.labels?.[LABEL.workerId];
      if (id && !isFinished(p) && !p.metadata.deletionTimestamp) liveWorkers.add(id);
    }
    let deleted = 0;
    for (const ns of this.o.namespaces()) {
      for (const s of await this.o.ops.listSecrets(ns, this.o.selector)) {
        const id = s.metadata?.labels?.[LABEL.workerId];
        const created = s.metadata?.creationTimestamp ? new Date(s.metadata.creationTimestamp).getTime() : 0;
        if (!id || liveWorkers.has(id) || this.now() - created < SECRET_MIN_AGE_MS) continue;
        if (this.o.tracker.workers.get(id)?.ended === false) continue;
        if (await this.o.ops.deleteSecret(ns, s.metadata?.name ?? '')) deleted++;
      }
    }
    return deleted;
  }
}
