// Queues in the store, on both engines: claim order (priority, FIFO, aging), pause, concurrency,
// quota, delays, dependencies, idempotency keys and singleton keys.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JobSpec } from '../domain/job.js';
import type { Store } from './store.js';
import { at, newJob } from '../../test/support/store/fixtures.js';
import { TEST_ENGINES, freshDatabase, resettableStore, type ResettableStore } from '../../test/support/store/fresh.js';

const settings = (s: Partial<{ concurrency: number | null; paused: boolean; quota: object }> = {}) =>
  ({ concurrency: null, paused: false, quota: {}, ...s });

async function claimIds(store: Store, limit: number, now = at(1000)): Promise<string[]> {
  return (await store.claimQueuedJobs(limit, now)).map((j) => j.id);
}

describe.each(TEST_ENGINES)('queues on %s', (engine) => {
  let db: ResettableStore;
  let store: Store;
  beforeAll(async () => { db = await resettableStore(engine); store = db.store; });
  beforeEach(async () => { await db.reset(); });
  afterAll(async () => { await db?.store.close(); });

  const submit = (id: string, s: number, spec: Partial<JobSpec> = {}) => store.insertJob(newJob(id, s, spec));

  it('claims higher priority first, FIFO within a priority, and ages a waiting low priority up', async () => {
    await submit('low-old', 0, { priority: 0 });        // rank 0 s
    await submit('mid', 100, { priority: 1 });          // rank 100 - 60 = 40 s
    await submit('high-a', 101, { priority: 5 });       // rank 101 - 300 = -199 s
    await submit('high-b', 102, { priority: 5 });       // rank -198 s
    await submit('low-new', 103, { priority: 0 });      // rank 103 s
    expect(await claimIds(store, 10)).toEqual(['high-a', 'high-b', 'low-old', 'mid', 'low-new']);
  });

  it('leaves a paused queue alone and honours a concurrency ceiling per queue', async () => {
    for (let i = 0; i < 4; i++) await submit(`a${i}`, i, { queue: 'a' });
    for (let i = 0; i < 3; i++) await submit(`b${i}`, 10 + i, { queue: 'b' });
    await store.putQueue('a', settings({ concurrency: 2 }), at(0));
    await store.putQueue('b', settings({ paused: true }), at(0));
    expect(await claimIds(store, 10)).toEqual(['a0', 'a1']);
    expect(await claimIds(store, 10)).toEqual([]);
    await store.transitionJob('a0', ['provisioning'], 'failed', { reason: 'X' });
    expect(await claimIds(store, 10)).toEqual(['a2']);
    const { wasPaused, queue } = await store.putQueue('b', settings({ paused: false }), at(5));
    expect(wasPaused).toBe(true);
    expect(queue).toMatchObject({ name: 'b', paused: false, pausedAt: null });
    expect(await claimIds(store, 2)).toEqual(['b0', 'b1']);
  });

  it('keeps the running jobs of a queue within its cpu, memory and gpu quota, in order', async () => {
    await store.putQueue('gpu', settings({ quota: { cpu: '2', memory: '1Gi', gpu: 2 } }), at(0));
    await submit('g1', 1, { queue: 'gpu', resources: { gpu: 1, cpu: '500m' } });
    await submit('g2', 2, { queue: 'gpu', resources: { gpu: 2 } });       // does not fit beside g1
    await submit('g3', 3, { queue: 'gpu', resources: { cpu: '100m' } });  // fits, but waits behind g2
    expect(await claimIds(store, 10)).toEqual(['g1']);
    await store.transitionJob('g1', ['provisioning'], 'failed');
    expect(await claimIds(store, 10)).toEqual(['g2', 'g3']);
    expect(await store.getQueue('gpu')).toMatchObject({ quota: { cpu: '2', memory: '1Gi', gpu: 2 } });
  });

  it('holds a job with a future runAt as scheduled until it is due', async () => {
    const job = await submit('later', 0, { runAt: at(60).toISOString() });
    expect(job).toMatchObject({ state: 'scheduled', notBefore: at(60).toISOString() });
    expect(await store.promoteWaitingJobs(at(59))).toEqual({ queued: [], skipped: [] });
    expect(await claimIds(store, 5, at(59))).toEqual([]);
    const { queued } = await store.promoteWaitingJobs(at(60));
    expect(queued.map((j) => [j.id, j.state])).toEqual([['later', 'queued']]);
    expect(await claimIds(store, 5, at(60))).toEqual(['later']);
  });

  it('blocks a job on its dependencies, queues it when they succeed, skips it when one fails', async () => {
    await submit('a', 0);
    await submit('b', 1);
    expect(await submit('after-both', 2, { dependsOn: ['a', 'b'] })).toMatchObject({ state: 'blocked' });
    expect(await submit('after-a', 3, { dependsOn: ['a'] })).toMatchObject({ state: 'blocked' });
    await expect(submit('orphan', 4, { dependsOn: ['a', 'nope'] })).rejects.toThrow(/dependsOn: no job nope/);
    expect(await store.dependenciesOf('after-both')).toEqual([{ id: 'a', state: 'queued' }, { id: 'b', state: 'queued' }]);
    expect(await claimIds(store, 10)).toEqual(['a', 'b']);
    await store.transitionJob('a', ['provisioning'], 'assigned');
    await store.transitionJob('a', ['assigned'], 'running');
    await store.transitionJob('a', ['running'], 'succeeded');
    await store.transitionJob('b', ['provisioning'], 'failed', { reason: 'NonZeroExit' });
    const r = await store.promoteWaitingJobs(at(10));
    expect(r.queued.map((j) => j.id)).toEqual(['after-a']);
    expect(r.skipped.map((j) => [j.id, j.state, j.reason, j.message])).toEqual([['after-both', 'skipped', 'DependencyFailed', 'dependency b failed']]);
    expect(await claimIds(store, 10)).toEqual(['after-a']);
  });

  it('answers a repeated idempotency key with the original job, another body with a mismatch', async () => {
    const idem = (bodyHash: string, s = 0) => ({ key: 'k-1', bodyHash, expiredBefore: at(s - 86_400) });
    const first = await store.submitJob({ ...newJob('j1', 0), idempotency: idem('h1') });
    expect(first.outcome).toBe('created');
    const again = await store.submitJob({ ...newJob('j2', 5), idempotency: idem('h1', 5) });
    expect(again).toMatchObject({ outcome: 'replayed', job: { id: 'j1' } });
    expect(await store.submitJob({ ...newJob('j3', 6), idempotency: idem('h2', 6) })).toEqual({ outcome: 'key_mismatch', jobId: 'j1' });
    // After 24 h the key is free again.
    const later = await store.submitJob({ ...newJob('j4', 90_000), idempotency: idem('h2', 90_000) });
    expect(later).toMatchObject({ outcome: 'created', job: { id: 'j4' } });
    expect(await store.getJob('j2')).toBeNull();
  });

  it('keeps one unfinished job per singleton key', async () => {
    expect((await store.submitJob(newJob('s1', 0, { key: 'nightly' }))).outcome).toBe('created');
    expect(await store.submitJob(newJob('s2', 1, { key: 'nightly' }))).toMatchObject({ outcome: 'deduplicated', job: { id: 's1' } });
    await store.transitionJob('s1', ['queued'], 'cancelled');
    expect(await store.submitJob(newJob('s3', 2, { key: 'nightly' }))).toMatchObject({ outcome: 'created', job: { id: 's3' } });
  });

  it('reports per-queue counts, the oldest due job and the latest start', async () => {
    await store.putQueue('empty', settings(), at(0));
    await submit('q1', 5, { queue: 'x' });
    await submit('q2', 7, { queue: 'x' });
    await submit('later', 8, { queue: 'x', runAt: at(5000).toISOString() });
    const [x] = await store.queueStats(at(100));
    expect(x).toMatchObject({ queue: 'x', oldestDueAt: at(5).toISOString(), lastStartedAt: null });
    expect(x?.counts).toMatchObject({ queued: 2, scheduled: 1, running: 0 });
    expect((await store.queueStats(at(100), 'nope'))).toEqual([]);
  });
});

