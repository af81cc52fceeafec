// The job service: submit, read, list, cancel, logs, and how an attempt's end becomes a job state
// (succeeded, failed, timed_out, or a retry with exponential backoff).
import { randomUUID } from 'node:crypto';
import {
  allowedSources, claimRank, DEFAULT_PRIORITY_AGING_SECONDS, isTerminal, retryDelayMs, shouldRetry, JOB_STATES, START_FAILURE_REASONS, type Job, type JobSpec, type JobState,
} from '../domain/job.js';
import { ConflictError, NotFoundError } from '../errors/errors.js';
import type { Logger } from '../observability/logger.js';
import type { JobListQuery, JobPage, Store, StoredLogEntry, SubmitJob } from '../store/store.js';
import { JobBus } from './events.js';
import { QueueService } from './queues.js';
import { bodyHash, IDEMPOTENCY_TTL_MS, normalizeSpec, toSubmitted, type SubmitOptions, type Submitted } from './submission.js';
import { explainWaiting, newWaitingCache } from './waiting.js';

/** The longest promoteWaiting goes without running its statement (the scheduler's poll interval). */
const PROMOTE_EVERY_MS = 1000;

const ACTIVE_STATES: readonly JobState[] = JOB_STATES.filter((s) => !isTerminal(s));

/** How an attempt ended, as seen by the agent or by the control plane (lost worker, provisioning). */
export interface AttemptEnd {
  outcome: 'exited' | 'timed_out' | 'cancelled' | 'interrupted' | 'error' | 'lost' | 'provisioning_failed';
  exitCode: number | null;
  /** The signal that ended the process (no exit code then). */
  signal?: string | null;
  reason?: string;
  message?: string;
}

export class JobService {
  readonly bus = new JobBus();
  /** The provider's kind and the job fields it cannot honour; set once the provider exists. */
  provider: { kind: string; unsupportedFields: readonly string[] } = { kind: 'unknown', unsupportedFields: [] };
  /** Bytes of output stored per job (retention.maxLogBytesPerJob); null: no cap. */
  maxLogBytesPerJob: number | null = null;
  readonly queues: QueueService;
  /** When promoteWaiting last ran its statement, and whether anything may have moved since. */
  private promotedAt = Number.NEGATIVE_INFINITY;
  private waitingMayMove = true;

  constructor(
    readonly store: Store,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
    /** Seconds of waiting one priority point is worth (see claimRank). */
    private readonly agingSeconds = DEFAULT_PRIORITY_AGING_SECONDS,
  ) {
    this.queues = new QueueService(store, this.bus, log, now);
    // What can let a waiting job move: a job ending (dependencies), deleted (a dependency gone), or
    // submitted scheduled or blocked.
    this.bus.on('job.changed', (job) => {
      if (isTerminal(job.state) || job.state === 'scheduled' || job.state === 'blocked') this.waitingMayMove = true;
    });
    this.bus.on('jobs.deleted', () => { this.waitingMayMove = true; });
  }

  /** What a submission asks for that the provider will not do: one sentence per field. */
  warningsFor(spec: Partial<JobSpec>): string[] {
    const set: Record<string, boolean> = {
      image: spec.image !== undefined, 'resources.gpu': (spec.resources?.gpu ?? 0) > 0,
      'resources.cpu': spec.resources?.cpu !== undefined, 'resources.memory': spec.resources?.memory !== undefined,
    };
    return this.provider.unsupportedFields.filter((f) => set[f])
      .map((f) => `${f} is ignored: the ${this.provider.kind} provider cannot honour it`);
  }

  /** Queues a job; an existing one answers when its singleton key is held (see submitJob). */
  async submit(spec: JobSpec, opts: SubmitOptions = {}): Promise<Submitted> {
    const prepared = this.prepare(spec);
    const key = opts.idempotencyKey;
    const now = prepared.createdAt;
    const result = toSubmitted(await this.store.submitJob({
      ...prepared,
      ...(key ? { idempotency: { key, bodyHash: bodyHash(opts.body ?? spec), expiredBefore: new Date(now.getTime() - IDEMPOTENCY_TTL_MS) } } : {}),
    }), key);
    if (result.existing) {
      this.log.info({ jobId: result.job.id, cause: result.existing }, 'submission answered with an existing job');
      this.bus.emit('job.deduplicated', { job: result.job, cause: result.existing });
    } else {
      this.announce(result.job);
    }
    return result;
  }

