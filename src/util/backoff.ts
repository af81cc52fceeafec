// The one exponential backoff of the project (Kubernetes API retries, watch reconnects, the worker
// agent's reconnects, a job's retryPolicy), on cockatiel's generators, half-jittered: a fleet that lost the same server does not come
// back in lockstep, yet never retries at once.
import { halfJitterGenerator, noJitterGenerator } from 'cockatiel';

/** The ceiling of retry `attempt` (0-based), without jitter: min(maxMs, baseMs·factor^attempt). */
export function backoffCeiling(attempt: number, baseMs: number, maxMs: number, factor = 2): number {
  // Computed here: cockatiel's generators fix the factor at 2, and a job's retryPolicy chooses its own.
  return Math.min(maxMs, baseMs * factor ** Math.min(attempt, 60));
}

/** Delay before retry `attempt` (0-based): uniform in [d/2, d] where d = min(maxMs, baseMs·2^attempt). */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  return halfJitterGenerator(Math.min(attempt, 60), { initialDelay: baseMs, maxDelay: maxMs, exponent: 2, generator: noJitterGenerator })[0];
}

