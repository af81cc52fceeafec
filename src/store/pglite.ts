// Embedded engine: PGlite (PostgreSQL compiled to wasm) in a data directory. One connection per
// process, so it is the single-replica default; PGlite serialises queries internally.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Queryable, Row, SqlEngine } from './engine.js';
import { openSqlStore } from './sql-store.js';
import type { Store } from './store.js';

function wrap(db: PGlite | Transaction): Queryable {
  return {
    query: async (sql, params = []) => (await db.query<Row>(sql, [...params])).rows,
    exec: async (sql) => { await db.exec(sql); },
  };
}

/** `dataDir` is a directory (created if missing) or a PGlite URL such as `memory://`. */
export async function createPgliteEngine(dataDir: string): Promise<SqlEngine> {
  const isUrl = /^[a-z]+:\/\//.test(dataDir);
  const dir = isUrl ? dataDir : resolve(dataDir);
  if (!isUrl) mkdirSync(dir, { recursive: true });
  const db = await PGlite.create({ dataDir: dir });
  return {
    kind: 'pglite',
    ...wrap(db),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: () => db.close(),
  };
}

export interface OpenOptions {
  /** Apply pending migrations before returning. @defaultValue true */
  migrate?: boolean;
}

/** Opens (creating on first use, ≈ 5 s for initdb) the embedded store in `dataDir`. */
export async function openPgliteStore(dataDir: string, opts: OpenOptions = {}): Promise<Store> {
  return openSqlStore(await createPgliteEngine(dataDir), opts);
}