  /** A new job's row, ready for the store (used by submit and by schedules, which insert it with their run). */
  prepare(spec: JobSpec): SubmitJob {
    const s = normalizeSpec(spec);
    const now = this.now();
    const due = s.runAt && Date.parse(s.runAt) > now.getTime() ? new Date(s.runAt) : now;
    return { id: randomUUID(), spec: s, createdAt: now, rankAt: claimRank(due, s.priority ?? 0, this.agingSeconds) };
  }

  /**
   * Follows the jobs other replicas queue (bus event `jobs.available`), so this replica's
   * scheduler wakes at once rather than at its next poll. Ends when the store closes.
   */
  async followReplicas(): Promise<void> {
    await this.store.onJobsQueued(() => this.bus.emit('jobs.available'));
  }

  /** Tells the scheduler and listeners about a job just inserted. */
  announce(job: Job): void {
    // Never log the spec: env and secrets may hold credentials. Names and counts are enough.
    this.log.info({ jobId: job.id, state: job.state, queue: job.spec.queue, command: job.spec.command, secretCount: job.spec.secretNames.length }, 'job submitted');
    if (job.state === 'queued') this.bus.emit('job.queued', job);
    this.bus.emit('job.changed', job);
  }

  /** Deletes finished jobs with these labels beyond the newest n succeeded / m other (schedule history limits). */
  async pruneFinished(labels: Record<string, string>, keepSucceeded: number, keepFailed: number): Promise<number> {
    const count = await this.store.pruneFinishedJobs(labels, keepSucceeded, keepFailed);
    if (count > 0) this.bus.emit('jobs.deleted', { reason: 'history_limit', count });
    return count;
  }

  /**
   * Due scheduled jobs → queued; blocked jobs → queued or skipped. Guarded updates, so every
   * replica may run it; the scheduler calls it before each claim. It runs the statement when a job
   * ended, was deleted or was submitted waiting here since the last run, and otherwise at most
   * every PROMOTE_EVERY_MS (runAt times coming due; jobs other replicas ended): a pass woken by
   * each submission does not pay for it.
   */
  async promoteWaiting(): Promise<void> {
    const now = this.now();
    if (!this.waitingMayMove && now.getTime() >= this.promotedAt && now.getTime() - this.promotedAt < PROMOTE_EVERY_MS) return;
    this.waitingMayMove = false;
    this.promotedAt = now.getTime();
    const { queued, skipped } = await this.store.promoteWaitingJobs(now);
    for (const job of skipped) {
      this.log.info({ jobId: job.id, message: job.message }, 'job skipped: a dependency did not succeed');
      this.bus.emit('job.skipped', job);
      this.bus.emit('job.changed', job);
    }
    for (const job of queued) {
      if (job.state === 'queued') this.bus.emit('job.queued', job);
      this.bus.emit('job.changed', job);
    }
  }

  /** The job, with why it still waits when it has not started. */
  async get(id: string): Promise<Job> {
    const job = await this.store.getJob(id);
    if (!job) throw new NotFoundError('job', id);
    const waitingFor = await explainWaiting(this.store, job, this.now());
    return waitingFor ? { ...job, waitingFor } : job;
  }

  /** Newest first unless the query says otherwise (docs/api.md). */
  async list(q: JobListQuery): Promise<JobPage> {
    const page = await this.store.listJobs({ order: 'desc', ...q });
    const cache = newWaitingCache();
    const now = this.now();
    const jobs = await Promise.all(page.jobs.map(async (job) => {
      const waitingFor = await explainWaiting(this.store, job, now, cache);
      return waitingFor ? { ...job, waitingFor } : job;
    }));
    return { ...page, jobs };
  }

