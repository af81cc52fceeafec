// listJobs filters and keyset pagination, and job logs, against both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../errors/errors.js';
import type { Store } from './store.js';
import { newJob } from '../../test/support/store/fixtures.js';
import { TEST_ENGINES, freshStore } from '../../test/support/store/fresh.js';

describe.each(TEST_ENGINES)('listJobs and logs on %s', (engine) => {
  let store: Store;
  // One store for the file: these tests only read what beforeAll wrote (logs use their own job).
  beforeAll(async () => {
    store = await freshStore(engine);
    // 25 jobs; pairs share a creation time so the id tie-break is exercised.
    for (let i = 0; i < 25; i++) {
      const labels = { team: i % 2 === 0 ? 'even' : 'odd', tier: i % 3 === 0 ? 'gold' : 'std' };
      await store.insertJob(newJob(`job-${String(i).padStart(2, '0')}`, Math.floor(i / 2), { labels }));
    }
    for (const id of ['job-01', 'job-02', 'job-03']) await store.transitionJob(id, ['queued'], 'cancelled');
  });
  afterAll(async () => { await store?.close(); });

  async function all(q: Parameters<Store['listJobs']>[0]): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await store.listJobs({ ...q, cursor });
      expect(page.jobs.length).toBeLessThanOrEqual(q.limit);
      ids.push(...page.jobs.map((j) => j.id));
      if (page.nextCursor === null) return ids;
      cursor = page.nextCursor;
    }
    throw new Error('pagination did not end');
  }

  const ids = (pred: (i: number) => boolean): string[] =>
    Array.from({ length: 25 }, (_, i) => i).filter(pred).map((i) => `job-${String(i).padStart(2, '0')}`);

  it('pages through every job once, oldest first, in pages of any size', async () => {
    for (const limit of [1, 4, 7, 25, 100]) expect(await all({ limit })).toEqual(ids(() => true));
    const first = await store.listJobs({ limit: 25 });
    expect(first.nextCursor).toBeNull();
  });

  it('pages newest first with order: desc', async () => {
    expect(await all({ limit: 4, order: 'desc' })).toEqual(ids(() => true).reverse());
  });

  it('filters by state and by all given labels', async () => {
    expect(await all({ limit: 3, state: 'cancelled' })).toEqual(['job-01', 'job-02', 'job-03']);
    expect(await all({ limit: 3, labels: { team: 'even' } })).toEqual(ids((i) => i % 2 === 0));
    expect(await all({ limit: 2, labels: { team: 'odd', tier: 'gold' } })).toEqual(ids((i) => i % 2 === 1 && i % 3 === 0));
    expect(await all({ limit: 5, state: 'queued', labels: { tier: 'gold' } })).toEqual(ids((i) => i % 3 === 0 && i !== 3));
    expect(await all({ limit: 5, labels: { team: 'nobody' } })).toEqual([]);
  });

  it('rejects a malformed cursor with a ValidationError on the cursor field', async () => {
    const valid = (await store.listJobs({ limit: 1 })).nextCursor ?? '';
    const forged = Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url');
    for (const cursor of ['', 'not base64!', 'eyJ', valid.slice(0, -3), forged, Buffer.from('{}').toString('base64url')]) {
      const err: unknown = await store.listJobs({ limit: 5, cursor }).catch((e: unknown) => e);
      expect(err, cursor).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).details).toEqual({ field: 'cursor' });
    }
    await expect(store.listJobs({ limit: 0 })).rejects.toBeInstanceOf(ValidationError);
  });

  it('appends logs and reads them after a sequence number, in order', async () => {
    await store.insertJob(newJob('logged'));
    await store.appendLogs('logged', 1, [{ stream: 'stdout', data: 'one\n' }, { stream: 'stderr', data: 'two\n' }]);
    await store.appendLogs('logged', 1, []);
    await store.appendLogs('logged', 2, [{ stream: 'system', data: 'retrying' }, { stream: 'stdout', data: 'nul\0byte' }]);
    const entries = await store.readLogs('logged', 0, 100);
    expect(entries.map(({ stream, data, attempt }) => ({ stream, data, attempt }))).toEqual([
      { stream: 'stdout', data: 'one\n', attempt: 1 },
      { stream: 'stderr', data: 'two\n', attempt: 1 },
      { stream: 'system', data: 'retrying', attempt: 2 },
      { stream: 'stdout', data: 'nul\uFFFDbyte', attempt: 2 },
    ]);
    const seqs = entries.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(4);
    expect(entries.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);
    const [, second] = entries;
    expect((await store.readLogs('logged', second?.seq ?? 0, 1)).map((e) => e.data)).toEqual(['retrying']);
    expect(await store.readLogs('logged', entries.at(-1)?.seq ?? 0, 10)).toEqual([]);
    expect(await store.readLogs('other', 0, 10)).toEqual([]);
    await expect(store.appendLogs('ghost', 1, [{ stream: 'stdout', data: 'x' }])).rejects.toBeInstanceOf(NotFoundError);
  });

  it('stores a numbered batch once, even when it is resent or raced', async () => {
    await store.insertJob(newJob('resent'));
    const batch = [{ stream: 'stdout' as const, data: 'a\n' }, { stream: 'stdout' as const, data: 'b\n' }];
    await store.appendLogs('resent', 1, batch, 1);
    await Promise.all([store.appendLogs('resent', 1, batch, 1), store.appendLogs('resent', 1, batch, 1)]);
    await store.appendLogs('resent', 1, [{ stream: 'stdout', data: 'c\n' }], 2);
    await store.appendLogs('resent', 2, batch, 1); // the next attempt numbers its batches anew
    const data = (await store.readLogs('resent', 0, 100)).map((e) => `${e.attempt}:${e.data}`);
    expect(data).toEqual(['1:a\n', '1:b\n', '1:c\n', '2:a\n', '2:b\n']);
  });
});
