// The job half of the store contract, run against both engines.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../domain/job.js';
import { ConflictError, NotFoundError } from '../errors/errors.js';
import type { Store } from './store.js';
import { at, newJob } from '../../test/support/store/fixtures.js';
import { TEST_ENGINES, resettableStore, type ResettableStore } from '../../test/support/store/fresh.js';

describe.each(TEST_ENGINES)('jobs on %s', (engine) => {
  let db: ResettableStore;
  let store: Store;
  // One database per file, emptied before each test.
  beforeAll(async () => { db = await resettableStore(engine); store = db.store; });
  beforeEach(async () => { await db.reset(); });
  afterAll(async () => { await db?.store.close(); });

  it('stores a job without its secret values; only getJobSecrets returns them', async () => {
    const job = await store.insertJob(newJob('j1', 0, { labels: { team: 'a' }, secrets: { TOKEN: 's3cr3t', API: 'k' }, env: { A: '1' } }));
    expect(job).toMatchObject({ id: 'j1', state: 'queued', attempt: 1, workerId: null, exitCode: null,
      createdAt: at(0).toISOString(), updatedAt: at(0).toISOString(), notBefore: at(0).toISOString(),
      startedAt: null, finishedAt: null, transitions: [{ state: 'queued', at: at(0).toISOString() }] });
    expect(job.spec).toEqual({ command: 'true', args: [], env: { A: '1' }, resources: {}, retries: 0,
      labels: { team: 'a' }, secretNames: ['API', 'TOKEN'] });
    const fetched = await store.getJob('j1');
    expect(fetched).toEqual(job);
    const listed = await store.listJobs({ limit: 10 });
    for (const view of [job, fetched, listed.jobs[0], (await store.jobsInStates(['queued']))[0]]) {
      expect(JSON.stringify(view)).not.toContain('s3cr3t');
    }
    expect(await store.getJobSecrets('j1')).toEqual({ TOKEN: 's3cr3t', API: 'k' });
  });

  it('reports a missing job as null, its secrets as not found, a duplicate id as a conflict', async () => {
    expect(await store.getJob('nope')).toBeNull();
    await expect(store.getJobSecrets('nope')).rejects.toBeInstanceOf(NotFoundError);
    await store.insertJob(newJob('dup'));
    await expect(store.insertJob(newJob('dup'))).rejects.toBeInstanceOf(ConflictError);
  });

  it('moves a job through its life, recording timestamps in order', async () => {
    await store.insertJob(newJob('j1'));
    const provisioning = await store.transitionJob('j1', ['queued'], 'provisioning', {}, { now: at(1) });
    const assigned = await store.transitionJob('j1', ['provisioning'], 'assigned', { workerId: 'w1' }, { now: at(2) });
    const running = await store.transitionJob('j1', ['assigned'], 'running', {}, { now: at(3), attempt: 1 });
    const done = await store.transitionJob('j1', ['running'], 'succeeded', { exitCode: 0, reason: 'Completed' }, { now: at(4) });
    expect(provisioning?.state).toBe('provisioning');
    expect(assigned).toMatchObject({ state: 'assigned', workerId: 'w1', startedAt: null });
    expect(running).toMatchObject({ state: 'running', startedAt: at(3).toISOString(), finishedAt: null });
    expect(done).toMatchObject({ state: 'succeeded', exitCode: 0, reason: 'Completed', workerId: 'w1',
      startedAt: at(3).toISOString(), finishedAt: at(4).toISOString(), updatedAt: at(4).toISOString() });
    expect(done?.transitions).toEqual([
      { state: 'queued', at: at(0).toISOString() },
      { state: 'provisioning', at: at(1).toISOString() },
      { state: 'assigned', at: at(2).toISOString() },
      { state: 'running', at: at(3).toISOString() },
      { state: 'succeeded', at: at(4).toISOString(), reason: 'Completed' },
    ]);
    expect(await store.getJob('j1')).toEqual(done);
  });

  it('returns null when the guard does not hold (lost race, wrong attempt, unknown job)', async () => {
    await store.insertJob(newJob('j1'));
    expect(await store.transitionJob('j1', ['queued'], 'cancelled', {}, { now: at(1) })).not.toBeNull();
    // A second replica acting on the state it read earlier loses.
    expect(await store.transitionJob('j1', ['queued'], 'provisioning', {}, { now: at(2) })).toBeNull();
    await store.insertJob(newJob('j2'));
    expect(await store.transitionJob('j2', ['queued'], 'provisioning', {}, { attempt: 2 })).toBeNull();
    expect(await store.transitionJob('ghost', ['queued'], 'provisioning')).toBeNull();
    expect((await store.getJob('j1'))?.transitions.map((t) => t.state)).toEqual(['queued', 'cancelled']);
    expect((await store.getJob('j2'))?.state).toBe('queued');
  });

  it('throws IllegalTransitionError when a source state cannot lead to the target', async () => {
    await store.insertJob(newJob('j1'));
    await expect(store.transitionJob('j1', ['queued'], 'running')).rejects.toBeInstanceOf(IllegalTransitionError);
    await expect(store.transitionJob('j1', ['assigned', 'succeeded'], 'running')).rejects.toThrow('succeeded → running');
    expect((await store.getJob('j1'))?.state).toBe('queued');
  });

  it('retries: → queued bumps the attempt and defers the next claim until notBefore', async () => {
    await store.insertJob(newJob('j1'));
    await store.transitionJob('j1', ['queued'], 'assigned', { workerId: 'w1' }, { now: at(1) });
    await store.transitionJob('j1', ['assigned'], 'running', {}, { now: at(2) });
    const retried = await store.transitionJob('j1', ['running'], 'queued',
      { incrementAttempt: true, notBefore: at(60), workerId: null, exitCode: 3, reason: 'NonZeroExit' },
      { now: at(3), attempt: 1 });
    expect(retried).toMatchObject({ state: 'queued', attempt: 2, workerId: null, exitCode: 3, notBefore: at(60).toISOString() });
    expect(retried?.transitions.at(-1)).toEqual({ state: 'queued', at: at(3).toISOString(), reason: 'NonZeroExit' });
    // The old attempt's late event no longer applies.
    expect(await store.transitionJob('j1', ['queued', 'running'], 'failed', {}, { attempt: 1 })).toBeNull();
    expect(await store.claimQueuedJobs(10, at(59))).toEqual([]);
    const [claimed] = await store.claimQueuedJobs(10, at(60));
    expect(claimed).toMatchObject({ id: 'j1', state: 'provisioning', attempt: 2 });
  });

  it('claims queued jobs oldest first, at most `limit`, each once', async () => {
    for (let i = 0; i < 5; i++) await store.insertJob(newJob(`j${i}`, 10 - i));
    await store.insertJob(newJob('later', 0));
    await store.transitionJob('later', ['queued'], 'cancelled');
    const first = await store.claimQueuedJobs(3, at(100));
    expect(first.map((j) => j.id)).toEqual(['j4', 'j3', 'j2']);
    expect(first[0]?.transitions.at(-1)).toEqual({ state: 'provisioning', at: at(100).toISOString() });
    expect((await store.claimQueuedJobs(10, at(100))).map((j) => j.id)).toEqual(['j1', 'j0']);
    expect(await store.claimQueuedJobs(10, at(100))).toEqual([]);
    expect(await store.claimQueuedJobs(0, at(100))).toEqual([]);
  });

  it('can leave jobs that ask for their own image to others (pool workers)', async () => {
    await store.insertJob(newJob('own-image', 0, { image: 'python:3.12' }));
    await store.insertJob(newJob('plain', 1));
    expect((await store.claimQueuedJobs(10, at(100), { withoutImage: true })).map((j) => j.id)).toEqual(['plain']);
    expect((await store.claimQueuedJobs(10, at(100))).map((j) => j.id)).toEqual(['own-image']);
  });

  it('does not claim a job whose backoff has not passed', async () => {
    await store.insertJob(newJob('now', 0));
    await store.insertJob(newJob('future', 50));
    // notBefore defaults to createdAt: a job created "in the future" waits like a backoff.
    expect((await store.claimQueuedJobs(10, at(10))).map((j) => j.id)).toEqual(['now']);
    expect((await store.claimQueuedJobs(10, at(50))).map((j) => j.id)).toEqual(['future']);
  });

  it('counts every state, zeros included, and lists jobs in given states', async () => {
    await store.insertJob(newJob('a', 1));
    await store.insertJob(newJob('b', 2));
    await store.insertJob(newJob('c', 3));
    await store.transitionJob('b', ['queued'], 'assigned');
    await store.transitionJob('c', ['queued'], 'failed');
    expect(await store.countJobsByState()).toEqual({ scheduled: 0, blocked: 0, queued: 1, provisioning: 0, assigned: 1, running: 0,
      succeeded: 0, failed: 1, cancelled: 0, timed_out: 0, skipped: 0 });
    expect((await store.jobsInStates(['assigned', 'queued'])).map((j) => j.id)).toEqual(['a', 'b']);
    expect(await store.jobsInStates([])).toEqual([]);
  });
});
