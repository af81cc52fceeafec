import { describe, expect, it } from 'vitest';
import { allowedSources, assertTransition, canTransition, IllegalTransitionError, JOB_STATES, TERMINAL_JOB_STATES } from './job.js';
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
