// The scheduler: hands queued jobs to workers. An idle pooled worker is offered work first;
// otherwise the provider is asked for a new worker, within the max-workers limit. Providers report
// back through events; the scheduler never reaches into a provider's internals.
import { randomUUID } from 'node:crypto';
import type { Job } from '../domain/job.js';
import { isTerminal } from '../domain/job.js';
import { LIVE_WORKER_STATES, type Worker } from '../domain/worker.js';
import type { Gateway } from '../gateway/gateway.js';
import type { JobService } from '../jobs/service.js';
import type { WorkerService } from '../jobs/workers.js';
import type { Logger } from '../observability/logger.js';
import type { WorkerProvider } from '../providers/provider.js';
import { hashToken, newToken } from '../util/tokens.js';
import { SerialLoop } from './serial-loop.js';

/** What the scheduler needs from the worker gateway. */
export type WorkerControl = Pick<Gateway, 'cancelJob' | 'offerJob' | 'shutdownWorker' | 'isConnected'>;

export interface SchedulerOptions {
  jobs: JobService;
  workers: WorkerService;
  provider: WorkerProvider;
  gateway: WorkerControl;
  logger: Logger;
  /** URL agents connect back to. */
  serverUrl: () => string;
  /** @defaultValue 8 */
  maxWorkers: number;
  /** true: one job per worker; false: workers are pooled and reused. */
  ephemeral: boolean;
  /**
   * Pooled workers only: keep `maxWorkers` agents started and idle ahead of any job (the local
   * provider's default), refilled when one goes. Each job still runs as its own process group.
   */
  warmPool?: boolean;
  /** Safety-net poll when no event woke the loop. @defaultValue 1000 */
  pollIntervalMs?: number;
  now?: () => Date;
}

/** Worker failures that say the platform was briefly unable, not that the job cannot run. */
const PASSING_FAILURES = new Set(['ApiError']);
const PASSING_FAILURE_TRIES = 6;

export class Scheduler {
  private readonly loop: SerialLoop;
  private readonly log: Logger;
  private readonly now: () => Date;
  /** The warm pool may be short of agents (at start, and after one went): checked on the next pass. */
  private refill: boolean;

  constructor(private readonly o: SchedulerOptions) {
    this.log = o.logger.child({ component: 'scheduler' });
    this.now = o.now ?? (() => new Date());
    this.refill = this.warm;
    this.loop = new SerialLoop(() => this.pass(), o.pollIntervalMs ?? 1000, (err) =>
      this.log.error({ err }, 'dispatch failed'));
  }

