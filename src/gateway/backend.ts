// What the worker gateway asks of the control plane. The gateway owns the wire protocol; the
// job service implements this interface. Keeping it narrow lets the gateway be tested on its own.
import type { LogEntry } from '../store/store.js';
import type { Worker } from '../domain/worker.js';

/** A job as the agent receives it: secrets already merged into env, never logged by either side. */
export interface AssignedJob {
  jobId: string;
  attempt: number;
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Names of env entries that hold secrets, so the agent can redact them from its own logs. */
  secretNames: string[];
  workingDir?: string;
  timeoutSeconds?: number;
}

/** `interrupted`: the agent was told to stop (SIGTERM: pod deleted, node drained) — retriable, unlike `cancelled`. */
export type JobOutcome = 'exited' | 'timed_out' | 'cancelled' | 'interrupted' | 'error';

export interface JobResult {
  exitCode: number | null;
  signal?: string | null;
  outcome: JobOutcome;
  message?: string;
}

/**
 * The store's verdict on a worker's claim to a job attempt: `ok` (the store assigned this attempt
 * to this worker), `wrong_attempt` (it holds another attempt of that job, not this one) or
 * `foreign_job` (no attempt of that job is, or was, assigned to it).
 */
export type JobClaim = 'ok' | 'wrong_attempt' | 'foreign_job';

export interface GatewayBackend {
  /**
   * Consumes a one-time token, or — for a pool bootstrap token — registers a new pooled worker of
   * that pool. null when the token is unknown, already used (replay) or its pool was deleted.
   */
  registerWorker(token: string, info: { agentVersion: string; pid: number; hostname: string }):
    Promise<{ worker: Worker; sessionToken: string } | null>;
  /** Reconnect with the session token issued at registration. null when it does not match. */
  resumeWorker(workerId: string, sessionToken: string): Promise<Worker | null>;
  heartbeat(workerId: string): Promise<void>;
  /** The job this worker should run now, or null (an ephemeral worker with nothing to do exits). */
  nextJob(workerId: string): Promise<AssignedJob | null>;
  /** Whether the store assigned this attempt to this worker (a resume naming the job it holds). */
  checkClaim(workerId: string, jobId: string, attempt: number): Promise<JobClaim>;
  /**
   * The next three act only when the store assigned the attempt to this worker, checked by the
   * store in the same statement as the write; anything but `ok` means nothing was changed.
   */
  jobStarted(workerId: string, jobId: string, attempt: number): Promise<JobClaim>;
  /** Stores one batch; `batchSeq` (per attempt, from 1) makes a resent batch a no-op. */
  appendLogs(workerId: string, jobId: string, attempt: number, entries: readonly LogEntry[], batchSeq?: number): Promise<JobClaim>;
  jobFinished(workerId: string, jobId: string, attempt: number, result: JobResult): Promise<JobClaim>;
  /**
   * The connection closed; the worker may resume later, or be declared lost after missed heartbeats.
   * `graceful`: the agent closed it normally because it is exiting (it will not resume).
   */
  workerDisconnected(workerId: string, info?: { graceful: boolean }): void;
}
