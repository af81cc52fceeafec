// Store types of queues and submission (idempotency keys, singleton keys, dependencies).
import type { Job, JobSpec, JobState } from '../domain/job.js';

export interface NewJob {
  id: string;
  spec: JobSpec;
  createdAt: Date;
}

export interface QueueQuota {
  /** CPU of the queue's running jobs together, e.g. "4" or "2500m". */
  cpu?: string;
  /** Memory of the queue's running jobs together, e.g. "8Gi". */
  memory?: string;
  gpu?: number;
}

export interface QueueSettings {
  /** Most jobs of the queue in provisioning, assigned or running at once; null = no limit. */
  concurrency: number | null;
  paused: boolean;
  quota: QueueQuota;
}

export interface QueueRecord extends QueueSettings {
  name: string;
  pausedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface QueueStats {
  queue: string;
  /** Jobs of the queue by state (every state present, 0 when none). */
  counts: Record<JobState, number>;
  /** When the longest-waiting due queued job became due; null when none waits. */
  oldestDueAt: string | null;
  /** The latest start of any job of the queue; null when none started. */
  lastStartedAt: string | null;
}

export interface SubmitJob extends NewJob {
  /** Claim rank (earliest first); see claimRank. @defaultValue due time minus priority × 60 s */
  rankAt?: Date;
  /** Idempotency-Key of the request and a hash of its body; keys created before `expiredBefore` are stale. */
  idempotency?: { key: string; bodyHash: string; expiredBefore: Date };
}

export type SubmitResult =
  | { outcome: 'created'; job: Job }
  /** The idempotency key was used before with the same body: the job it made. */
  | { outcome: 'replayed'; job: Job }
  /** The idempotency key was used before with another body. */
  | { outcome: 'key_mismatch'; jobId: string }
  /** An unfinished job holds the singleton key: that job. */
  | { outcome: 'deduplicated'; job: Job }
  | { outcome: 'missing_dependencies'; missing: string[] };

/** A job claimed for a worker, with its secret values (for that worker only). */
export interface ClaimedJob {
  job: Job;
  secrets: Record<string, string>;
}

export interface QueueStore {
  /**
   * Inserts a job with its idempotency key and dependencies in one transaction. The key and the
   * singleton key are unique rows: a concurrent second submit (any replica) finds the first.
   */
  submitJob(job: SubmitJob): Promise<SubmitResult>;
  /**
   * The claim of claimQueuedJobs, handing each job straight to a worker: at most one job for each
   * of these workers that is still ready without a job, queued → provisioning → assigned to it
   * (recorded as the holder of the attempt) and the worker → busy with it, in one statement.
   * Concurrent calls never hand one job to two workers, nor two jobs to one worker.
   */
  assignQueuedJobs(workerIds: readonly string[], now: Date, opts?: { withoutImage?: boolean }): Promise<ClaimedJob[]>;
  /** Scheduled jobs that are due → queued; blocked jobs → skipped (a dependency failed) or queued. */
  promoteWaitingJobs(now: Date): Promise<{ queued: Job[]; skipped: Job[] }>;
  /** Dependencies of a job with their current state (null when the dependency was deleted). */
  dependenciesOf(jobId: string): Promise<Array<{ id: string; state: JobState | null }>>;
  getQueue(name: string): Promise<QueueRecord | null>;
  listQueues(): Promise<QueueRecord[]>;
  /** Creates or replaces a queue's settings; `wasPaused` tells whether it was paused before. */
  putQueue(name: string, settings: QueueSettings, now: Date): Promise<{ queue: QueueRecord; wasPaused: boolean }>;
  /** Per-queue job counts, oldest due queued job and latest start (every queue with jobs). */
  queueStats(now: Date, queue?: string): Promise<QueueStats[]>;
}
