// In-process notifications between the job service, the scheduler and the API. They only wake
// things up: the store stays the source of truth, so several replicas work without them.
import { EventEmitter } from 'node:events';
import type { Job } from '../domain/job.js';

export interface JobBusEvents {
  /** A job was queued (or requeued for retry): the scheduler should look for work. */
  'job.queued': [job: Job];
  /** Another replica queued a job (PostgreSQL NOTIFY): the scheduler should look for work. */
  'jobs.available': [];
  /** A job changed state. */
  'job.changed': [job: Job];
  /** A job was cancelled while a worker may still run it: the scheduler stops that worker. */
  'job.cancelled': [ev: { jobId: string; workerId: string | null }];
  /** New log entries were stored for the job. */
  'job.logs': [jobId: string];
  /** A submission answered an existing job (idempotent replay or singleton key) instead of a new one. */
  'job.deduplicated': [ev: { job: Job; cause: 'idempotent_replay' | 'singleton_key' }];
  /** A blocked job ended without running: one of its dependencies did not succeed. */
  'job.skipped': [job: Job];
  /** A queue was paused (not: re-saved while already paused). */
  'queue.paused': [ev: { queue: string; queued: number }];
  /** Finished jobs were deleted (history limit, ttl, retention, or on request). */
  'jobs.deleted': [ev: { reason: 'history_limit' | 'ttl' | 'retention' | 'api'; count: number }];
  /** A queue's settings changed (resumed, a higher ceiling...): the scheduler should look for work. */
  'queue.changed': [queue: string];
  /** A worker agent registered (its one-time token was accepted): the provider's startup is complete. */
  'worker.registered': [workerId: string];
}

export class JobBus extends EventEmitter<JobBusEvents> {
  constructor() {
    super();
    // Every follower of a log stream listens here; the count is bounded by open HTTP requests.
    this.setMaxListeners(0);
  }
}
