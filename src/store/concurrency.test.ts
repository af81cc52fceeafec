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

  it('hands each job to one idle worker and each worker one job, within a queue ceiling, across replicas', async () => {
    const db = await freshDatabase(engine);
    const stores = await replicas(db, 3);
    const [first] = stores;
    if (!first) throw new Error('no store');
    await first.putQueue('narrow', { concurrency: 5, paused: false, quota: {} }, at(0));
    await Promise.all(Array.from({ length: 40 }, (_, i) => first.insertJob(newJob(`q-${i}`, i, { queue: i % 2 ? 'narrow' : 'default' }))));
    const workers = Array.from({ length: 24 }, (_, i) => `w-${i}`);
    for (const id of workers) {
      await first.insertWorker(newWorker(id, { ephemeral: false }));
      await first.transitionWorker(id, ['provisioning'], 'ready', {}, at(1));
    }
    // Every replica offers overlapping lists of the same idle workers at once, twice over.
    const lists = stores.flatMap((_, r) => [0, 1].map((k) => workers.slice((r + k) * 4, (r + k) * 4 + 12)));
    const claimed = (await Promise.all(lists.map((ids, i) => stores[Math.floor(i / 2)]?.assignQueuedJobs(ids, at(1000)) ?? [])))
      .flat();
    const jobIds = claimed.map((c) => c.job.id);
    const holders = claimed.map((c) => c.job.workerId);
    expect(new Set(jobIds).size).toBe(jobIds.length);
    expect(new Set(holders).size).toBe(holders.length);
    expect(claimed.filter((c) => c.job.spec.queue === 'narrow').length).toBeLessThanOrEqual(5);
    for (const c of claimed) {
      expect(c.job.state).toBe('assigned');
      expect((await first.getWorker(c.job.workerId ?? ''))).toMatchObject({ state: 'busy', jobId: c.job.id });
      expect(await first.attemptHolder(c.job.workerId ?? '', c.job.id, 1)).toBe('holds');
    }
    expect(claimed.length).toBe(new Set(lists.flat()).size); // every offered worker got one: 25 jobs may run
    const busy = await first.listWorkers({ states: ['busy'] });
    expect(busy.length).toBe(claimed.length);
  });

  it.runIf(engine === 'postgres')('tells the other replicas, not itself, that a job was queued (LISTEN/NOTIFY)', async () => {
    const db = await freshDatabase(engine);
    const [a, b] = await replicas(db, 2);
    if (!a || !b) throw new Error('no store');
    let heardByA = 0;
    let heardByB = 0;
    await a.onJobsQueued(() => { heardByA++; });
    await b.onJobsQueued(() => { heardByB++; });
    await b.insertJob(newJob('from-b'));
    await a.insertJob(newJob('scheduled-on-a', 0, { runAt: at(3600).toISOString() })); // not queued: no notification
    await expect.poll(() => heardByA, { timeout: 10_000 }).toBe(1);
    expect(heardByB).toBe(0);
    // A retry back to queued is announced too.
    await a.transitionJob('from-b', ['queued'], 'cancelled');
    await b.insertJob(newJob('retried'));
    await expect.poll(() => heardByA, { timeout: 10_000 }).toBe(2);
    await b.claimQueuedJobs(5, at(10));
    await b.transitionJob('retried', ['provisioning'], 'queued', { incrementAttempt: true });
    await expect.poll(() => heardByA, { timeout: 10_000 }).toBe(3);
    expect(heardByB).toBe(0);
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
