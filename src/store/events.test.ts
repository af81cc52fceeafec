// The events repository (used by observability), against both engines.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/errors.js';
import type { NewEvent, Store } from './store.js';
import { at } from '../../test/support/store/fixtures.js';
import { TEST_ENGINES, resettableStore, type ResettableStore } from '../../test/support/store/fresh.js';

const event = (i: number, overrides: Partial<NewEvent> = {}): NewEvent => ({
  timestamp: at(i), eventType: i % 2 === 0 ? 'worker.created' : 'worker.deleted', provider: 'local',
  workerId: `w${i % 3}`, success: true, ...overrides,
});

describe.each(TEST_ENGINES)('events on %s', (engine) => {
  let db: ResettableStore;
  let store: Store;
  // One database per file, emptied before each test.
  beforeAll(async () => { db = await resettableStore(engine); store = db.store; });
  beforeEach(async () => { await db.reset(); });
  afterAll(async () => { await db?.store.close(); });

  it('stores a batch and returns it newest first with every field', async () => {
    await store.insertEvents([
      event(1, { jobId: 'j1', namespace: 'ns', durationMs: 12.5, success: false, details: { code: 'OOMKilled', n: 2 } }),
      event(2),
    ]);
    await store.insertEvents([]);
    const [second, first] = await store.queryEvents({ limit: 10 });
    expect(first).toMatchObject({ timestamp: at(1).toISOString(), eventType: 'worker.deleted', provider: 'local',
      workerId: 'w1', jobId: 'j1', namespace: 'ns', durationMs: 12.5, success: false, details: { code: 'OOMKilled', n: 2 } });
    expect(second).toMatchObject({ timestamp: at(2).toISOString(), jobId: null, namespace: null, durationMs: null, details: {} });
    expect(typeof first?.id).toBe('number');
  });

  it('filters by type, worker, job and time, and limits', async () => {
    await store.insertEvents(Array.from({ length: 12 }, (_, i) => event(i, { jobId: i === 7 ? 'j7' : null })));
    const ids = (evs: { timestamp: string }[]): number[] => evs.map((e) => (Date.parse(e.timestamp) - at(0).getTime()) / 1000);
    expect(ids(await store.queryEvents({ type: 'worker.created', limit: 100 }))).toEqual([10, 8, 6, 4, 2, 0]);
    expect(ids(await store.queryEvents({ workerId: 'w1', limit: 100 }))).toEqual([10, 7, 4, 1]);
    expect(ids(await store.queryEvents({ jobId: 'j7', limit: 100 }))).toEqual([7]);
    expect(ids(await store.queryEvents({ since: at(9), limit: 100 }))).toEqual([11, 10, 9]);
    expect(ids(await store.queryEvents({ type: 'worker.deleted', since: at(4), workerId: 'w2', limit: 100 }))).toEqual([11, 5]);
    expect(ids(await store.queryEvents({ limit: 2 }))).toEqual([11, 10]);
  });

  it('prunes by age and by count', async () => {
    await store.insertEvents(Array.from({ length: 10 }, (_, i) => event(i)));
    expect(await store.pruneEvents({})).toBe(0);
    expect(await store.pruneEvents({ olderThan: at(3) })).toBe(3);
    expect(await store.pruneEvents({ keepMax: 5 })).toBe(2);
    expect(await store.pruneEvents({ keepMax: 5 })).toBe(0);
    const left = await store.queryEvents({ limit: 100 });
    expect(left.map((e) => e.timestamp)).toEqual([9, 8, 7, 6, 5].map((i) => at(i).toISOString()));
    expect(await store.pruneEvents({ olderThan: at(6), keepMax: 2 })).toBe(3);
    expect(await store.pruneEvents({ keepMax: 0 })).toBe(2);
    await expect(store.pruneEvents({ keepMax: -1 })).rejects.toBeInstanceOf(ValidationError);
  });
});
