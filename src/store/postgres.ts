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

export function createPostgresEngine(url: string, opts: PostgresOptions = {}): SqlEngine {
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10 });
  // An idle client whose server connection drops emits 'error'; unhandled it would crash the
  // process. The next query on the pool reports the failure instead.
  pool.on('error', () => undefined);
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
    close: () => pool.end(),
  };
}

/** Opens the store on a PostgreSQL database, e.g. `postgres://user:pw@host:5432/hodei`. */
export async function openPostgresStore(url: string, opts: PostgresOptions = {}): Promise<Store> {
  return openSqlStore(createPostgresEngine(url, opts), opts);
}
