// The one store interface. Two engines implement it with the same SQL: embedded PGlite (default)
// and PostgreSQL (several control-plane replicas). Every method is atomic on its own.
import type { Job, JobState } from '../domain/job.js';
import type { Worker, WorkerState } from '../domain/worker.js';
import type { NewJob, QueueStore } from './queue-types.js';
import type { RetentionStore, TemplateStore } from './retention-types.js';
import type { ScheduleStore } from './schedule-types.js';

export type * from './queue-types.js';
export type * from './retention-types.js';
export type * from './schedule-types.js';


export interface JobListQuery {
  state?: JobState;
  /** Any of these states (with `state`, this wins). */
  states?: readonly JobState[];
  /** `key=value` label equality filters, all must match. */
  labels?: Record<string, string>;
  limit: number;
  /** Opaque cursor returned by the previous page. */
  cursor?: string;
  /** By (createdAt, id): 'asc' oldest first, 'desc' newest first. @defaultValue 'asc' */
  order?: 'asc' | 'desc';
}

export interface JobPage {
  jobs: Job[];
  nextCursor: string | null;
}

export interface JobTransitionPatch {
  workerId?: string | null;
  exitCode?: number | null;
  /** Kept on the appended transition (no column of its own); `Job.signal` reads it back. */
  signal?: string | null;
  reason?: string | null;
  message?: string | null;
  /** Set with → queued to start the next attempt (attempt + 1) no earlier than this time. */
  notBefore?: Date;
  incrementAttempt?: boolean;
}

export interface LogEntry {
  stream: 'stdout' | 'stderr' | 'system';
  data: string;
}

export interface StoredLogEntry extends LogEntry {
  seq: number;
  attempt: number;
  at: string;
}

export interface NewWorker {
  id: string;
  providerId: string;
  jobId: string | null;
  ephemeral: boolean;
  /** sha256 hex of the one-time registration token; the token itself is never stored. */
  tokenHash: string;
  createdAt: Date;
  /** The pool whose bootstrap token the worker registered with (pooled workers of a Kubernetes pool). */
  pool?: string;
}

export interface WorkerPatch {
  jobId?: string | null;
  handle?: string | null;
  reason?: string | null;
  registeredAt?: Date;
  lastHeartbeatAt?: Date;
  /** sha256 hex of the session token a registered worker resumes its connection with. */
  sessionHash?: string;
}

export interface JobStore {
  insertJob(job: NewJob): Promise<Job>;
  getJob(id: string): Promise<Job | null>;
  /** Secret values of a job, for injection into the worker only. */
  getJobSecrets(id: string): Promise<Record<string, string>>;
  listJobs(q: JobListQuery): Promise<JobPage>;
  /**
   * Atomic compare-and-set: moves the job to `to` only if its current state is one of `from`
   * (and, when given, it is on `attempt`). Records a timestamped transition. Returns the new job,
   * or null when the guard did not hold (another replica or event got there first).
   */
  transitionJob(id: string, from: readonly JobState[], to: JobState, patch?: JobTransitionPatch,
    opts?: {
      attempt?: number; reason?: string; now?: Date;
      /** Also require that the job is held by this worker (a worker's own report). */
      workerId?: string;
      /**
       * With `workerId`: that worker is done with the job, in the same statement when the job
       * moved (see releaseWorker).
       */
      releaseWorker?: boolean;
    }): Promise<Job | null>;
  /**
   * Moves up to `limit` due queued jobs to `provisioning` and returns them, earliest claim rank
   * first, within each queue's pause, concurrency and quota (see queue-queries.ts CLAIM_JOBS).
   * Concurrent replicas never claim the same job nor together exceed a queue's ceiling.
   */
  claimQueuedJobs(limit: number, now: Date, opts?: {
    /** Skip jobs that ask for their own image (a pool worker runs in the worker image only). */
    withoutImage?: boolean;
  }): Promise<Job[]>;
  /**
   * Calls `fn` when another replica queued a job (PostgreSQL LISTEN hodei_jobs; the submit and the
   * retry transition NOTIFY in their own statement). A no-op on PGlite, whose one connection lives
   * in this process: the job bus already tells the scheduler. Returns the unsubscribe.
   */
  onJobsQueued(fn: () => void): Promise<() => Promise<void>>;
  /** Jobs in any of these states (reconciler, restart recovery). */
  jobsInStates(states: readonly JobState[]): Promise<Job[]>;
  countJobsByState(): Promise<Record<JobState, number>>;

  /**
   * Appends entries in order. With `batchSeq` (the agent's batch number for this attempt) a batch
   * already stored is ignored, so a batch resent after a reconnect is stored once. With
   * `opts.workerId`, nothing is written unless that worker holds this attempt (see attemptHolder),
   * checked in the same statement; returns false then. NUL and lone surrogates become U+FFFD.
   * With `opts.maxBytes`, entries past that many bytes of the job's output are dropped, and the
   * batch that crosses it stores one `system` line naming the cap.
   */
  appendLogs(jobId: string, attempt: number, entries: readonly LogEntry[], batchSeq?: number,
    opts?: { workerId?: string; maxBytes?: number | null }): Promise<boolean>;
  /** Entries with seq > afterSeq, oldest first. */
  readLogs(jobId: string, afterSeq: number, limit: number): Promise<StoredLogEntry[]>;
}

