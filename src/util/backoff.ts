// The one exponential backoff of the project (Kubernetes API retries, watch reconnects, the worker
// agent's reconnects, a failed job's next attempt), on cockatiel's generators. Reconnects and
// retries are half-jittered, so a fleet that lost the same server does not come back in lockstep,
// yet never retries at once; a job's next attempt is exact (1 s, 2 s, 4 s…, as docs/jobs.md says).
import { halfJitterGenerator, noJitterGenerator } from 'cockatiel';

/** The ceiling of retry `attempt` (0-based), without jitter: min(maxMs, baseMs·2^attempt). */
export function backoffCeiling(attempt: number, baseMs: number, maxMs: number): number {
  return noJitterGenerator(Math.min(attempt, 60), { initialDelay: baseMs, maxDelay: maxMs, exponent: 2, generator: noJitterGenerator })[0];
}

/** Delay before retry `attempt` (0-based): uniform in [d/2, d] where d = min(maxMs, baseMs·2^attempt). */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  return halfJitterGenerator(Math.min(attempt, 60), { initialDelay: baseMs, maxDelay: maxMs, exponent: 2, generator: noJitterGenerator })[0];
}

/** A failed job's wait before attempt n+1 (n = the failed attempt, 1-based): 1 s, 2 s, 4 s… capped at 5 min. */
export const retryBackoffMs = (failedAttempt: number): number => backoffCeiling(Math.max(0, failedAttempt - 1), 1000, 300_000);
