// The worker half of the store contract, run against both engines.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, HodeiError } from '../errors/errors.js';
import type { Store } from './store.js';
import { at, newWorker, sha256 } from '../../test/support/store/fixtures.js';
import { TEST_ENGINES, resettableStore, type ResettableStore } from '../../test/support/store/fresh.js';

describe.each(TEST_ENGINES)('workers on %s', (engine) => {
  let db: ResettableStore;
  let store: Store;
  // One database per file, emptied before each test.
  beforeAll(async () => { db = await resettableStore(engine); store = db.store; });
  beforeEach(async () => { await db.reset(); });
  afterAll(async () => { await db?.store.close(); });

  it('inserts a provisioning worker and reads it back', async () => {
    const w = await store.insertWorker(newWorker('w1', { jobId: 'j1', providerId: 'kubernetes', ephemeral: false }));
    expect(w).toEqual({ id: 'w1', providerId: 'kubernetes', state: 'provisioning', jobId: 'j1', ephemeral: false,
      handle: null, reason: null, createdAt: at(0).toISOString(), updatedAt: at(0).toISOString(),
      registeredAt: null, lastHeartbeatAt: null, pool: null });
    expect(await store.getWorker('w1')).toEqual(w);
    expect(await store.getWorker('w2')).toBeNull();
    expect(JSON.stringify(w)).not.toContain(sha256('token-w1'));
    await expect(store.insertWorker(newWorker('w1'))).rejects.toBeInstanceOf(ConflictError);
    await expect(store.insertWorker(newWorker('w9', { tokenHash: sha256('token-w1') }))).rejects.toBeInstanceOf(ConflictError);
  });

  it('transitions with a compare-and-set guard and applies the patch', async () => {
    await store.insertWorker(newWorker('w1'));
    const ready = await store.transitionWorker('w1', ['provisioning'], 'ready',
      { handle: 'pid:42', registeredAt: at(5), sessionHash: sha256('s1') }, at(5));
    expect(ready).toMatchObject({ state: 'ready', handle: 'pid:42', registeredAt: at(5).toISOString(), updatedAt: at(5).toISOString() });
    expect(await store.transitionWorker('w1', ['provisioning'], 'busy')).toBeNull();
    const busy = await store.transitionWorker('w1', ['ready'], 'busy', { jobId: 'j7' }, at(6));
    expect(busy).toMatchObject({ state: 'busy', jobId: 'j7', handle: 'pid:42' });
    const done = await store.transitionWorker('w1', ['busy', 'ready'], 'terminated', { jobId: null, reason: 'Drained' }, at(7));
    expect(done).toMatchObject({ state: 'terminated', jobId: null, reason: 'Drained', registeredAt: at(5).toISOString() });
    expect(await store.transitionWorker('ghost', ['ready'], 'busy')).toBeNull();
  });

  it('throws ILLEGAL_TRANSITION for a source state that cannot reach the target', async () => {
    await store.insertWorker(newWorker('w1'));
    const err: unknown = await store.transitionWorker('w1', ['terminated'], 'ready').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HodeiError);
    expect((err as HodeiError).code).toBe('ILLEGAL_TRANSITION');
    expect((await store.getWorker('w1'))?.state).toBe('provisioning');
  });

  it('patches heartbeats without touching the state or unset fields', async () => {
    await store.insertWorker(newWorker('w1', { jobId: 'j1' }));
    await store.updateWorker('w1', { handle: 'pod-a' }, at(1));
    const w = await store.updateWorker('w1', { lastHeartbeatAt: at(9) }, at(9));
    expect(w).toMatchObject({ state: 'provisioning', handle: 'pod-a', jobId: 'j1', lastHeartbeatAt: at(9).toISOString(),
      updatedAt: at(9).toISOString() });
    expect((await store.updateWorker('w1', { lastHeartbeatAt: at(12) }))?.lastHeartbeatAt).toBe(at(12).toISOString());
    expect(await store.updateWorker('ghost', { handle: 'x' })).toBeNull();
  });

  it('lists workers by state and provider', async () => {
    await store.insertWorker(newWorker('a', { providerId: 'local', createdAt: at(1) }));
    await store.insertWorker(newWorker('b', { providerId: 'kubernetes', createdAt: at(2) }));
    await store.insertWorker(newWorker('c', { providerId: 'local', createdAt: at(3) }));
    await store.transitionWorker('c', ['provisioning'], 'ready');
    expect((await store.listWorkers()).map((w) => w.id)).toEqual(['a', 'b', 'c']);
    expect((await store.listWorkers({ states: ['provisioning'] })).map((w) => w.id)).toEqual(['a', 'b']);
    expect((await store.listWorkers({ providerId: 'local' })).map((w) => w.id)).toEqual(['a', 'c']);
    expect((await store.listWorkers({ states: ['ready', 'busy'], providerId: 'local' })).map((w) => w.id)).toEqual(['c']);
    expect(await store.listWorkers({ states: [] })).toEqual([]);
  });

  it('consumes a registration token exactly once', async () => {
    await store.insertWorker(newWorker('w1'));
    const first = await store.consumeWorkerToken(sha256('token-w1'), at(3));
    expect(first).toMatchObject({ id: 'w1', updatedAt: at(3).toISOString() });
    expect(await store.consumeWorkerToken(sha256('token-w1'), at(4))).toBeNull();
    expect(await store.consumeWorkerToken(sha256('unknown'), at(4))).toBeNull();
  });

  it('registers with a token in one statement: consumed, ready, session set; once, and only while provisioning', async () => {
    await store.insertWorker(newWorker('w1'));
    await store.insertWorker(newWorker('w2'));
    await store.transitionWorker('w2', ['provisioning'], 'terminated', { reason: 'Reprovisioned' });
    expect(await store.registerWorker(sha256('token-w1'), sha256('s1'), at(3))).toMatchObject({
      id: 'w1', state: 'ready', registeredAt: at(3).toISOString(), lastHeartbeatAt: at(3).toISOString() });
    expect((await store.findWorkerBySession('w1', sha256('s1')))?.id).toBe('w1');
    expect(await store.registerWorker(sha256('token-w1'), sha256('s2'), at(4))).toBeNull();
    expect(await store.registerWorker(sha256('token-w2'), sha256('s3'), at(4))).toBeNull();
    expect(await store.registerWorker(sha256('unknown'), sha256('s4'), at(4))).toBeNull();
  });

  it('refuses the token of a worker that already ended', async () => {
    await store.insertWorker(newWorker('w1'));
    await store.transitionWorker('w1', ['provisioning'], 'failed', { reason: 'ProvisioningFailed' });
    expect(await store.consumeWorkerToken(sha256('token-w1'), at(3))).toBeNull();
  });

  it('finds a worker by its session hash only', async () => {
    await store.insertWorker(newWorker('w1'));
    await store.insertWorker(newWorker('w2'));
    expect(await store.findWorkerBySession('w1', sha256('s'))).toBeNull();
    await store.updateWorker('w1', { sessionHash: sha256('s') });
    expect((await store.findWorkerBySession('w1', sha256('s')))?.id).toBe('w1');
    expect(await store.findWorkerBySession('w2', sha256('s'))).toBeNull();
    expect(await store.findWorkerBySession('w1', sha256('other'))).toBeNull();
  });
});
