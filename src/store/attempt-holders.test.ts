// Job attempt ownership in the store (migration 0005), against both engines: assigning a job
// records its holder in the same statement, and a worker's own writes are guarded by it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from './store.js';
import { at, newJob } from '../../test/support/store/fixtures.js';
import { TEST_ENGINES, resettableStore, type ResettableStore } from '../../test/support/store/fresh.js';

describe.each(TEST_ENGINES)('job attempt holders on %s', (engine) => {
  let db: ResettableStore;
  let store: Store;
  beforeAll(async () => { db = await resettableStore(engine); store = db.store; });
  beforeEach(async () => { await db.reset(); });
  afterAll(async () => { await db?.store.close(); });

  /** j1 attempt 1 assigned to w1. */
  async function assigned(): Promise<void> {
    await store.insertJob(newJob('j1'));
    await store.transitionJob('j1', ['queued'], 'provisioning', {}, { now: at(1) });
    expect(await store.transitionJob('j1', ['provisioning'], 'assigned', { workerId: 'w1' }, { now: at(2) })).not.toBeNull();
  }

  it('records the holder with the assignment and keeps it for past attempts', async () => {
    await assigned();
    expect(await store.attemptHolder('w1', 'j1', 1)).toBe('holds');
    expect(await store.attemptHolder('w1', 'j1', 2)).toBe('other_attempt');
    expect(await store.attemptHolder('w2', 'j1', 1)).toBe('none');
    expect(await store.attemptHolder('w1', 'ghost', 1)).toBe('none');
    // Retried: attempt 2 goes to w2; w1 still held attempt 1.
    await store.transitionJob('j1', ['assigned'], 'queued', { workerId: null, incrementAttempt: true }, { attempt: 1, now: at(3) });
    await store.transitionJob('j1', ['queued'], 'provisioning', {}, { now: at(4) });
    await store.transitionJob('j1', ['provisioning'], 'assigned', { workerId: 'w2' }, { now: at(5) });
    expect(await store.attemptHolder('w1', 'j1', 1)).toBe('holds');
    expect(await store.attemptHolder('w1', 'j1', 2)).toBe('other_attempt');
    expect(await store.attemptHolder('w2', 'j1', 2)).toBe('holds');
  });

  it("guards a worker's transition by the holder, in the same statement", async () => {
    await assigned();
    expect(await store.transitionJob('j1', ['assigned'], 'running', {}, { attempt: 1, workerId: 'w2', now: at(3) })).toBeNull();
    expect(await store.transitionJob('j1', ['assigned'], 'running', {}, { attempt: 2, workerId: 'w1', now: at(3) })).toBeNull();
    expect(await store.transitionJob('j1', ['assigned'], 'running', {}, { attempt: 1, workerId: 'w1', now: at(3) }))
      .toMatchObject({ state: 'running', workerId: 'w1' });
  });

  it("writes a worker's log batch only for an attempt it holds; output NUL and lone surrogates become U+FFFD", async () => {
    await assigned();
    expect(await store.appendLogs('j1', 1, [{ stream: 'stdout', data: 'forged' }], 1, { workerId: 'w2' })).toBe(false);
    expect(await store.appendLogs('j1', 2, [{ stream: 'stdout', data: 'forged' }], 1, { workerId: 'w1' })).toBe(false);
    expect(await store.appendLogs('ghost', 1, [{ stream: 'stdout', data: 'forged' }], 1, { workerId: 'w1' })).toBe(false);
    // The refused batch 1 did not reserve its number: the holder's batch 1 is stored.
    expect(await store.appendLogs('j1', 1, [{ stream: 'stdout', data: 'a\0b\ud800' }], 1, { workerId: 'w1' })).toBe(true);
    expect(await store.appendLogs('j1', 1, [], 2, { workerId: 'w1' })).toBe(true);
    expect((await store.readLogs('j1', 0, 10)).map((e) => e.data)).toEqual(['a\uFFFDb\uFFFD']);
  });
});
