// PostgreSQL connections reset (TCP RST: a database restart, a proxy or NAT dropping them) in every
// state the engine holds one: idle in the pool, running a query, checked out by a transaction
// between two statements. Each failure reaches its caller; none escapes as an uncaught error
// (which would crash the control plane: vitest fails the file on one); the engine works again
// once the database is reachable.
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresEngine } from './postgres.js';
import type { SqlEngine } from './engine.js';
import { TEST_ENGINES, freshPostgresUrl } from '../../test/support/store/fresh.js';
import { startTcpProxy, type TcpProxy } from '../../test/security/support-proxy.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
});

async function engineBehindProxy(): Promise<{ engine: SqlEngine; proxy: TcpProxy }> {
  const url = new URL(await freshPostgresUrl());
  const proxy = await startTcpProxy(Number(url.port));
  closers.push(() => proxy.close());
  url.port = String(proxy.port);
  const engine = createPostgresEngine(url.toString(), { poolSize: 6 });
  closers.push(() => engine.close());
  return { engine, proxy };
}

describe.skipIf(!TEST_ENGINES.includes('postgres'))('postgres engine: connections reset', () => {
  it('idle, in-flight and checked-out connections reset at once: each caller gets the error, nothing uncaught; works after', async () => {
    const { engine, proxy } = await engineBehindProxy();
    // Idle clients in the pool.
    await Promise.all(Array.from({ length: 4 }, () => engine.query('SELECT 1 AS one')));
    // A transaction holding its client between two statements, and queries in flight.
    let resume!: () => void;
    const held = new Promise<void>((r) => { resume = r; });
    let inTx!: () => void;
    const began = new Promise<void>((r) => { inTx = r; });
    const tx = engine.transaction(async (q) => {
      await q.query('SELECT 1 AS one');
      inTx();
      await held;
      return q.query('SELECT 2 AS two');
    });
    const txInFlight = engine.transaction(async (q) => q.query('SELECT pg_sleep(10)'));
    const inFlight = engine.query('SELECT pg_sleep(10)');
    const settled = Promise.allSettled([tx, txInFlight, inFlight]);
    await began;
    await new Promise((r) => setTimeout(r, 200)); // the pg_sleeps are on the wire

    await proxy.cut();
    await new Promise((r) => setTimeout(r, 300)); // the resets reach every client before it is used again
    resume();
    const results = await settled;
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    await expect(engine.query('SELECT 1 AS one')).rejects.toThrow(); // still down

    await proxy.restore();
    expect(await engine.query('SELECT 3 AS three')).toEqual([{ three: 3 }]);
    expect(await engine.transaction(async (q) => q.query('SELECT 4 AS four'))).toEqual([{ four: 4 }]);
  });
});
