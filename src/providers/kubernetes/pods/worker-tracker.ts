// Per-worker state fed by the informer: the pod's state and startup breakdown, the agent's
// registration (from the control plane), pending timeouts, and the one end report per worker
// (`worker.exited` or `worker.failed`). Deleting pods is delegated to the provider.
import type { EventEmitter } from 'node:events';
import type { Logger } from '../../../observability/logger.js';
import type { ProviderEvents } from '../../provider.js';
import type { KubernetesProviderEventMap, PodRef, StartupBreakdown } from '../events.js';
import { LABEL } from '../labels.js';
import {
  classifyPod, condition, isFinished, mainContainer, pendingReason, podState, registrationFailure, START_FAILURES,
  type Classified, type FailureReason, type PodJson, type PodState,
} from './pod-status.js';

/** What the control plane knows of a worker (its store record). */
export interface WorkerInfo { state: string; registeredAt: string | null; jobId: string | null }
export type WorkerLookup = (workerId: string) => Promise<WorkerInfo | null>;

export interface Tracked extends PodRef {
  startup: StartupBreakdown;
  state: PodState | null;
  /** The pod as last seen by the informer. */
  obj?: PodJson;
  /** Created by this process (false: found in the cluster, e.g. after a restart). */
  ours: boolean;
  ended: boolean;
  endedAt?: number;
  readyReported: boolean;
  deleteRequestedAt?: number;
  deleteCause?: KubernetesProviderEventMap['pod.deleted'][0]['cause'];
  /** Since when the container waits on a start failure (START_FAILURES), and which. */
  startFailure?: { since: number; reason: FailureReason; message: string };
}

export interface TrackerOptions {
  events: EventEmitter<ProviderEvents>;
  k8sEvents: EventEmitter<KubernetesProviderEventMap>;
  logger: Logger;
  pendingTimeoutMs: number;
  /** A start failure (image pull, container config) this old fails the worker. @defaultValue 10000 */
  startFailureGraceMs?: number;
  lookupWorker?: WorkerLookup;
  /** Called once when a worker has ended (retention, Secret clean-up). */
  onEnded: (t: Tracked, failed: boolean) => void;
  /** Deletes the pod of a worker that failed while pending. */
  deletePod: (t: Tracked, cause: 'failed') => void;
  now?: () => number;
}

const LIVE = new Set(['provisioning', 'ready', 'busy', 'draining']);
export const isLiveState = (state: string): boolean => LIVE.has(state);

export class WorkerTracker {
  readonly workers = new Map<string, Tracked>();
  private readonly now: () => number;

  constructor(private readonly o: TrackerOptions) {
    this.now = o.now ?? Date.now;
  }

  /** A pod this process is about to create. */
  expect(ref: PodRef): Tracked {
    const t: Tracked = { ...ref, startup: { createdAt: this.now() }, state: null, ours: true, ended: false, readyReported: false };
    this.workers.set(ref.workerId, t);
    return t;
  }

  active(): Tracked[] {
    return [...this.workers.values()].filter((t) => !t.ended);
  }

  /** Informer add/update. */
  onPod(pod: PodJson): void {
    const workerId = pod.metadata.labels?.[LABEL.workerId];
    if (!workerId) return;
    let t = this.workers.get(workerId);
    if (!t) {
      const created = Date.parse(pod.metadata.creationTimestamp ?? '') || this.now();
      t = {
        workerId, jobId: pod.metadata.labels?.[LABEL.jobId] ?? null, namespace: pod.metadata.namespace, pod: pod.metadata.name,
        startup: { createdAt: created }, state: null, ours: false, ended: false, readyReported: false,
      };
      // A pod that had already ended before we saw it was reported by whoever watched it then.
      if (isFinished(pod)) t.ended = true;
      this.workers.set(workerId, t);
    }
    t.obj = pod;
    const state = podState(pod);
    if (state !== t.state) {
      this.o.k8sEvents.emit('pod.state', { ...ref(t), from: t.state, to: state });
      t.state = state;
    }
    this.observeStartup(t, pod);
    if (t.ended) return;
    const c = classifyPod(pod, t.startup.agentRegisteredAt !== undefined);
    if (c.phase === 'exited' || c.phase === 'failed') return this.end(t, c);
    if (c.phase === 'starting' && c.reason && START_FAILURES.has(c.reason)) {
      t.startFailure = { since: t.startFailure?.since ?? this.now(), reason: c.reason, message: c.message ?? c.reason };
      this.failStartIfDue(t);
    } else {
      delete t.startFailure;
    }
  }

  /** A container stuck on a start failure past the grace fails now, named by that failure. */
  private failStartIfDue(t: Tracked): void {
    const f = t.startFailure;
    if (!f || t.ended || t.deleteRequestedAt !== undefined) return;
    const waited = this.now() - f.since;
    if (waited < (this.o.startFailureGraceMs ?? 10_000)) return;
    this.fail(t, f.reason, `${f.message} (for ${Math.round(waited / 1000)} s)`);
    this.o.deletePod(t, 'failed');
  }

  /** Why this worker's agent has not registered, when its pod's state says (registration timeout). */
  registrationFailure(workerId: string): { reason: FailureReason; message: string } | undefined {
    const pod = this.workers.get(workerId)?.obj;
    return pod ? registrationFailure(pod) : undefined;
  }

