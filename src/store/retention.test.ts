// Retention and templates in the store, on both engines: sweeps by final state, end time and a
// job's own ttl (never a dependency a blocked job waits on), DELETE of one job, the per-job log
// cap, pruning of stale idempotency keys and old schedule runs, and versioned templates.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JobSpec } from '../domain/job.js';
import type { Store } from './store.js';
import { at, newJob } from './testing/fixtures.js';
import { TEST_ENGINES, resettableStore, type ResettableStore } from './testing/fresh.js';

describe.each(TEST_ENGINES)('retention on %s', (engine) => {
  let db: ResettableStore;
  let store: Store;
  beforeAll(async () => { db = await resettableStore(engine); store = db.store; });
  beforeEach(async () => { await db.reset(); });
  afterAll(async () => { await db?.store.close(); });

  /** A job submitted at `s` that ends `state` at `end` (seconds after the fixtures' epoch). */
  async function finished(id: string, s: number, end: number, state: 'succeeded' | 'failed' | 'cancelled', spec: Partial<JobSpec> = {}): Promise<void> {
    await store.insertJob(newJob(id, s, spec));
    if (state === 'cancelled') {
      await store.transitionJob(id, ['queued'], 'cancelled', {}, { now: at(end) });
      return;
    }
    await store.claimQueuedJobs(1, at(s));
    await store.transitionJob(id, ['provisioning'], 'assigned', { workerId: 'w1' }, { now: at(s) });
    await store.transitionJob(id, ['assigned'], 'running', {}, { now: at(s) });
    await store.appendLogs(id, 1, [{ stream: 'stdout', data: 'hello\n' }]);
    await store.transitionJob(id, ['running'], state, {}, { now: at(end) });
  }

  const ids = async (): Promise<string[]> => (await store.listJobs({ limit: 100, order: 'asc' })).jobs.map((j) => j.id).sort();
  const sweep = (now: number, limit = 100) => store.sweepFinishedJobs({ now: at(now), succeededBefore: at(now - 100), failedBefore: at(now - 1000), limit });

  it('deletes succeeded and other finished jobs after their retention, or after their own ttl', async () => {
    await finished('ok-old', 0, 10, 'succeeded');
    await finished('ok-new', 0, 1150, 'succeeded');
    await finished('bad-old', 0, 10, 'failed');
    await finished('bad-mid', 0, 500, 'failed');
    await finished('cancelled-old', 0, 10, 'cancelled');
    await finished('ttl-short', 0, 500, 'failed', { ttlSecondsAfterFinished: 5 });
    await finished('ttl-long', 0, 10, 'succeeded', { ttlSecondsAfterFinished: 5000 });
    await store.insertJob(newJob('queued', 0));
    expect(await sweep(1200)).toEqual({ ttl: 1, retention: 3 });
    expect(await ids()).toEqual(['bad-mid', 'ok-new', 'queued', 'ttl-long']);
    // Logs and attempt rows went with their job (ON DELETE CASCADE).
    expect((await store.storeFootprint()).rows).toMatchObject({ jobs: 4, job_logs: 3, job_attempt_workers: 3 });
    expect(await sweep(6000)).toEqual({ ttl: 1, retention: 2 });
    expect(await ids()).toEqual(['queued']);
  });

  it('deletes in batches of at most the limit', async () => {
    for (let i = 0; i < 7; i++) await finished(`j${i}`, 0, 10, 'cancelled');
    expect(await sweep(2000, 3)).toEqual({ ttl: 0, retention: 3 });
    expect(await sweep(2000, 3)).toEqual({ ttl: 0, retention: 3 });
    expect(await sweep(2000, 3)).toEqual({ ttl: 0, retention: 1 });
  });

  it('keeps a finished job a blocked job depends on, in a sweep and on DELETE', async () => {
    await finished('dep', 0, 10, 'succeeded');
    await store.insertJob(newJob('waiter', 20, { dependsOn: ['dep'] }));
    expect(await sweep(2000)).toEqual({ ttl: 0, retention: 0 });
    expect(await store.deleteJob('dep')).toBe('needed_by_blocked');
    await store.promoteWaitingJobs(at(2000)); // waiter → queued: dep is free to go
    expect(await store.deleteJob('dep')).toBe('deleted');
  });

  it('deletes one finished job on request, refuses an unfinished one', async () => {
    await finished('done', 0, 10, 'failed');
    await store.insertJob(newJob('waiting', 0));
    expect(await store.deleteJob('waiting')).toBe('unfinished');
    expect(await store.deleteJob('done')).toBe('deleted');
    expect(await store.deleteJob('done')).toBe('not_found');
    expect(await store.readLogs('done', 0, 10)).toEqual([]);
  });

  it('caps a job\'s log and says so once, in the log', async () => {
    await store.insertJob(newJob('chatty', 0));
    const line = (n: number) => ({ stream: 'stdout' as const, data: `${String(n).padStart(9, '0')}\n` }); // 10 bytes
    await store.appendLogs('chatty', 1, [line(1), line(2), line(3)], undefined, { maxBytes: 45 });
    await store.appendLogs('chatty', 1, [line(4), line(5), line(6)], undefined, { maxBytes: 45 });
    await store.appendLogs('chatty', 1, [line(7)], undefined, { maxBytes: 45 });
    const logs = await store.readLogs('chatty', 0, 100);
    expect(logs.map((e) => e.data)).toEqual([
      '000000001\n', '000000002\n', '000000003\n', '000000004\n',
      'hodei: log capped at 45 bytes for this job; later output is not stored\n',
    ]);
    expect(logs.at(-1)?.stream).toBe('system');
    await expect(store.appendLogs('nope', 1, [line(1)], undefined, { maxBytes: 45 })).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
  });

  it('prunes stale idempotency keys and old schedule runs (a schedule keeps its latest)', async () => {
    await store.submitJob({ ...newJob('k-old', 0), idempotency: { key: 'old', bodyHash: 'h', expiredBefore: at(-1) } });
    await store.submitJob({ ...newJob('k-new', 500), idempotency: { key: 'new', bodyHash: 'h', expiredBefore: at(-1) } });
    expect(await store.pruneIdempotencyKeys(at(100), 10)).toBe(1);
    await store.createSchedule('s', { cron: '* * * * *', timezone: 'UTC', job: { command: 'true', args: [], env: {}, resources: {}, retries: 0, labels: {} },
      concurrencyPolicy: 'Allow', startingDeadlineSeconds: null, suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 }, at(0));
    for (const t of [60, 120, 180]) await store.recordScheduleRun('s', at(t), { missedReason: 'test' }, at(t));
    expect(await store.pruneScheduleRuns(at(1000), 10)).toBe(2);
    expect((await store.scheduleRuns('s', 10)).map((r) => r.tick)).toEqual([at(180).toISOString()]);
    await store.reclaimSpace();
  });

  it('saves templates as numbered versions and keeps the old ones readable', async () => {
    const spec = (cmd: string) => ({ job: { command: cmd, args: ['{{db}}'], env: {}, resources: {}, retries: 0, labels: {} }, parameters: [{ name: 'db', required: true }] });
    expect(await store.saveTemplate('backup', spec('pg_dump'), at(0))).toMatchObject({ name: 'backup', version: 1, job: { command: 'pg_dump' } });
    const saves = await Promise.all([store.saveTemplate('backup', spec('v2'), at(1)), store.saveTemplate('backup', spec('v3'), at(2))]);
    expect(saves.map((s) => s.version).sort()).toEqual([2, 3]);
    expect((await store.getTemplate('backup'))?.version).toBe(3);
    expect((await store.getTemplate('backup', 1))?.job.command).toBe('pg_dump');
    expect(await store.getTemplate('backup', 9)).toBeNull();
    expect((await store.templateVersions('backup')).map((t) => t.version)).toEqual([3, 2, 1]);
    await store.saveTemplate('other', spec('x'), at(3));
    expect((await store.listTemplates()).map((t) => [t.name, t.version])).toEqual([['backup', 3], ['other', 1]]);
    expect(await store.deleteTemplate('backup')).toBe(true);
    expect(await store.deleteTemplate('backup')).toBe(false);
  });
});
