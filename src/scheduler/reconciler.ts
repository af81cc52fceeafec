// The reconciler repairs drift the event path can miss: workers that stopped heartbeating or never
// registered, jobs whose worker is gone (e.g. after a control-plane crash), processes or pods
// nobody owns, and running jobs far past their timeout.
import type { Job } from '../domain/job.js';
import type { Worker } from '../domain/worker.js';
import type { JobService } from '../jobs/service.js';
import type { WorkerService } from '../jobs/workers.js';
import type { Logger } from '../observability/logger.js';
import type { WorkerProvider } from '../providers/provider.js';
import type { Scheduler } from './scheduler.js';
import { SerialLoop } from './serial-loop.js';

export interface ReconcilerOptions {
  jobs: JobService;
  workers: WorkerService;
  provider: WorkerProvider;
  scheduler: Scheduler;
  logger: Logger;
  /** @defaultValue 5000 */
  intervalMs: number;
  /** A registered worker silent this long is lost. @defaultValue 15000 */
  workerLostAfterMs: number;
  /** A worker that has not registered this long after creation failed to start. @defaultValue 60000 */
  registrationTimeoutMs: number;
  /**
   * After a restart, how long an unregistered worker whose provisioning never completed (no handle)
   * may still register before its job is re-provisioned. @defaultValue min(10000, registrationTimeoutMs / 2)
   */
  restartGraceMs?: number;
  now?: () => Date;
}

/** How long a worker that ended may still appear in the provider's list before it is terminated. */
const ENDED_WORKER_GRACE_MS = 30_000;

/** How late past two intervals a pass may start before the gap counts as a stall of this process. */
const STALL_SLACK_MS = 1000;

/** Extra time past timeoutSeconds before the control plane stops waiting for the agent's own kill. */
const TIMEOUT_GRACE_MS = 30_000;

export class Reconciler {
  readonly loop: SerialLoop;
  private readonly log: Logger;
  private readonly now: () => Date;
  /** Workers created before this are a previous control plane's (or another replica's). */
  private readonly startedAt: number;
  /** Jobs the last pass found without a holder (id → updatedAt); see failOrphanedJobs. */
  private orphanSuspects = new Map<string, string>();
  /** When the last pass ended, and when this process last came back from a stall (see reconcile). */
  private lastPassEndedAt: number | null = null;
  private awakeSince: number;

