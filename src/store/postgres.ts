// PostgreSQL engine over a `pg` pool: several control-plane replicas share one database.
import pg from 'pg';
import type { Queryable, Row, SqlEngine } from './engine.js';
import type { OpenOptions } from './pglite.js';
import { openSqlStore } from './sql-store.js';
import type { Store } from './store.js';

function wrap(c: pg.Pool | pg.PoolClient): Queryable {
  return {
    query: async (sql, params = []) => (await c.query<Row>(sql, [...params])).rows,
    exec: async (sql) => { await c.query(sql); },
  };
}

export interface PostgresOptions extends OpenOptions {
  /** Connections in this replica's pool. @defaultValue 10 */
  poolSize?: number;
}

/** Wait before a dropped LISTEN connection is opened again (the schedulers' poll covers the gap). */
const RELISTEN_MS = 1000;

/**
 * A dedicated connection that LISTENs on `channel`; reopened after it drops or fails to open, until
 * the returned stop is called. Notifications missed while it is down only delay work: every
 * listener also polls.
 */
async function listenOn(url: string, channel: string, fn: (payload: string) => void): Promise<() => Promise<void>> {
  if (!/^[a-z_]+$/.test(channel)) throw new Error(`listen: bad channel name ${channel}`);
  let stopped = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;
  const again = (): void => {
    client = null;
    if (stopped || retry) return;
    retry = setTimeout(() => { retry = null; void open(); }, RELISTEN_MS);
    retry.unref();
  };
  async function open(): Promise<void> {
    const c = new pg.Client({ connectionString: url });
    c.on('notification', (n) => { if (n.channel === channel) fn(n.payload ?? ''); });
    c.on('error', () => undefined); // 'end' follows; reopened there
    c.on('end', () => { if (client === c) again(); });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
      if (stopped) return void (await c.end());
      client = c;
    } catch {
      await c.end().catch(() => undefined);
      again();
    }
  }
  await open();
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    const c = client;
    client = null;
    await c?.end().catch(() => undefined);
  };
}

export function createPostgresEngine(url: string, opts: PostgresOptions = {}): SqlEngine {
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10 });
  // An idle client whose server connection drops emits 'error'; unhandled it would crash the
  // process. The next query on the pool reports the failure instead.
  pool.on('error', () => undefined);
  const listeners = new Set<() => Promise<void>>();
  return {
    kind: 'postgres',
    ...wrap(pool),
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      // A checked-out client has no listener of the pool's: its connection reset between two
      // statements (a database restart, a proxy or NAT dropping it) would emit an unhandled
      // 'error' and crash the control plane. The failure reaches fn through its next query.
      const onError = (err: Error): void => { broken = err; };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        // A connection that cannot even roll back is discarded rather than returned to the pool.
        await client.query('ROLLBACK').catch((e: unknown) => { broken = e instanceof Error ? e : new Error(String(e)); });
        throw err;
      } finally {
        client.release(broken);
        client.off('error', onError);
      }
    },
    async listen(channel, fn) {
      const stop = await listenOn(url, channel, fn);
      const unlisten = async (): Promise<void> => { listeners.delete(unlisten); await stop(); };
      listeners.add(unlisten);
      return unlisten;
    },
    async close() {
      await Promise.all([...listeners].map((stop) => stop()));
      await pool.end();
    },
  };
}

/** Opens the store on a PostgreSQL database, e.g. `postgres://user:pw@host:5432/hodei`. */
export async function openPostgresStore(url: string, opts: PostgresOptions = {}): Promise<Store> {
  return openSqlStore(createPostgresEngine(url, opts), opts);
}
