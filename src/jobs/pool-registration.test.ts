// Pool registration end to end on the control-plane side (real gateway, WorkerSessions, store):
// a pool bootstrap token registers a NEW pooled worker each time; deleting the pool revokes it;
// the one-time token path for ephemeral workers is unchanged; an idle pooled worker whose agent
// exits (normal close) is terminated, while a dropped connection leaves it to resume.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../errors/errors.js';
import { POOL_TOKEN_PREFIX } from '../gateway/protocol.js';
import { startGateway, waitFor, type RunningGateway } from '../../test/support/gateway/harness.js';
import { poll } from '../../test/support/kubernetes/sim.js';
import { rawClient, register, type RawClient } from '../../test/support/gateway/raw-client.js';
import { JobService } from './service.js';
import { WorkerSessions } from './worker-sessions.js';
import { silentLogger } from '../observability/logger.js';
import { at, newWorker, sha256 } from '../../test/support/store/fixtures.js';
import { resettableStore, TEST_ENGINES, type ResettableStore } from '../../test/support/store/fresh.js';
import type { Store } from '../store/store.js';

describe.each(TEST_ENGINES)('pools in the store (%s)', (engine) => {
  let db: ResettableStore;
  let store: Store;
  beforeAll(async () => { db = await resettableStore(engine); store = db.store; });
  beforeEach(async () => { await db.reset(); });
  afterAll(async () => { await db?.store.close(); });

  it('creates, reads, lists, updates and deletes pools; counts their workers', async () => {
    const p = await store.createPool({ name: 'gpu', providerId: 'kubernetes', spec: { min: 1, max: 3 }, tokenHash: sha256('t1'), createdAt: at(1) });
    expect(p).toEqual({ name: 'gpu', providerId: 'kubernetes', spec: { min: 1, max: 3 }, createdAt: at(1).toISOString(), updatedAt: at(1).toISOString() });
    expect(JSON.stringify(p)).not.toContain(sha256('t1'));
    await expect(store.createPool({ name: 'gpu', providerId: 'k', spec: {}, tokenHash: sha256('t2'), createdAt: at(2) })).rejects.toBeInstanceOf(ConflictError);
    expect(await store.getPoolByTokenHash(sha256('t1'))).toEqual(p);
    expect((await store.updatePool('gpu', { min: 2, max: 3 }, at(3)))?.spec).toEqual({ min: 2, max: 3 });
    expect(await store.updatePool('nope', {}, at(3))).toBeNull();
    await store.createPool({ name: 'cpu', providerId: 'kubernetes', spec: {}, tokenHash: sha256('t3'), createdAt: at(4) });
    expect((await store.listPools()).map((x) => x.name)).toEqual(['cpu', 'gpu']);
    await store.insertWorker(newWorker('w1', { ephemeral: false, pool: 'gpu' }));
    await store.insertWorker(newWorker('w2', { ephemeral: false, pool: 'gpu' }));
    await store.transitionWorker('w1', ['provisioning'], 'ready', {}, at(5));
    expect(await store.countPoolWorkers('gpu', ['ready', 'busy'])).toBe(1);
    expect(await store.countPoolWorkers('gpu', ['ready', 'provisioning'])).toBe(2);
    expect(await store.deletePool('gpu')).toBe(true);
    expect(await store.deletePool('gpu')).toBe(false);
    expect(await store.getPoolByTokenHash(sha256('t1'))).toBeNull();
  });
});

describe('pool registration through the gateway', () => {
  let db: ResettableStore;
  let store: Store;
  let gw: RunningGateway;
  const clients: RawClient[] = [];
  beforeAll(async () => {
    db = await resettableStore();
    store = db.store;
    const logger = silentLogger();
    gw = await startGateway({ backend: new WorkerSessions(new JobService(store, logger), logger), logger, heartbeatIntervalMs: 5000 });
  });
  beforeEach(async () => { await db.reset(); });
  afterAll(async () => {
    for (const c of clients) c.ws.terminate();
    await gw?.stop();
    await db?.store.close();
  });
  const connect = async (): Promise<RawClient> => {
    const c = await rawClient(gw.wsUrl);
    clients.push(c);
    return c;
  };
  const poolToken = `${POOL_TOKEN_PREFIX}secret-of-pool-a`;

  it('registers a new pooled worker per agent until the pool is deleted', async () => {
    await store.createPool({ name: 'a', providerId: 'kubernetes', spec: {}, tokenHash: sha256(poolToken), createdAt: new Date() });
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const c = await connect();
      c.send(register(poolToken));
      ids.push((await c.next('registered')).workerId);
    }
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) {
      expect(await store.getWorker(id)).toMatchObject({ providerId: 'kubernetes', state: 'ready', ephemeral: false, jobId: null, handle: 'pool:a/test-host' });
    }
    expect(await store.countPoolWorkers('a', ['ready'])).toBe(2);
    await store.deletePool('a');
    const late = await connect();
    late.send(register(poolToken));
    expect((await late.next('error')).code).toBe('TOKEN_INVALID');
    expect(await late.closed).toBe(4001);
  });

  it('keeps the one-time token path: once, never replayed', async () => {
    await store.insertWorker(newWorker('w-eph', { tokenHash: sha256('one-time') }));
    const c = await connect();
    c.send(register('one-time'));
    expect((await c.next('registered')).workerId).toBe('w-eph');
    const again = await connect();
    again.send(register('one-time'));
    expect((await again.next('error')).code).toBe('TOKEN_INVALID');
    // A pool-prefixed token that matches no pool is refused too.
    const forged = await connect();
    forged.send(register(`${POOL_TOKEN_PREFIX}forged`));
    expect((await forged.next('error')).code).toBe('TOKEN_INVALID');
  });

  it('terminates an idle pooled worker whose agent exits; a dropped connection may resume', async () => {
    await store.createPool({ name: 'b', providerId: 'kubernetes', spec: {}, tokenHash: sha256(poolToken), createdAt: new Date() });
    const exiting = await connect();
    exiting.send(register(poolToken));
    const a = (await exiting.next('registered')).workerId;
    const dropped = await connect();
    dropped.send(register(poolToken));
    const b = (await dropped.next('registered')).workerId;
    // Dropped first and seen by the gateway; the store serialises the two workers' updates in order.
    dropped.ws.terminate();
    await waitFor(() => !gw.gateway.isConnected(b), 'dropped connection noticed');
    exiting.ws.close(1000, 'agent exiting');
    await poll('exited pool worker terminated', async () => (await store.getWorker(a))?.state === 'terminated');
    expect((await store.getWorker(b))?.state).toBe('ready');
  });
});