  constructor(private readonly o: ReconcilerOptions) {
    this.log = o.logger.child({ component: 'reconciler' });
    this.now = o.now ?? (() => new Date());
    this.startedAt = this.now().getTime();
    this.awakeSince = this.startedAt;
    this.loop = new SerialLoop(() => this.reconcile(), o.intervalMs, (err) => this.log.error({ err }, 'reconcile failed'));
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  async reconcile(): Promise<void> {
    const now = this.now().getTime();
    // A pass far later than its interval means this process was stalled (a loaded machine, a long
    // GC): timers run before the sockets are read, so the heartbeats that arrived meanwhile are not
    // stored yet. Like a restart, the stall is not the agents' silence.
    if (this.lastPassEndedAt !== null && now - this.lastPassEndedAt > this.o.intervalMs * 2 + STALL_SLACK_MS) this.awakeSince = now;
    try {
      await this.pass(now);
    } finally {
      this.lastPassEndedAt = this.now().getTime();
    }
  }

  private async pass(now: number): Promise<void> {
    const live = await this.o.workers.live();
    // What the provider runs, asked only when a previous control plane's worker may be dead.
    const listed = live.some((w) => this.silentSinceRestart(w, now))
      ? new Set((await this.o.provider.list()).map((p) => p.workerId)) : new Set<string>();
    for (const w of live) {
      if (this.interruptedProvisioning(w, now, listed)) {
        await this.reprovision(w);
        continue;
      }
      // Time this control plane was down or stalled is not the agent's silence: counted from the restart or the stall's end at most.
      const silentFor = now - Math.max(Date.parse(w.lastHeartbeatAt ?? w.createdAt), this.startedAt, this.awakeSince);
      if (w.registeredAt === null && silentFor > this.o.registrationTimeoutMs) {
        // The provider names what it knows (e.g. the pod still pulling its image) before the bare timeout.
        const known = w.providerId === this.o.provider.id ? this.o.provider.failUnregistered?.(w.id) : undefined;
        await this.lose(w, known?.reason ?? 'AgentNeverRegistered', known?.message ?? `agent did not register within ${this.o.registrationTimeoutMs} ms`);
      } else if (w.registeredAt !== null && silentFor > this.o.workerLostAfterMs) {
        await this.lose(w, 'WorkerLost', `no heartbeat for ${Math.round(silentFor / 1000)} s`);
      }
    }
    const liveNow = await this.o.workers.live();
    await this.failOrphanedJobs(liveNow, now);
    await this.terminateUnowned();
  }

  private async lose(w: Worker, reason: string, message: string): Promise<void> {
    this.log.warn({ workerId: w.id, reason }, message);
    // Record why first: the exit the termination causes must not overwrite the reason.
    await this.o.scheduler.onWorkerGone(w.id, reason, message);
    if (w.providerId === this.o.provider.id) await this.o.provider.terminate(w.id, { graceMs: 1000 });
  }

  /**
   * A previous control plane's ephemeral worker, given no job yet, not heard from since the restart
   * and past the restart grace (an agent alive would have registered or resumed by now).
   */
  private silentSinceRestart(w: Worker, now: number): boolean {
    const grace = this.o.restartGraceMs ?? Math.min(10_000, this.o.registrationTimeoutMs / 2);
    return (w.state === 'provisioning' || w.state === 'ready') && w.jobId !== null && w.ephemeral
      && Date.parse(w.createdAt) < this.startedAt && Date.parse(w.lastHeartbeatAt ?? w.createdAt) < this.startedAt
      && now - this.startedAt > grace;
  }

  /**
   * A worker whose provisioning or registration a previous control plane left half done: it died
   * between recording the worker and the provider accepting it (no handle); or its agent is gone
   * (not in the provider's list — e.g. refused because the dead control plane had consumed its
   * one-time token without recording the registration); or it registered but never heard its
   * session (the reply died with the control plane), so it cannot resume. Its job never reached an
   * agent, so nothing ran and nothing failed: the job is re-provisioned, same attempt.
   */
  private interruptedProvisioning(w: Worker, now: number, listed: Set<string>): boolean {
    if (!this.silentSinceRestart(w, now)) return false;
    if (w.state === 'ready') return true;
    return w.registeredAt !== null || w.handle === null || (w.providerId === this.o.provider.id && !listed.has(w.id));
  }

  /** Retires the half-provisioned worker (its token is refused from now on) and requeues its job, same attempt. */
  private async reprovision(w: Worker): Promise<void> {
    // Re-read: an agent that resumed since the list was taken keeps its worker.
    const cur = await this.o.workers.get(w.id);
    if (!cur || cur.state !== w.state || Date.parse(cur.lastHeartbeatAt ?? cur.createdAt) >= this.startedAt) return;
    // A job already handed to the agent ('assigned') may have started: never re-provisioned.
    if (w.jobId && (await this.o.jobs.find(w.jobId))?.state !== 'provisioning') return;
    const retired = await this.o.workers.transition(w.id, [w.state], 'terminated', 'Reprovisioned');
    if (!retired || !w.jobId) return; // it registered meanwhile
    if (w.providerId === this.o.provider.id) await this.o.provider.terminate(w.id, { graceMs: 0 });
    const job = await this.o.jobs.find(w.jobId);
    if (!job || job.workerId !== null && job.workerId !== w.id) return;
    this.log.warn({ workerId: w.id, jobId: job.id, attempt: job.attempt, state: w.state }, 'worker provisioning was interrupted by a restart; re-provisioning');
    await this.o.jobs.requeueUnstarted(job.id, job.attempt, 'worker provisioning interrupted by a control-plane restart');
  }

  /** Active jobs with no live worker (a crash between claim and provision, a worker record lost). */
  private async failOrphanedJobs(live: Worker[], now: number): Promise<void> {
    const holders = new Set<string>();
    for (const w of live) if (w.jobId) holders.add(w.jobId);
    // A job is an orphan only when two passes in a row found it holderless and unchanged: a pooled
    // agent claims a job and records it as its own in separate statements, which a loaded machine
    // can stretch past one interval (seen: the warm pool's jobs failed WorkerLost under load).
    const suspects = new Map<string, string>();
    const confirmed = (job: Job): boolean => {
      if (this.orphanSuspects.get(job.id) === job.updatedAt) return true;
      suspects.set(job.id, job.updatedAt);
      return false;
    };
    try {
      await this.failOrphans(holders, live, now, confirmed);
    } finally {
      this.orphanSuspects = suspects;
    }
  }

  private async failOrphans(holders: Set<string>, live: Worker[], now: number, confirmed: (job: Job) => boolean): Promise<void> {
    for (const job of await this.o.jobs.activeJobs()) {
      if (job.state === 'queued') continue;
      const idle = now - Date.parse(job.updatedAt);
      if (job.state === 'provisioning' && !holders.has(job.id) && idle > this.o.intervalMs * 2
        && Date.parse(job.updatedAt) < this.startedAt) {
        if (!confirmed(job)) continue;
        // Claimed by a control plane that died before recording its worker: nothing ran.
        this.log.warn({ jobId: job.id }, 'job claimed before a restart has no worker; re-provisioning');
        await this.o.jobs.requeueUnstarted(job.id, job.attempt, 'claimed by a control plane that stopped before provisioning it');
      } else if (job.state === 'provisioning' && !holders.has(job.id) && idle > this.o.intervalMs * 2) {
        if (!confirmed(job)) continue;
        // Claimed, and still not recorded as any worker's: never handed to an agent (a job is
        // assigned before it is sent), so nothing ran. Seen under load: the statement recording
        // the holder queued behind others for over two passes. It waits again, same attempt.
        this.log.warn({ jobId: job.id }, 'claimed job has no worker; queued again');
        await this.o.jobs.requeueUnstarted(job.id, job.attempt, 'claimed, but no worker took it in time');
      } else if (!holders.has(job.id) && idle > this.o.intervalMs * 2) {
        if (!confirmed(job)) continue;
        this.log.warn({ jobId: job.id, state: job.state }, 'job has no live worker');
        await this.o.jobs.endAttempt(job.id, job.attempt, { outcome: 'lost', exitCode: null, reason: 'WorkerLost', message: 'no live worker holds this job' });
      } else if (pastTimeout(job, now)) {
        this.log.warn({ jobId: job.id }, 'job far past its timeout; ending it');
        await this.o.jobs.endAttempt(job.id, job.attempt, { outcome: 'timed_out', exitCode: null, message: 'agent did not report within the timeout grace' });
        const holder = live.find((w) => w.jobId === job.id);
        if (holder) await this.o.provider.terminate(holder.id, { graceMs: 1000 });
      }
    }
  }

  /** Processes or pods the provider runs that the store says are finished or never knew. */
  private async terminateUnowned(): Promise<void> {
    // Ask the provider first: a worker provisioned after this is not in its list, so never mistaken.
    const running = await this.o.provider.list();
    const known = new Set((await this.o.workers.live()).map((w) => w.id));
    const now = this.now().getTime();
    for (const pw of running) {
      if (known.has(pw.workerId)) continue;
      // A worker that just ended may still look running to the provider (its pod not yet seen
      // Succeeded): give it a grace, so its own exit — and the retention policy — decide.
      const ended = await this.o.workers.get(pw.workerId);
      if (ended && now - Date.parse(ended.updatedAt) < ENDED_WORKER_GRACE_MS) continue;
      this.log.warn({ workerId: pw.workerId, handle: pw.handle }, 'terminating worker nobody owns');
      await this.o.provider.terminate(pw.workerId, { graceMs: 1000 });
    }
  }
}

function pastTimeout(job: Job, now: number): boolean {
  if (job.state !== 'running' || !job.startedAt || !job.spec.timeoutSeconds) return false;
  return now > Date.parse(job.startedAt) + job.spec.timeoutSeconds * 1000 + TIMEOUT_GRACE_MS;
}
