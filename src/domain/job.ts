// Job spec, job states and the one state machine every job transition goes through. No I/O here.
import { backoffCeiling } from '../util/backoff.js';

export const JOB_STATES = [
  'scheduled', 'blocked', 'queued', 'provisioning', 'assigned', 'running',
  'succeeded', 'failed', 'cancelled', 'timed_out', 'skipped',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export const TERMINAL_JOB_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled', 'timed_out', 'skipped'];
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
  /** How many times a failed attempt is retried (max attempts = retries + 1), with exponential backoff; `retryPolicy.limit` when that is given. */
  retries: number;
  /** Which failures are retried, how often and after what backoff (overrides `retries`). */
  retryPolicy?: RetryPolicy;
  /** Seconds after the job ends before it is deleted with its logs (overrides the server's retention). */
  ttlSecondsAfterFinished?: number;
  /** The template (name, version, parameters) the job was made from; set by the server. */
  template?: TemplateRef;
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

/** Exponential backoff between attempts: initial × factor^(n−1), capped, minus up to `jitter` of it at random. */
export interface RetryBackoff {
  initialSeconds: number;
  maxSeconds: number;
  factor: number;
  /** 0..1: the delay is drawn uniformly from [d × (1 − jitter), d]. */
  jitter: number;
}

export interface RetryPolicy {
  /** Retries after the first attempt (attempts = limit + 1). */
  limit: number;
  backoff?: Partial<RetryBackoff>;
  /** Only failures with one of these reasons are retried (e.g. WorkerLost); unset: every failure but a timeout. */
  onReasons?: string[];
}

export const DEFAULT_BACKOFF: RetryBackoff = { initialSeconds: 1, maxSeconds: 300, factor: 2, jitter: 0 };

/** Which template version made a job, with the parameters it was rendered with. */
export interface TemplateRef {
  name: string;
  version: number;
  params: Record<string, string>;
}

/**
 * Whether a failed attempt (`attempt`, 1-based, ended with `reason`) is retried. A timeout is
 * retried only when `onReasons` names `Timeout`; a cancellation never is.
 */
export function shouldRetry(spec: Pick<JobSpec, 'retries' | 'retryPolicy'>, attempt: number, reason: string): boolean {
  const limit = spec.retryPolicy?.limit ?? spec.retries;
  if (attempt > limit || reason === 'Cancelled') return false;
  const on = spec.retryPolicy?.onReasons;
  return on ? on.includes(reason) : reason !== 'Timeout';
}

/** Delay before the attempt after failed attempt n (1-based); `random` in [0, 1). */
export function retryDelayMs(policy: RetryPolicy | undefined, failedAttempt: number, random: number = Math.random()): number {
  const b = { ...DEFAULT_BACKOFF, ...policy?.backoff };
  // The user's policy sets the factor and how much jitter may take off (not the fleet's half-jitter).
  const d = backoffCeiling(Math.max(0, failedAttempt - 1), b.initialSeconds * 1000, b.maxSeconds * 1000, b.factor);
  return Math.round(d * (1 - b.jitter * random));
}

/** One attempt of a job as its history tells it: how it ended (null while it runs or waits). */
export interface AttemptRecord {
  attempt: number;
  reason: string | null;
  endedAt: string | null;
}

const ATTEMPT_STATES: readonly JobState[] = ['provisioning', 'assigned', 'running'];

/**
 * The attempts of a job from its transitions: an attempt ends with a move back to `queued` from a
 * worker-holding state (a retry; `Reprovisioned` hands back the same attempt) or with a final state.
 */
export function attemptHistory(job: Pick<Job, 'transitions'>): AttemptRecord[] {
  const out: AttemptRecord[] = [{ attempt: 1, reason: null, endedAt: null }];
  let prev: JobState | null = null;
  for (const t of job.transitions) {
    const cur = out[out.length - 1] as AttemptRecord;
    if (t.state === 'queued' && prev !== null && ATTEMPT_STATES.includes(prev) && t.reason !== 'Reprovisioned') {
      cur.reason = t.reason ?? null;
      cur.endedAt = t.at;
      out.push({ attempt: cur.attempt + 1, reason: null, endedAt: null });
    } else if (isTerminal(t.state)) {
      cur.reason = t.reason ?? t.state;
      cur.endedAt = t.at;
    }
    prev = t.state;
  }
  return out;
}

/** A dead letter: a job that ended failed or timed out (attempts exhausted, or a reason not retried). */
export const DEAD_JOB_STATES: readonly JobState[] = ['failed', 'timed_out'];

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
