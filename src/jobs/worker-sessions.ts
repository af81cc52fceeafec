// The control plane's side of the worker protocol (GatewayBackend): registration with a one-time
// token, job hand-out, logs and results. State changes go through the store's guarded transitions,
// so a replayed or late message changes nothing.
import { randomUUID } from 'node:crypto';
import type { AssignedJob, GatewayBackend, JobClaim, JobResult } from '../gateway/backend.js';
import { POOL_TOKEN_PREFIX } from '../gateway/protocol.js';
import type { Worker } from '../domain/worker.js';
import type { Logger } from '../observability/logger.js';
import type { LogEntry } from '../store/store.js';
import { hashToken, newToken } from '../util/tokens.js';
import type { JobService } from './service.js';

export class WorkerSessions implements GatewayBackend {
  constructor(
    private readonly jobs: JobService,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private get store() {
    return this.jobs.store;
  }

  async registerWorker(token: string, info: { agentVersion: string; pid: number; hostname: string }):
    Promise<{ worker: Worker; sessionToken: string } | null> {
    const now = this.now();
    if (token.startsWith(POOL_TOKEN_PREFIX)) return this.registerPoolWorker(token, info, now);
    const sessionToken = newToken();
    const worker = await this.store.registerWorker(hashToken(token), hashToken(sessionToken), now);
    if (!worker) return null;
    this.log.info({ workerId: worker.id, agentVersion: info.agentVersion, pid: info.pid, host: info.hostname }, 'worker registered');
    this.jobs.bus.emit('worker.registered', worker.id);
    return { worker, sessionToken };
  }

  /**
   * A pool's bootstrap token registers a NEW pooled worker each time (pods of a Deployment share
   * one Secret). The worker gets a random one-time token hash nobody knows, so the one-time path
   * can never match it; deleting the pool revokes the bootstrap token.
   */
  private async registerPoolWorker(token: string, info: { agentVersion: string; pid: number; hostname: string }, now: Date):
    Promise<{ worker: Worker; sessionToken: string } | null> {
    const pool = await this.store.getPoolByTokenHash(hashToken(token));
    if (!pool) return null;
    const id = `w-${randomUUID()}`;
    await this.store.insertWorker({
      id, providerId: pool.providerId, jobId: null, ephemeral: false, tokenHash: hashToken(newToken()), createdAt: now, pool: pool.name,
    });
    const sessionToken = newToken();
    const worker = await this.store.transitionWorker(id, ['provisioning'], 'ready', {
      registeredAt: now, lastHeartbeatAt: now, sessionHash: hashToken(sessionToken), handle: `pool:${pool.name}/${info.hostname}`,
    }, now);
    if (!worker) return null;
    this.log.info({ workerId: id, pool: pool.name, agentVersion: info.agentVersion, host: info.hostname }, 'pool worker registered');
    return { worker, sessionToken };
  }

  async resumeWorker(workerId: string, sessionToken: string): Promise<Worker | null> {
    const w = await this.store.findWorkerBySession(workerId, hashToken(sessionToken));
    if (!w || w.state === 'terminated' || w.state === 'failed') return null;
    await this.store.updateWorker(workerId, { lastHeartbeatAt: this.now() });
    this.log.info({ workerId }, 'worker resumed its session');
    return w;
  }

  async heartbeat(workerId: string): Promise<void> {
    await this.store.updateWorker(workerId, { lastHeartbeatAt: this.now() });
  }

  async nextJob(workerId: string): Promise<AssignedJob | null> {
    const worker = await this.store.getWorker(workerId);
    if (!worker || worker.state === 'draining' || worker.state === 'terminated' || worker.state === 'failed') return null;
    let jobId = worker.jobId;
    let busy = worker.state === 'busy';
    if (!jobId) {
      if (worker.ephemeral) return null;
      // A pooled worker takes the oldest dispatchable job itself (SKIP LOCKED, like the scheduler);
      // a Kubernetes pool worker runs in the worker image, so jobs with an image of their own wait
      // for a pod of their own.
      const [claimed] = await this.store.claimQueuedJobs(1, this.now(), { withoutImage: worker.pool !== null });
      if (!claimed) return null;
      // The worker records the job before the job records the worker: a control plane killed in
      // between leaves a provisioning job its worker holds (assigned when the agent resumes), never
      // an assigned job no live worker holds (which the reconciler fails as lost).
      const held = await this.store.transitionWorker(workerId, ['ready'], 'busy', { jobId: claimed.id }, this.now());
      if (!held) {
        await this.jobs.requeueUnstarted(claimed.id, claimed.attempt, 'the pooled worker that claimed it stopped taking jobs');
        return null;
      }
      jobId = claimed.id;
      busy = true;
    }
    let job = await this.store.transitionJob(jobId, ['provisioning'], 'assigned', { workerId }, { now: this.now() });
    if (!job) {
      // Assigned to this worker before, but the assignment was lost with a control-plane restart.
      const current = await this.store.getJob(jobId);
      if (current?.state === 'assigned' && current.workerId === workerId) job = current;
    }
    if (!job) {
      // Cancelled or taken over meanwhile: this worker has nothing to do.
      if (worker.ephemeral) await this.drain(workerId);
      else if (!await this.store.transitionWorker(workerId, ['busy'], 'ready', { jobId: null }, this.now())) await this.store.updateWorker(workerId, { jobId: null });
      return null;
    }
    if (!busy) await this.store.transitionWorker(workerId, ['ready', 'provisioning'], 'busy', { jobId }, this.now());
    this.jobs.bus.emit('job.changed', job);
    const secrets = await this.store.getJobSecrets(jobId);
    const { spec } = job;
    return {
      jobId, attempt: job.attempt, command: spec.command, args: spec.args,
      env: { ...spec.env, ...secrets, HODEI_JOB_ID: jobId, HODEI_JOB_ATTEMPT: String(job.attempt) },
      secretNames: Object.keys(secrets),
      ...(spec.workingDir ? { workingDir: spec.workingDir } : {}),
      ...(spec.timeoutSeconds ? { timeoutSeconds: spec.timeoutSeconds } : {}),
    };
  }

  async checkClaim(workerId: string, jobId: string, attempt: number): Promise<JobClaim> {
    const held = await this.store.attemptHolder(workerId, jobId, attempt);
    return held === 'holds' ? 'ok' : held === 'other_attempt' ? 'wrong_attempt' : 'foreign_job';
  }

  async jobStarted(workerId: string, jobId: string, attempt: number): Promise<JobClaim> {
    const job = await this.store.transitionJob(jobId, ['assigned'], 'running', {}, { attempt, workerId, now: this.now() });
    if (!job) return this.checkClaim(workerId, jobId, attempt); // its own: already running or ended
    this.jobs.bus.emit('job.changed', job);
    return 'ok';
  }

  async appendLogs(workerId: string, jobId: string, attempt: number, entries: readonly LogEntry[], batchSeq?: number): Promise<JobClaim> {
    const owned = await this.store.appendLogs(jobId, attempt, entries, batchSeq, { workerId, maxBytes: this.jobs.maxLogBytesPerJob });
    if (!owned) {
      // Nothing was written; an ownership row appearing since is not this batch's (it was refused).
      const claim = await this.checkClaim(workerId, jobId, attempt);
      return claim === 'ok' ? 'foreign_job' : claim;
    }
    if (entries.length > 0) this.jobs.bus.emit('job.logs', jobId);
    return 'ok';
  }

  async jobFinished(workerId: string, jobId: string, attempt: number, result: JobResult): Promise<JobClaim> {
    const ended = await this.jobs.endAttempt(jobId, attempt, {
      outcome: result.outcome, exitCode: result.exitCode, signal: result.signal ?? null,
      ...(result.message ? { message: result.message } : {}),
    }, { workerId });
    if (!ended) {
      const claim = await this.checkClaim(workerId, jobId, attempt);
      if (claim !== 'ok') return claim;
      // Its own attempt, already ended (a resent result): acknowledged, nothing changes.
    }
    const worker = await this.store.getWorker(workerId);
    // A result resent for an earlier job must not free a pooled worker that is busy with another.
    if (!worker || worker.jobId !== jobId) return 'ok';
    if (worker.ephemeral) await this.drain(workerId);
    else await this.store.transitionWorker(workerId, ['busy'], 'ready', { jobId: null }, this.now());
    return 'ok';
  }

  workerDisconnected(workerId: string, info: { graceful: boolean } = { graceful: false }): void {
    // A draining worker that hangs up is done (its process may belong to a previous control plane,
    // whose provider would never report the exit). Any other may resume; missed heartbeats make
    // the reconciler declare it lost.
    this.log.debug({ workerId }, 'worker connection closed');
    this.store.transitionWorker(workerId, ['draining'], 'terminated', {}, this.now())
      .then(async (done) => {
        // An idle pooled worker whose agent exited (pod deleted by a scale-down: SIGTERM) is gone
        // for good: terminated now rather than "lost" after missed heartbeats.
        if (done || !info.graceful) return;
        const w = await this.store.getWorker(workerId);
        if (w && !w.ephemeral && w.jobId === null) await this.store.transitionWorker(workerId, ['ready'], 'terminated', {}, this.now());
      })
      .catch((err: unknown) => this.log.warn({ err, workerId }, 'could not mark disconnected worker terminated'));
  }

  /** An ephemeral worker is done: it exits once told to shut down; the provider reports the exit. */
  private async drain(workerId: string): Promise<void> {
    await this.store.transitionWorker(workerId, ['ready', 'busy'], 'draining', {}, this.now());
  }
}
