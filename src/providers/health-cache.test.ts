// cachedCheck on a hand-driven clock: probes read the last answer; a slow refresh keeps it (the
// /readyz 503s a loaded machine showed came from an 800 ms refresh bound recording "no answer"),
// a hung one fails after unansweredAfterMs, a failing one fails at once.
import { describe, expect, it } from 'vitest';
import { cachedCheck } from './health-cache.js';
import type { HealthStatus } from './provider.js';

type Result = { status: HealthStatus; message: string };

function harness(periodMs: number | ((r: Result) => number) = 1000) {
  let t = 0;
  const calls: Array<{ resolve: (r: Result) => void; reject: (e: Error) => void }> = [];
  const check = cachedCheck(() => new Promise<Result>((resolve, reject) => calls.push({ resolve, reject })), {
    periodMs, timeoutMs: 800, unansweredAfterMs: 5000, failed: 'Unhealthy', now: () => t,
    onError: (err) => ({ status: 'Unhealthy', message: `check failed: ${(err as Error).message}` }),
  });
  const ok = (message: string): Result => ({ status: 'Healthy', message });
  const advance = (ms: number): void => { t += ms; };
  /** The first answer `a` in, then the period passed and a refresh started (not answered). */
  const refreshing = async (): Promise<void> => {
    const first = check();
    calls[0]?.resolve(ok('a'));
    await first;
    advance(1000);
    await check();
  };
  return { check, calls, ok, advance, refreshing };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('cachedCheck', () => {
  it('waits for the first answer, then answers from cache and refreshes behind the probes once the period passed', async () => {
    const h = harness();
    const first = h.check();
    h.calls[0]?.resolve(h.ok('a'));
    expect(await first).toEqual(h.ok('a'));
    h.advance(500);
    expect(await h.check()).toEqual(h.ok('a'));
    expect(h.calls).toHaveLength(1); // within the period: no request
    h.advance(600);
    expect(await h.check()).toEqual(h.ok('a')); // refresh started, answer not in yet
    expect(await h.check()).toEqual(h.ok('a'));
    expect(h.calls).toHaveLength(2); // one refresh at a time
    h.calls[1]?.resolve(h.ok('b'));
    await flush();
    expect(await h.check()).toEqual(h.ok('b'));
  });

  it('a slow refresh keeps the last answer; a hung one fails after unansweredAfterMs, named; the late answer restores it', async () => {
    const h = harness();
    await h.refreshing(); // starts the refresh
    h.advance(3000); // 3 s without an answer: slow, not down (the old bound said Unhealthy after 800 ms)
    expect(await h.check()).toEqual(h.ok('a'));
    h.advance(2000);
    expect(await h.check()).toEqual({ status: 'Unhealthy', message: 'no answer within 5000 ms' });
    h.calls[1]?.resolve(h.ok('back'));
    await flush();
    expect(await h.check()).toEqual(h.ok('back'));
  });

  it('an answer that arrived while the process was busy is read before judging (event-loop lag is not a hang)', async () => {
    const h = harness();
    await h.refreshing();
    h.calls[1]?.resolve(h.ok('in time')); // settled, its callbacks not yet run
    h.advance(6000);
    expect(await h.check()).toEqual(h.ok('in time'));
  });

  it('records a failing refresh as soon as it answers', async () => {
    const h = harness();
    await h.refreshing();
    h.calls[1]?.reject(new Error('connect ECONNREFUSED'));
    await flush();
    expect(await h.check()).toEqual({ status: 'Unhealthy', message: 'check failed: connect ECONNREFUSED' });
  });

  it('bounds the first probe by timeoutMs, and later ones do not wait again while that request hangs', async () => {
    const h = harness();
    const first = h.check();
    expect(await first).toEqual({ status: 'Unhealthy', message: 'no answer within 800 ms' });
    h.advance(800);
    expect(await h.check()).toEqual({ status: 'Unhealthy', message: 'no answer within 800 ms' });
    expect(h.calls).toHaveLength(1);
    h.calls[0]?.resolve(h.ok('late'));
    await flush();
    expect(await h.check()).toEqual(h.ok('late'));
  });

  it('takes its period from the last answer, and invalidate() refreshes at the next probe', async () => {
    const h = harness((r) => (r.status === 'Healthy' ? 60_000 : 1000));
    const first = h.check();
    h.calls[0]?.resolve(h.ok('allowed'));
    await first;
    h.advance(30_000);
    await h.check();
    expect(h.calls).toHaveLength(1);
    expect(h.check.last).toEqual(h.ok('allowed'));
    h.check.invalidate();
    expect(await h.check()).toEqual(h.ok('allowed')); // the old answer while the new one is asked
    expect(h.calls).toHaveLength(2);
    h.calls[1]?.resolve({ status: 'Unhealthy', message: 'denied' });
    await flush();
    h.advance(1000); // a denial is asked again on the short period
    expect(await h.check()).toEqual({ status: 'Unhealthy', message: 'denied' });
    expect(h.calls).toHaveLength(3);
  });
});