export interface WorkerAssignment {
  worker: Worker;
  job: Job | null;
  secrets: Record<string, string>;
}

export type AttemptHolding = 'holds' | 'other_attempt' | 'none';

export interface WorkerStore {
  insertWorker(w: NewWorker): Promise<Worker>;
  getWorker(id: string): Promise<Worker | null>;
  listWorkers(opts?: { states?: readonly WorkerState[]; providerId?: string }): Promise<Worker[]>;
  /** Atomic compare-and-set on the worker state, like transitionJob. */
  transitionWorker(id: string, from: readonly WorkerState[], to: WorkerState, patch?: WorkerPatch,
    now?: Date): Promise<Worker | null>;
  updateWorker(id: string, patch: WorkerPatch, now?: Date): Promise<Worker | null>;
  /**
   * The worker is done with this job: a pooled worker busy with it becomes ready without a job,
   * an ephemeral one (ready or busy with it) drains. False when it holds no such job.
   */
  releaseWorker(workerId: string, jobId: string, now?: Date): Promise<boolean>;
  /** The worker, the job it holds (if any) and that job's secret values, in one read. */
  workerAssignment(workerId: string): Promise<WorkerAssignment | null>;
  /**
   * Registers the provisioning worker whose unused one-time token hashes to `tokenHash`, at once:
   * token consumed, state ready, session set. Null when no such worker (token unknown, used, or
   * its worker no longer provisioning).
   */
  registerWorker(tokenHash: string, sessionHash: string, now: Date): Promise<Worker | null>;
  /**
   * Consumes a one-time registration token: returns the worker it belongs to and marks the token
   * used in the same statement. A second call with the same token returns null.
   */
  consumeWorkerToken(tokenHash: string, now: Date): Promise<Worker | null>;
  /** The worker whose session token hashes to this value (reconnect after a restart). */
  findWorkerBySession(workerId: string, sessionHash: string): Promise<Worker | null>;
  /**
   * Whether the job attempt was handed to this worker (`holds`), another attempt of that job was
   * (`other_attempt`), or neither (`none`). Every assignment is recorded, past attempts included.
   */
  attemptHolder(workerId: string, jobId: string, attempt: number): Promise<AttemptHolding>;
}

export interface NewEvent {
  timestamp: Date;
  /** Namespaced name, e.g. `worker.created`, `hpa.scale_up`. */
  eventType: string;
  provider: string;
  workerId?: string | null;
  jobId?: string | null;
  namespace?: string | null;
  durationMs?: number | null;
  success: boolean;
  details?: Record<string, unknown>;
}

export interface StoredEvent {
  id: number;
  timestamp: string; // ISO-8601
  eventType: string;
  provider: string;
  workerId: string | null;
  jobId: string | null;
  namespace: string | null;
  durationMs: number | null;
  success: boolean;
  details: Record<string, unknown>;
}

export interface EventQuery {
  type?: string;
  workerId?: string;
  jobId?: string;
  /** Only events at or after this time. */
  since?: Date;
  limit: number;
}

export interface EventStore {
  /** Inserts a batch in one statement. */
  insertEvents(rows: readonly NewEvent[]): Promise<void>;
  /** Matching events, newest first. */
  queryEvents(q: EventQuery): Promise<StoredEvent[]>;
  /**
   * Deletes events older than `olderThan` and all but the newest `keepMax` (by insertion order).
   * Returns how many were deleted.
   */
  pruneEvents(opts: { olderThan?: Date; keepMax?: number }): Promise<number>;
}

/** A worker pool as stored; `spec` is owned by the provider (validated there). */
export interface PoolRecord {
  name: string;
  providerId: string;
  spec: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface NewPool {
  name: string;
  providerId: string;
  spec: Record<string, unknown>;
  /** sha256 hex of the pool's bootstrap token; the token itself is never stored. */
  tokenHash: string;
  createdAt: Date;
}

export interface PoolStore {
  /** ConflictError when a pool of that name exists. */
  createPool(p: NewPool): Promise<PoolRecord>;
  getPool(name: string): Promise<PoolRecord | null>;
  listPools(): Promise<PoolRecord[]>;
  /** Replaces the spec; null when the pool does not exist. */
  updatePool(name: string, spec: Record<string, unknown>, now: Date): Promise<PoolRecord | null>;
  /** Replaces the pool's bootstrap token hash (the old token is revoked); null when the pool does not exist. */
  setPoolToken(name: string, tokenHash: string, now: Date): Promise<PoolRecord | null>;
  /** Deletes the pool (revoking its token); false when it did not exist. */
  deletePool(name: string): Promise<boolean>;
  /** The pool whose bootstrap token hashes to this value. */
  getPoolByTokenHash(tokenHash: string): Promise<PoolRecord | null>;
  /** Workers registered through this pool that are in one of `states`. */
  countPoolWorkers(pool: string, states: readonly WorkerState[]): Promise<number>;
}

export interface Store extends JobStore, WorkerStore, EventStore, PoolStore, QueueStore, ScheduleStore, RetentionStore, TemplateStore {
  readonly engine: 'pglite' | 'postgres';
  /** Applies pending numbered migrations; safe to run concurrently from several replicas. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}
