// The control plane's side of the worker protocol (GatewayBackend): registration with a one-time
// token, job hand-out, logs and results. State changes go through the store's guarded transitions,
// so a replayed or late message changes nothing.
import { randomUUID } from 'node:crypto';
import type { AssignedJob, GatewayBackend, JobClaim, JobResult } from '../gateway/backend.js';
import { POOL_TOKEN_PREFIX } from '../gateway/protocol.js';
import type { Job } from '../domain/job.js';
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

  /**
   * One read in the common cases: the worker with the job it holds (the scheduler hands jobs to
   * idle pooled workers in its claim) and that job's secrets; an idle pooled worker asking for
   * work claims one for itself in one more statement (claim and assignment together).
   */
  async nextJob(workerId: string): Promise<AssignedJob | null> {
    const held = await this.store.workerAssignment(workerId);
    if (!held) return null;
    const { worker } = held;
    if (worker.state === 'draining' || worker.state === 'terminated' || worker.state === 'failed') return null;
    let job: Job | null = null;
    let secrets = held.secrets;
    if (worker.jobId) {
      // Assigned already (by the scheduler's claim, or before a control-plane restart), or an
      // ephemeral worker's job still in provisioning: hand it over now.
      if (held.job?.state === 'assigned' && held.job.workerId === workerId) job = held.job;
      else if (held.job?.state === 'provisioning') {
        job = await this.store.transitionJob(worker.jobId, ['provisioning'], 'assigned', { workerId }, { now: this.now() });
        if (job) await this.store.transitionWorker(workerId, ['ready', 'provisioning'], 'busy', { jobId: job.id }, this.now());
      }
      if (!job) {
        // Cancelled or taken over meanwhile: this worker has nothing to do.
        if (worker.ephemeral) await this.drain(workerId);
        else await this.store.updateWorker(workerId, { jobId: null });
        return null;
      }
    } else {
      if (worker.ephemeral) return null;
      // A pooled worker takes the oldest dispatchable job itself; a Kubernetes pool worker runs in
      // the worker image, so jobs with an image of their own wait for a pod of their own.
      const [claimed] = await this.store.assignQueuedJobs([workerId], this.now(), { withoutImage: worker.pool !== null });
      if (!claimed) return null;
      job = claimed.job;
      secrets = claimed.secrets;
    }
    this.jobs.bus.emit('job.changed', job);
    const { spec } = job;
    return {
      jobId: job.id, attempt: job.attempt, command: spec.command, args: spec.args,
      env: { ...spec.env, ...secrets, HODEI_JOB_ID: job.id, HODEI_JOB_ATTEMPT: String(job.attempt) },
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
    // The result and the worker's release in one statement (the worker is released only from
    // this very job: a result resent for an earlier job never frees a worker busy with another).
    const ended = await this.jobs.endAttempt(jobId, attempt, {
      outcome: result.outcome, exitCode: result.exitCode, signal: result.signal ?? null,
      ...(result.message ? { message: result.message } : {}),
    }, { workerId, releaseWorker: true });
    if (ended) return 'ok';
    const claim = await this.checkClaim(workerId, jobId, attempt);
    if (claim !== 'ok') return claim;
    // Its own attempt, already ended (a resent result): acknowledged, nothing changes but the
    // worker, which may still be marked busy with it.
    await this.store.releaseWorker(workerId, jobId, this.now());
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
