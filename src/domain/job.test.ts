import { describe, expect, it } from 'vitest';
import { allowedSources, assertTransition, canTransition, attemptHistory, IllegalTransitionError, JOB_STATES, retryDelayMs, shouldRetry, TERMINAL_JOB_STATES } from './job.js';
import { canWorkerTransition, WORKER_STATES } from './worker.js';

describe('job state machine', () => {
  it('follows queued → provisioning → assigned → running → end', () => {
    expect(canTransition('queued', 'provisioning')).toBe(true);
    expect(canTransition('provisioning', 'assigned')).toBe(true);
    expect(canTransition('assigned', 'running')).toBe(true);
    // Every end but `skipped`, which only a blocked job reaches (its dependency failed).
    for (const end of TERMINAL_JOB_STATES) expect(canTransition('running', end)).toBe(end !== 'skipped');
    expect(canTransition('blocked', 'skipped')).toBe(true);
  });

  it('rejects moves out of a terminal state and skips forward', () => {
    for (const end of TERMINAL_JOB_STATES) for (const s of JOB_STATES) expect(canTransition(end, s)).toBe(false);
    expect(canTransition('queued', 'running')).toBe(false);
    expect(canTransition('queued', 'succeeded')).toBe(false);
    expect(() => assertTransition('succeeded', 'running')).toThrow(IllegalTransitionError);
  });

  it('only retries and promotions (a due delay, dependencies met) go to queued', () => {
    expect(allowedSources('queued').sort()).toEqual(['assigned', 'blocked', 'provisioning', 'running', 'scheduled']);
    expect(allowedSources('succeeded')).toEqual(['running']);
  });

  it('backs off exponentially with a cap, by default and by a policy with jitter', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(undefined, n))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(undefined, 30)).toBe(300_000);
    const policy = { limit: 5, backoff: { initialSeconds: 10, factor: 3, maxSeconds: 60, jitter: 0.5 } };
    expect([1, 2, 3].map((n) => retryDelayMs(policy, n, 0))).toEqual([10_000, 30_000, 60_000]);
    expect(retryDelayMs(policy, 2, 0.999)).toBe(15_015); // at most half taken off
  });

  it('retries only the reasons a policy names, a timeout only when named, never a cancellation', () => {
    const plain = { retries: 2 };
    expect(shouldRetry(plain, 1, 'NonZeroExit')).toBe(true);
    expect(shouldRetry(plain, 3, 'NonZeroExit')).toBe(false); // attempts exhausted
    expect(shouldRetry(plain, 1, 'Timeout')).toBe(false);
    const onLost = { retries: 0, retryPolicy: { limit: 3, onReasons: ['WorkerLost', 'Timeout'] } };
    expect(shouldRetry(onLost, 1, 'WorkerLost')).toBe(true);
    expect(shouldRetry(onLost, 1, 'Timeout')).toBe(true);
    expect(shouldRetry(onLost, 1, 'NonZeroExit')).toBe(false);
    expect(shouldRetry(onLost, 1, 'Cancelled')).toBe(false);
  });

  it('tells each attempt\'s end from the history (a re-provisioning is not an attempt)', () => {
    const t = (state: string, reason?: string) => ({ state, at: `t-${state}-${reason ?? ''}`, ...(reason ? { reason } : {}) }) as never;
    const history = [t('queued'), t('provisioning'), t('queued', 'Reprovisioned'), t('provisioning'), t('assigned'), t('running'),
      t('queued', 'WorkerLost'), t('provisioning'), t('queued', 'ProvisioningFailed'), t('provisioning'), t('assigned'), t('running'), t('failed', 'NonZeroExit')];
    expect(attemptHistory({ transitions: history }).map((a) => [a.attempt, a.reason])).toEqual([[1, 'WorkerLost'], [2, 'ProvisioningFailed'], [3, 'NonZeroExit']]);
    expect(attemptHistory({ transitions: [t('queued')] })).toEqual([{ attempt: 1, reason: null, endedAt: null }]);
  });
});

describe('worker state machine', () => {
  it('goes provisioning → ready → busy → draining → terminated, never back from an end', () => {
    expect(canWorkerTransition('provisioning', 'ready')).toBe(true);
    expect(canWorkerTransition('ready', 'busy')).toBe(true);
    expect(canWorkerTransition('busy', 'draining')).toBe(true);
    expect(canWorkerTransition('draining', 'terminated')).toBe(true);
    for (const s of WORKER_STATES) {
      expect(canWorkerTransition('terminated', s)).toBe(false);
      expect(canWorkerTransition('failed', s)).toBe(false);
    }
  });
});