  /** Cancels a job that has not ended. The worker running it (if any) is stopped by the scheduler. */
  async cancel(id: string): Promise<Job> {
    for (;;) {
      const job = await this.get(id);
      if (isTerminal(job.state)) {
        throw new ConflictError(`job '${id}' already ended: ${job.state}`, { id, state: job.state });
      }
      const done = await this.store.transitionJob(id, [job.state], 'cancelled', { reason: 'Cancelled', message: 'cancelled by request' }, { now: this.now() });
      if (!done) continue; // it moved meanwhile; look again
      this.log.info({ jobId: id, from: job.state }, 'job cancelled');
      this.bus.emit('job.cancelled', { jobId: id, workerId: job.workerId });
      this.bus.emit('job.changed', done);
      return done;
    }
  }

  /** Deletes a finished job with its logs and history (DELETE /v1/jobs/{id}). */
  async delete(id: string): Promise<void> {
    const r = await this.store.deleteJob(id);
    if (r === 'not_found') throw new NotFoundError('job', id);
    if (r === 'unfinished') throw new ConflictError(`job '${id}' has not ended; cancel it first`, { id, rule: 'only a finished job can be deleted' });
    if (r === 'needed_by_blocked') throw new ConflictError(`job '${id}' is a dependency of a blocked job`, { id, rule: 'a blocked job depends on it' });
    this.log.info({ jobId: id }, 'job deleted');
    this.bus.emit('jobs.deleted', { reason: 'api', count: 1 });
  }

  readLogs(jobId: string, afterSeq: number, limit = 1000): Promise<StoredLogEntry[]> {
    return this.store.readLogs(jobId, afterSeq, limit);
  }

  /**
   * Records how an attempt ended. Exit 0 succeeds; a failure is retried (back to `queued` after
   * exponential backoff) while attempts remain; timeouts and cancellations are final.
   * Guarded by state and attempt, so a late or duplicated report changes nothing; with
   * `by.workerId` (a worker's own report) also by the store's record that this worker holds it.
   */
  async endAttempt(jobId: string, attempt: number, end: AttemptEnd, by: { workerId?: string; releaseWorker?: boolean } = {}): Promise<Job | null> {
    // Success and cancellation do not depend on the spec: the guarded transition alone decides
    // (one statement). A failure reads the job first for its retry policy.
    let outcome = outcomeWithoutSpec(end);
    let retryPolicy: JobSpec['retryPolicy'];
    if (!outcome) {
      const job = await this.store.getJob(jobId);
      if (!job || isTerminal(job.state) || job.attempt !== attempt) return null;
      outcome = decideOutcome(end, attempt, job.spec);
      retryPolicy = job.spec.retryPolicy;
    }
    const now = this.now();
    // The kernel's OOM killer (as the kubelet reports it) sends SIGKILL; keep that on the record.
    const signal = end.signal ?? (outcome.reason === 'OOMKilled' ? 'SIGKILL' : null);
    const base = { exitCode: end.exitCode, signal, message: end.message ?? null };
    const patch = outcome.state === 'queued'
      ? { ...base, reason: outcome.reason, workerId: null, incrementAttempt: true,
          notBefore: new Date(now.getTime() + retryDelayMs(retryPolicy, attempt)) }
      : { ...base, reason: outcome.reason };
    const next = await this.store.transitionJob(jobId, allowedSources(outcome.state), outcome.state, patch,
      { attempt, reason: outcome.reason, now, ...(by.workerId === undefined ? {} : { workerId: by.workerId, releaseWorker: by.releaseWorker === true }) });
    if (!next) return null;
    if (next.state === 'queued') {
      this.log.info({ jobId, attempt, reason: outcome.reason, retryAt: next.notBefore }, 'job attempt failed; retrying');
      this.bus.emit('job.queued', next);
    } else {
      this.log.info({ jobId, state: next.state, exitCode: next.exitCode, reason: next.reason }, 'job finished');
    }
    this.bus.emit('job.changed', next);
    return next;
  }