  /** Informer delete. */
  /** `external`: the reason a deletion we did not ask for is named by (the provider tells which). */
  onDelete(pod: PodJson, external: FailureReason = 'PodDeleted'): void {
    const workerId = pod.metadata.labels?.[LABEL.workerId];
    const t = workerId ? this.workers.get(workerId) : undefined;
    if (!t || (t.obj && t.obj.metadata.uid !== pod.metadata.uid)) return;
    if (t.state !== null) this.o.k8sEvents.emit('pod.state', { ...ref(t), from: t.state, to: 'Terminating' });
    this.workers.delete(t.workerId);
    const durationMs = t.deleteRequestedAt !== undefined ? this.now() - t.deleteRequestedAt : null;
    this.o.k8sEvents.emit('pod.deleted', { ...ref(t), durationMs, cause: t.deleteCause ?? 'external' });
    if (!t.ended) {
      const c = classifyPod(pod, t.startup.agentRegisteredAt !== undefined);
      if (c.phase === 'exited' || c.phase === 'failed') this.end(t, c);
      else this.end(t, { phase: 'exited', exitCode: null, message: `pod ${t.namespace}/${t.pod} was deleted`,
        ...(t.deleteCause ? {} : { reason: external }) });
    }
  }

  /** The control plane says this worker's agent registered (also derived via `lookupWorker`). */
  markAgentRegistered(workerId: string, at = this.now()): void {
    const t = this.workers.get(workerId);
    if (!t || t.startup.agentRegisteredAt !== undefined) return;
    t.startup.agentRegisteredAt = Math.max(at, t.startup.containerStartedAt ?? at);
    this.maybeReady(t);
  }

  /** Periodic: pending timeouts, and registration of running agents via the control plane. */
  async tick(): Promise<void> {
    const now = this.now();
    // Workers that ended without a pod ever seen (provisioning failed) have no delete event to clear them.
    for (const t of this.workers.values()) if (t.ended && !t.obj && now - (t.endedAt ?? now) > 60_000) this.workers.delete(t.workerId);
    for (const t of this.active()) {
      this.failStartIfDue(t);
      if (t.ended) continue;
      if ((t.state === null || t.state === 'Pending') && now - t.startup.createdAt > this.o.pendingTimeoutMs && t.deleteRequestedAt === undefined) {
        // Our view may be stale (watch down during an API outage): an agent that registered is not pending.
        const info = this.o.lookupWorker ? await this.o.lookupWorker(t.workerId).catch(() => null) : null;
        if (info?.registeredAt) continue;
        const why = t.obj ? pendingReason(t.obj) : undefined;
        const secs = Math.round((now - t.startup.createdAt) / 1000);
        this.fail(t, why?.reason ?? 'Unknown', `pod pending for ${secs} s${why ? `: ${why.message}` : ''}`);
        this.o.deletePod(t, 'failed');
      }
    }
    if (!this.o.lookupWorker) return;
    const waiting = this.active().filter((t) => t.startup.containerStartedAt !== undefined && t.startup.agentRegisteredAt === undefined);
    for (const t of waiting) {
      const info = await this.o.lookupWorker(t.workerId).catch(() => null);
      if (info?.registeredAt) this.markAgentRegistered(t.workerId, Date.parse(info.registeredAt));
    }
  }

  /** Reports a worker failed (provisioning errors, pending timeouts). */
  fail(t: Tracked, reason: FailureReason, message: string, durationMs?: number): void {
    this.end(t, { phase: 'failed', reason, message }, durationMs);
  }

  private end(t: Tracked, c: Classified, durationMs?: number): void {
    if (t.ended) return;
    t.ended = true;
    t.endedAt = this.now();
    const failed = c.phase === 'failed';
    if (failed) {
      const reason = c.reason ?? 'Unknown';
      const message = c.message ?? reason;
      this.o.logger.warn({ workerId: t.workerId, pod: t.pod, namespace: t.namespace, reason }, message);
      this.o.k8sEvents.emit('pod.failed', { ...ref(t), reason, message, ...(durationMs !== undefined ? { durationMs } : {}) });
      // Deferred: provision() may still be returning; the scheduler must see it resolve first.
      setImmediate(() => this.o.events.emit('worker.failed', { workerId: t.workerId, reason, message }));
    } else {
      setImmediate(() => this.o.events.emit('worker.exited', {
        workerId: t.workerId, exitCode: c.exitCode ?? null, reason: c.reason ?? null, ...(c.message ? { message: c.message } : {}),
      }));
    }
    this.o.onEnded(t, failed);
  }

  private observeStartup(t: Tracked, pod: PodJson): void {
    const now = this.now();
    const s = t.startup;
    if (s.scheduledAt === undefined && (condition(pod, 'PodScheduled')?.status === 'True' || pod.spec?.nodeName)) s.scheduledAt = now;
    const main = mainContainer(pod);
    const started = main?.state?.running !== undefined || main?.state?.terminated !== undefined;
    if (s.imagePulledAt === undefined && (started || (main?.imageID ?? '') !== '' || main?.state?.waiting?.reason === 'ContainerCreating')) s.imagePulledAt = now;
    if (s.containerStartedAt === undefined && started) s.containerStartedAt = now;
    this.maybeReady(t);
  }

  private maybeReady(t: Tracked): void {
    const s = t.startup;
    if (t.readyReported || s.agentRegisteredAt === undefined || s.containerStartedAt === undefined) return;
    t.readyReported = true;
    // Only pods this process created: an adopted pod's startup was (or should have been) reported by
    // the process that created it, and its creationTimestamp has only second precision.
    if (!t.ours) return;
    this.o.k8sEvents.emit('pod.ready', { ...ref(t), durationMs: s.agentRegisteredAt - s.createdAt, startup: { ...s } });
  }
}

function ref(t: Tracked): PodRef {
  return { workerId: t.workerId, jobId: t.jobId, namespace: t.namespace, pod: t.pod };
}
