// Several control-plane replicas (separate Store instances, separate pg pools) on one database.
// PGlite has one connection per process, so there the same claims run concurrently on one store.
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from './store.js';
import { at, newJob, newWorker, sha256 } from '../../test/support/store/fixtures.js';
import { TEST_ENGINES, freshDatabase, type TestDatabase } from '../../test/support/store/fresh.js';

const JOBS = 500;

async function seed(store: Store): Promise<void> {
  // One INSERT per job is what the service does; 500 of them take well under a second.
  await Promise.all(Array.from({ length: JOBS }, (_, i) => store.insertJob(newJob(`job-${i}`, i % 17))));
}

/** Claims until the queue is empty, several claimers at once; returns every id claimed. */
async function drain(stores: readonly Store[], claimersPerStore: number, batch: number): Promise<string[]> {
  const claimed: string[] = [];
  const loop = async (s: Store): Promise<void> => {
    for (;;) {
      const jobs = await s.claimQueuedJobs(batch, at(1000));
      if (jobs.length === 0) return;
      claimed.push(...jobs.map((j) => j.id));
    }
  };
  await Promise.all(stores.flatMap((s) => Array.from({ length: claimersPerStore }, () => loop(s))));
  return claimed;
}

describe.each(TEST_ENGINES)('concurrency on %s', (engine) => {
  const opened: Store[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  async function replicas(db: TestDatabase, n: number): Promise<Store[]> {
    const stores = await Promise.all(Array.from({ length: engine === 'postgres' ? n : 1 }, () => db.open({ poolSize: 4 })));
    opened.push(...stores);
    return stores;
  }

  it(`claims each of ${JOBS} queued jobs exactly once across concurrent replicas`, async () => {
    const db = await freshDatabase(engine);
    const stores = await replicas(db, 3);
    const [first] = stores;
    if (!first) throw new Error('no store');
    await seed(first);
    const claimed = await drain(stores, 4, 7);
    const counts = new Map<string, number>();
    for (const id of claimed) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect([...counts.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(counts.size).toBe(JOBS);
    expect(claimed.length).toBe(JOBS);
    const byState = await first.countJobsByState();
    expect(byState.provisioning).toBe(JOBS);
    expect(byState.queued).toBe(0);
  });

  it('lets exactly one of many concurrent compare-and-set transitions win', async () => {
    const db = await freshDatabase(engine);
    const stores = await replicas(db, 3);
    const [first] = stores;
    if (!first) throw new Error('no store');
    await first.insertJob(newJob('contended'));
    const results = await Promise.all(stores.flatMap((s, r) => Array.from({ length: 10 }, (_, i) =>
      s.transitionJob('contended', ['queued'], 'assigned', { workerId: `w-${r}-${i}` }))));
    const winners = results.filter((j) => j !== null);
    expect(winners).toHaveLength(1);
    const job = await first.getJob('contended');
    expect(job?.workerId).toBe(winners[0]?.workerId);
    expect(job?.transitions.map((t) => t.state)).toEqual(['queued', 'assigned']);
  });

  it('accepts a registration token once under concurrent use', async () => {
    const db = await freshDatabase(engine);
    const stores = await replicas(db, 3);
    const [first] = stores;
    if (!first) throw new Error('no store');
    await first.insertWorker(newWorker('w1'));
    const results = await Promise.all(stores.flatMap((s) => Array.from({ length: 10 }, () =>
      s.consumeWorkerToken(sha256('token-w1'), at(5)))));
    expect(results.filter((w) => w !== null).map((w) => w?.id)).toEqual(['w1']);
  });
});