  /**
   * Hands a job that never reached a worker back to the queue, same attempt, no failure counted:
   * the control plane died while provisioning its worker. Guarded by state and attempt.
   */
  async requeueUnstarted(jobId: string, attempt: number, message: string, opts: { reason?: string; delayMs?: number } = {}): Promise<Job | null> {
    const reason = opts.reason ?? 'Reprovisioned';
    const now = this.now();
    const next = await this.store.transitionJob(jobId, ['provisioning'], 'queued',
      { workerId: null, reason, message, ...(opts.delayMs ? { notBefore: new Date(now.getTime() + opts.delayMs) } : {}) },
      { attempt, reason, now });
    if (!next) return null;
    this.log.info({ jobId, attempt }, 'job requeued: its worker was never provisioned');
    this.bus.emit('job.queued', next);
    this.bus.emit('job.changed', next);
    return next;
  }

  /** The job as stored, or null (no waiting explanation: for the scheduler and the reconciler). */
  find(id: string): Promise<Job | null> {
    return this.store.getJob(id);
  }

  /** Claims up to `n` dispatchable jobs (queued → provisioning) for new workers, in one statement. */
  claim(n: number): Promise<Job[]> {
    return this.store.claimQueuedJobs(n, this.now());
  }

  /**
   * Claims at most one dispatchable job for each of these idle pooled workers and assigns it to
   * it (queued → assigned, worker → busy), all in one statement; the jobs so assigned.
   */
  async assignTo(workerIds: readonly string[], opts: { withoutImage?: boolean } = {}): Promise<Job[]> {
    const claimed = await this.store.assignQueuedJobs(workerIds, this.now(), opts);
    return claimed.map((c) => c.job);
  }

  /** How many jobs are in each state (gauges, the console, the store probe). */
  countByState(): Promise<Record<JobState, number>> {
    return this.store.countJobsByState();
  }

  /** Jobs that have not ended, for the reconciler and restart recovery. */
  activeJobs(): Promise<Job[]> {
    return this.store.jobsInStates(ACTIVE_STATES);
  }
}

/** The outcomes decideOutcome gives whatever the spec says (exit 0, cancelled); null for the others. */
function outcomeWithoutSpec(end: AttemptEnd): { state: JobState; reason: string } | null {
  if ((end.outcome === 'exited' && end.exitCode === 0) || end.outcome === 'cancelled') return decideOutcome(end, 1, { retries: 0 });
  return null;
}

/**
 * Exit 0 succeeds; cancellations are final; a failure is retried while attempts remain and the
 * retry policy's `onReasons` (if any) names its reason; a timeout only when `onReasons` names it.
 */
export function decideOutcome(end: AttemptEnd, attempt: number, spec: Pick<JobSpec, 'retries' | 'retryPolicy'>): { state: JobState; reason: string } {
  if (end.outcome === 'exited' && end.exitCode === 0) return { state: 'succeeded', reason: 'Completed' };
  if (end.outcome === 'cancelled') return { state: 'cancelled', reason: 'Cancelled' };
  const reason = end.outcome === 'timed_out' ? 'Timeout' : end.reason ?? failureReason(end);
  if (shouldRetry(spec, attempt, reason)) return { state: 'queued', reason };
  return { state: end.outcome === 'timed_out' ? 'timed_out' : 'failed', reason };
}

/** Which failure: a signal (`Signaled`), a command that could not start (the worker's 126/127), else by outcome. */
function failureReason(end: AttemptEnd): string {
  if (end.outcome === 'exited' && end.signal) return 'Signaled';
  if (end.outcome === 'error' && end.exitCode !== null) return START_FAILURE_REASONS[end.exitCode] ?? FAILURE_REASONS.error;
  return FAILURE_REASONS[end.outcome];
}

const FAILURE_REASONS: Record<AttemptEnd['outcome'], string> = {
  exited: 'NonZeroExit', lost: 'WorkerLost', provisioning_failed: 'ProvisioningFailed', error: 'AgentError', interrupted: 'Interrupted',
  timed_out: 'Timeout', cancelled: 'Cancelled',
};