describe.each(TEST_ENGINES)('queue ceiling across replicas on %s', (engine) => {
  it('never lets concurrent claimers together exceed a queue\'s concurrency', async () => {
    const database = await freshDatabase(engine);
    const stores = await Promise.all(Array.from({ length: engine === 'postgres' ? 3 : 1 }, () => database.open({ poolSize: 4 })));
    try {
      const [first] = stores;
      if (!first) throw new Error('no store');
      await first.putQueue('q', settings({ concurrency: 3 }), at(0));
      await Promise.all(Array.from({ length: 60 }, (_, i) => first.insertJob(newJob(`j${i}`, i, { queue: 'q' }))));
      let finished = 0;
      let extra = 0;
      // Claimers race while new, higher-priority jobs keep arriving (so their candidate lists
      // differ); each claimed job is finished after the claim, so slots free up as they go.
      const claimer = async (s: Store): Promise<void> => {
        while (finished < 120) {
          if (extra < 60) await s.insertJob(newJob(`x${extra++}`, 100 + extra, { queue: 'q', priority: extra }));
          const jobs = await s.claimQueuedJobs(5, at(1000));
          const active = (await s.countJobsByState()).provisioning;
          expect(active).toBeLessThanOrEqual(3);
          for (const j of jobs) {
            await s.transitionJob(j.id, ['provisioning'], 'failed');
            finished++;
          }
          if (jobs.length === 0) await new Promise((r) => setTimeout(r, 2));
        }
      };
      await Promise.all(stores.flatMap((s) => [claimer(s), claimer(s), claimer(s)]));
      expect((await first.countJobsByState()).failed).toBe(120);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
