// A database failure in the middle of an agent's registration (a connection reset, a failover)
// must never burn its one-time token: the agent retries the same registration after the gateway's
// INTERNAL close, and it must succeed (was: the token consumed by the first write and the worker
// never registered; the retry refused, the agent exited 1 and its job was lost as WorkerLost).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JobService } from './service.js';
import { WorkerSessions } from './worker-sessions.js';
import { silentLogger } from '../observability/logger.js';
import { newWorker } from '../../test/support/store/fixtures.js';
import { resettableStore, TEST_ENGINES, type ResettableStore } from '../../test/support/store/fresh.js';
import type { Store } from '../store/store.js';

/** The store, failing its `failAt`-th call after `arm()` as a dropped database connection would. */
function flakyStore(store: Store): { store: Store; arm(failAt: number): void } {
  let calls = 0;
  let failAt = 0;
  const proxy = new Proxy(store, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        if (failAt > 0 && ++calls === failAt) return Promise.reject(new Error('Connection terminated unexpectedly'));
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, arm: (n) => { calls = 0; failAt = n; } };
}

describe.each(TEST_ENGINES)('registration when the database fails midway (%s)', (engine) => {
  let db: ResettableStore;
  beforeAll(async () => { db = await resettableStore(engine); });
  beforeEach(async () => { await db.reset(); });
  afterAll(async () => { await db?.store.close(); });

  for (const failAt of [1, 2, 3]) {
    it(`database call ${failAt} of the registration fails: the same token registers on the retry, once`, async () => {
      const flaky = flakyStore(db.store);
      const logger = silentLogger();
      const sessions = new WorkerSessions(new JobService(flaky.store, logger), logger);
      await db.store.insertWorker(newWorker('w1'));
      const info = { agentVersion: 'test', pid: 1, hostname: 'h' };
      flaky.arm(failAt);
      const first = await sessions.registerWorker('token-w1', info).catch(() => 'failed' as const);
      flaky.arm(0);
      const registered = first === 'failed' ? await sessions.registerWorker('token-w1', info) : first;
      expect(registered?.worker).toMatchObject({ id: 'w1', state: 'ready' });
      expect(await sessions.registerWorker('token-w1', info)).toBeNull(); // still one-time
    });
  }
});
