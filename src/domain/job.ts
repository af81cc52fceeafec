// Job spec, job states and the one state machine every job transition goes through. No I/O here.

export const JOB_STATES = [
  'scheduled', 'blocked', 'queued', 'provisioning', 'assigned', 'running',
  'succeeded', 'failed', 'cancelled', 'timed_out', 'skipped',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export const TERMINAL_JOB_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled', 'timed_out', 'skipped'];
/** States in which a job holds (or is getting) a worker: what a queue's concurrency counts. */
export const ACTIVE_JOB_STATES: readonly JobState[] = ['provisioning', 'assigned', 'running'];
export const isTerminal = (s: JobState): boolean => TERMINAL_JOB_STATES.includes(s);

/**
 * Legal transitions. `→ queued` from a later state is a retry (attempt + 1, after backoff) or a
 * worker handed back before the job started; everything else moves forward only. `scheduled`
 * waits for its runAt, `blocked` for its dependencies (which may end it `skipped`).
 */
const TRANSITIONS: Record<JobState, readonly JobState[]> = {
  scheduled: ['queued', 'cancelled'],
  blocked: ['queued', 'scheduled', 'skipped', 'cancelled'],
  queued: ['provisioning', 'assigned', 'cancelled', 'failed'],
  provisioning: ['assigned', 'queued', 'failed', 'cancelled'],
  assigned: ['running', 'queued', 'failed', 'cancelled', 'timed_out'],
  running: ['succeeded', 'failed', 'cancelled', 'timed_out', 'queued'],
  succeeded: [],
  failed: [],
  cancelled: [],
  timed_out: [],
  skipped: [],
};

export function canTransition(from: JobState, to: JobState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** States a job may be in when moving to `to` (used as the SQL guard of an atomic transition). */
export function allowedSources(to: JobState): JobState[] {
  return JOB_STATES.filter((s) => TRANSITIONS[s].includes(to));
}

export interface JobResources {
  /** Kubernetes CPU quantity, e.g. "500m" or "2". */
  cpu?: string;
  /** Kubernetes memory quantity, e.g. "256Mi". */
  memory?: string;
  /** Whole GPUs. */
  gpu?: number;
}

/** A network destination a job needs: a CIDR, optionally one port and a protocol (default TCP). */
export interface JobEgress {
  cidr: string;
  port?: number;
  protocol?: 'TCP' | 'UDP';
}

export interface JobSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  workingDir?: string;
  /** Container image; used by container providers, ignored by the local provider. */
  image?: string;
  resources: JobResources;
  /** Wall-clock limit of one attempt; the agent kills the process group when it passes. */
  timeoutSeconds?: number;
  /** How many times a failed attempt is retried (max attempts = retries + 1), with exponential backoff. */
  retries: number;
  labels: Record<string, string>;
  /** Egress the job needs; refused at admission (reason NetworkPolicyViolation) when outside the provider's allow-list. */
  egress?: JobEgress[];
  /** name → value, injected into the job's environment; never logged or returned by the API. */
  secrets: Record<string, string>;
  /** Queue the job waits in (concurrency, quota, pause). @defaultValue "default" */
  queue?: string;
  /** Higher runs first; FIFO within a priority; waiting ages a job up (see docs/jobs.md). @defaultValue 0 */
  priority?: number;
  /** RFC 3339 time before which the job is not started (state `scheduled` until then). */
  runAt?: string;
  /** Singleton key: at most one unfinished job per key; a second submit answers the existing job. */
  key?: string;
  /** Jobs that must all succeed first (state `blocked` until then; `skipped` if one does not). */
  dependsOn?: string[];
}

/** Seconds of waiting one priority point is worth (aging: a starved low priority still runs). */
export const DEFAULT_PRIORITY_AGING_SECONDS = 60;

/**
 * The claim order of a job (earliest first): the moment it became due, moved earlier by priority ×
 * aging seconds. FIFO within a priority; a job of priority p is passed over only by jobs that
 * became due less than (q − p) × aging seconds after it (q their priority), so it never starves.
 */
export function claimRank(due: Date, priority: number, agingSeconds = DEFAULT_PRIORITY_AGING_SECONDS): Date {
  return new Date(due.getTime() - priority * agingSeconds * 1000);
}

/** Why a job ended or was retried; a fixed vocabulary so it can be counted. */
export type JobReason =
  | 'Completed' | 'NonZeroExit' | 'Signaled' | 'OOMKilled' | 'CommandNotFound' | 'CommandNotExecutable'
  | 'Timeout' | 'Cancelled' | 'WorkerLost' | 'ProvisioningFailed' | 'AgentError' | string;

export interface JobTransition {
  state: JobState;
  at: string; // ISO-8601
  reason?: string;
  /** The signal that ended the attempt (e.g. "SIGKILL"), kept with the transition it caused. */
  signal?: string;
}

/** A job as stored and returned. `spec.secrets` is never part of this view: only secret names are. */
export interface Job {
  id: string;
  state: JobState;
  spec: Omit<JobSpec, 'secrets'> & { secretNames: string[] };
  attempt: number;
  workerId: string | null;
  exitCode: number | null;
  /** Signal that killed the job's process in its latest attempt (`SIGKILL`), else null; reason `Signaled` or `OOMKilled`. */
  signal: string | null;
  reason: string | null;
  message: string | null;
  /** Earliest time a queued job may be dispatched (retry backoff). */
  notBefore: string;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  transitions: JobTransition[];
  /** Why a job that has not started is still waiting (paused queue, concurrency, runAt, dependencies). */
  waitingFor?: string;
}

export class IllegalTransitionError extends Error {
  constructor(readonly from: JobState, readonly to: JobState) {
    super(`illegal job transition ${from} → ${to}`);
  }
}

export function assertTransition(from: JobState, to: JobState): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
}

/** Exit code a job's reason implies when its process could not be started (as a shell reports it). */
export const START_FAILURE_REASONS: Readonly<Record<number, JobReason>> = { 126: 'CommandNotExecutable', 127: 'CommandNotFound' };