  start(): void {
    const bus = this.o.jobs.bus;
    bus.on('job.queued', () => this.loop.wake());
    bus.on('jobs.available', () => this.loop.wake()); // queued by another replica
    bus.on('queue.changed', () => this.loop.wake());
    bus.on('worker.registered', (workerId) => this.o.provider.markAgentRegistered?.(workerId, this.now()));
    bus.on('job.cancelled', (ev) => void this.stopWorkerOf(ev.jobId).catch((err: unknown) => this.log.error({ err, jobId: ev.jobId }, 'stopping worker of cancelled job failed')));
    this.o.provider.events.on('worker.exited', (ev) => void this.onWorkerGone(ev.workerId, ev.reason ?? 'WorkerLost', ev.message ?? `worker exited (code ${ev.exitCode ?? 'none'})`)
      .catch((err: unknown) => this.log.error({ err }, 'handling worker exit failed')));
    this.o.provider.events.on('worker.failed', (ev) => void this.onWorkerGone(ev.workerId, ev.reason, ev.message)
      .catch((err: unknown) => this.log.error({ err }, 'handling worker failure failed')));
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /**
   * Shuts down the warm pool's idle agents (a control plane stopping): they hold no job, and a warm
   * pool belongs to its control plane. Agents running a job finish it and report to the next one.
   */
  async releaseWarmPool(): Promise<void> {
    if (!this.warm) return;
    const own = new Set((await this.o.provider.list()).map((p) => p.workerId));
    await Promise.all((await this.liveWorkers()).map(async (w) => {
      if (w.jobId !== null || w.ephemeral || w.pool !== null || (w.state !== 'ready' && w.state !== 'provisioning')) return;
      if (w.state === 'ready' && this.o.gateway.shutdownWorker(w.id, 'control plane stopping')) return;
      // Still starting, or reconnecting right now: it would never hear the shutdown and would look
      // for this control plane until its reconnect deadline. One this process started is stopped by
      // signal (it holds no job); another replica's, or a previous control plane's, is left alone.
      // Marked first, guarded: one that took a job meanwhile is not stopped.
      if (own.has(w.id) && await this.o.workers.transition(w.id, [w.state], 'terminated')) await this.o.provider.terminate(w.id, { graceMs: 2000 });
    }));
  }

  /** Runs one dispatch pass now (tests, and callers that just queued work). */
  wake(): void {
    this.loop.wake();
  }

  private get warm(): boolean {
    return this.o.warmPool === true && !this.o.ephemeral;
  }

  /** One pass of the loop: tops up the warm pool when it may be short, then dispatches. */
  private async pass(): Promise<void> {
    if (this.refill) {
      this.refill = false;
      const missing = this.o.maxWorkers - (await this.liveWorkers()).length;
      if (missing > 0) this.log.debug({ agents: missing }, 'starting warm-pool agents');
      await Promise.all(Array.from({ length: Math.max(0, missing) }, () => this.provisionIdle()));
    }
    await this.dispatch();
  }

  /**
   * A pooled agent without a job: it registers with its own one-time token like any worker, then
   * takes the oldest dispatchable job itself each time it is idle (WorkerSessions.nextJob).
   */
  private async provisionIdle(): Promise<void> {
    const workerId = `w-${randomUUID()}`;
    const token = newToken();
    await this.o.workers.provisioning({
      id: workerId, providerId: this.o.provider.id, jobId: null, ephemeral: false, tokenHash: hashToken(token),
    });
    try {
      const { handle } = await this.o.provider.provision({ workerId, jobId: null, token, serverUrl: this.o.serverUrl(), resources: {}, labels: {} });
      await this.o.workers.provisioned(workerId, handle);
    } catch (err) {
      this.log.warn({ workerId, err: (err as Error).message }, 'starting a warm-pool agent failed');
      await this.o.workers.transition(workerId, LIVE_WORKER_STATES, 'failed', 'ProvisioningFailed');
    }
  }

  private async liveWorkers(): Promise<Worker[]> {
    return this.o.workers.live(this.o.provider.id);
  }

  private async dispatch(): Promise<void> {
    await this.o.jobs.promoteWaiting();
    const live = await this.liveWorkers();
    if (!this.o.ephemeral) await this.assignIdle(live);
    const capacity = this.o.maxWorkers - live.length;
    if (capacity <= 0) return;
    const jobs = await this.o.jobs.claim(capacity);
    await Promise.all(jobs.map((job) => this.provisionFor(job)));
    if (jobs.length === capacity) this.loop.wake(); // there may be more
  }

  /**
   * Idle pooled agents get their jobs in one claim (a job each at most, assigned in the same
   * statement), then are told to take them; Kubernetes pool workers only jobs without an image.
   */
  private async assignIdle(live: readonly Worker[]): Promise<void> {
    const idle = live.filter((w) => w.state === 'ready' && !w.jobId && this.o.gateway.isConnected(w.id));
    for (const withoutImage of [false, true]) {
      const ids = idle.filter((w) => (w.pool !== null) === withoutImage).map((w) => w.id);
      if (ids.length === 0) continue;
      for (const job of await this.o.jobs.assignTo(ids, { withoutImage })) if (job.workerId) void this.o.gateway.offerJob(job.workerId);
    }
  }

  private async provisionFor(job: Job): Promise<void> {
    const workerId = `w-${randomUUID()}`;
    const token = newToken();
    await this.o.workers.provisioning({
      id: workerId, providerId: this.o.provider.id, jobId: job.id, ephemeral: this.o.ephemeral, tokenHash: hashToken(token),
    });
    try {
      const { handle } = await this.o.provider.provision({
        workerId, jobId: job.id, token, serverUrl: this.o.serverUrl(),
        resources: job.spec.resources, labels: job.spec.labels,
        ...(job.spec.image ? { image: job.spec.image } : {}),
        ...(job.spec.timeoutSeconds ? { timeoutSeconds: job.spec.timeoutSeconds } : {}),
        ...(job.spec.egress?.length ? { egress: job.spec.egress } : {}),
      });
      await this.o.workers.provisioned(workerId, handle);
      this.log.info({ jobId: job.id, workerId, attempt: job.attempt }, 'worker provisioned');
    } catch (err) {
      const message = (err as Error).message;
      this.log.warn({ jobId: job.id, workerId, err: message }, 'provisioning failed');
      await this.o.workers.transition(workerId, LIVE_WORKER_STATES, 'failed', 'ProvisioningFailed');
      await this.o.jobs.endAttempt(job.id, job.attempt, { outcome: 'provisioning_failed', exitCode: null, message });
    }
  }

  /**
   * A worker that could not be created because the API was failing (5xx, 429, timeouts past the
   * client's retries, breaker open) ran nothing: its job waits and is provisioned again, same
   * attempt, with a growing delay — an API outage is not the job's failure. After
   * PASSING_FAILURE_TRIES such waits in a row it fails as usual (an API that never recovers).
   */
  private async requeueAfterPassingFailure(unregistered: boolean, job: Job, reason: string, message: string): Promise<boolean> {
    if (!unregistered || job.state !== 'provisioning' || !PASSING_FAILURES.has(reason)) return false;
    let tries = 0;
    for (const t of [...job.transitions].reverse()) {
      if (t.state === 'queued' && t.reason === reason) tries++;
      else if (t.state === 'queued') break;
    }
    if (tries >= PASSING_FAILURE_TRIES) return false;
    const delayMs = Math.min(30_000, 1000 * 2 ** tries);
    this.log.warn({ jobId: job.id, reason, tries: tries + 1, delayMs }, 'worker could not be created; the job waits and is provisioned again');
    const next = await this.o.jobs.requeueUnstarted(job.id, job.attempt, `${message} (provisioned again in ${delayMs / 1000} s, same attempt)`, { reason, delayMs });
    if (next) setTimeout(() => this.loop.wake(), delayMs).unref();
    return next !== null;
  }

  /** The worker of a cancelled job is told to stop the job; one not connected yet is terminated. */
  private async stopWorkerOf(jobId: string): Promise<void> {
    const workers = (await this.liveWorkers()).filter((w) => w.jobId === jobId);
    for (const w of workers) {
      if (this.o.gateway.cancelJob(w.id, jobId)) continue;
      await this.o.provider.terminate(w.id);
    }
  }

  /**
   * A worker's process or pod ended (or failed to start). The worker is marked terminated (it had
   * finished) or failed; a job it still held gets a failed attempt, retried if attempts remain.
   */
  async onWorkerGone(workerId: string, reason: string, message: string): Promise<void> {
    const w = await this.o.workers.get(workerId);
    if (!w || !LIVE_WORKER_STATES.includes(w.state)) return;
    if (this.warm) {
      this.refill = true;
      this.loop.wake();
    }
    const finished = w.state === 'draining' || (w.state === 'ready' && !w.jobId);
    await this.o.workers.transition(workerId, [w.state], finished ? 'terminated' : 'failed', finished ? undefined : reason);
    if (finished || !w.jobId) return;
    const job = await this.o.jobs.find(w.jobId);
    if (!job || isTerminal(job.state) || (job.workerId !== null && job.workerId !== workerId)) return;
    if (await this.requeueAfterPassingFailure(w.registeredAt === null, job, reason, message)) return;
    if (w.registeredAt !== null && job.state === 'provisioning') {
      // Held by an agent that registered but was never handed it (a job is assigned before it is
      // sent): nothing ran, so it waits for another worker, same attempt.
      await this.o.jobs.requeueUnstarted(job.id, job.attempt, `its worker went before the job was handed to it (${message})`);
      this.loop.wake();
      return;
    }
    this.log.warn({ workerId, jobId: job.id, reason }, 'worker gone while holding a job');
    await this.o.jobs.endAttempt(job.id, job.attempt, { outcome: 'lost', exitCode: null, reason, message });
    this.loop.wake();
  }
}
