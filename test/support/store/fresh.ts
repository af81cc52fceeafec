// Isolated stores for tests: each call gets its own PGlite data dir (a copy of the migrated
// template) or its own PostgreSQL database (CREATE DATABASE ... TEMPLATE, graphile-worker style).
// Needs test/global-setup.ts as vitest globalSetup; nothing is dropped afterwards, so a failed
// test's data stays inspectable until the run ends.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { SqlEngine } from '../../../src/store/engine.js';
import { createPgliteEngine, openPgliteStore } from '../../../src/store/pglite.js';
import { createPostgresEngine, openPostgresStore, type PostgresOptions } from '../../../src/store/postgres.js';
import { SqlStore } from '../../../src/store/sql-store.js';
import type { Store } from '../../../src/store/store.js';
import type { StoreTestContext } from './context.js';
import { copyPgliteTemplate } from './pglite-template.js';

export type TestEngine = 'pglite' | 'postgres';

/** Engines the store-backed suites run against; HODEI_TEST_STORE=pglite|postgres narrows it. */
export const TEST_ENGINES: readonly TestEngine[] = ((): TestEngine[] => {
  const only = process.env.HODEI_TEST_STORE;
  if (only === undefined || only === '') return ['pglite', 'postgres'];
  if (only === 'pglite' || only === 'postgres') return [only];
  throw new Error(`HODEI_TEST_STORE must be pglite or postgres, got '${only}'`);
})();

function context(): StoreTestContext {
  const ctx = inject('hodeiStore') as StoreTestContext | undefined;
  if (!ctx) throw new Error('store test context missing: run under vitest with test/global-setup.ts as globalSetup');
  return ctx;
}

/** A new data dir holding a migrated, empty database. */
export function freshPgliteDataDir(): string {
  const ctx = context();
  return copyPgliteTemplate(ctx.pgliteTemplateDir, ctx.scratchDir);
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: context().postgresAdminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** URL of a new database: migrated (cloned from the template) unless `migrated: false`. */
export async function freshPostgresUrl(opts: { migrated?: boolean } = {}): Promise<string> {
  const ctx = context();
  const name = `hodei_t_${process.pid}_${randomBytes(5).toString('hex')}`;
  const template = opts.migrated ?? true ? ctx.postgresTemplateDb : 'template0';
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const url = new URL(ctx.postgresAdminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A database a test can open several times (replicas, restarts). */
export interface TestDatabase {
  engine: TestEngine;
  /** Data dir (pglite) or connection URL (postgres). */
  location: string;
  open(opts?: PostgresOptions): Promise<Store>;
}

export async function freshDatabase(engine: TestEngine, opts: { migrated?: boolean } = {}): Promise<TestDatabase> {
  if (engine === 'pglite') {
    if (opts.migrated === false) throw new Error('freshDatabase: an unmigrated PGlite dir costs a 5 s initdb; not offered');
    const location = freshPgliteDataDir();
    return { engine, location, open: (o) => openPgliteStore(location, o) };
  }
  const location = await freshPostgresUrl(opts);
  return { engine, location, open: (o) => openPostgresStore(location, o) };
}

export async function freshPgliteStore(): Promise<Store> {
  return openPgliteStore(freshPgliteDataDir());
}

export async function freshPostgresStore(opts: PostgresOptions = {}): Promise<Store> {
  return openPostgresStore(await freshPostgresUrl(), opts);
}

/** A migrated, empty store on `engine` (default: the first of TEST_ENGINES). */
export async function freshStore(engine: TestEngine = TEST_ENGINES[0] ?? 'pglite'): Promise<Store> {
  return engine === 'pglite' ? freshPgliteStore() : freshPostgresStore();
}

/** A store that can be emptied between tests: far cheaper than a fresh one (PGlite ≈ 1 s). */
export interface ResettableStore {
  store: Store;
  /** Empties every table but schema_migrations (sequences keep counting). */
  reset(): Promise<void>;
}

export async function resettableStore(engine: TestEngine = TEST_ENGINES[0] ?? 'pglite'): Promise<ResettableStore> {
  const db: SqlEngine = engine === 'pglite'
    ? await createPgliteEngine(freshPgliteDataDir())
    : createPostgresEngine(await freshPostgresUrl());
  const store = new SqlStore(db);
  await store.migrate();
  const tables = (await db.query(`SELECT tablename FROM pg_tables
    WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'`)).map((r) => `"${String(r.tablename)}"`);
  // DELETE, not TRUNCATE: on PGlite a TRUNCATE recreates files and takes ≈ 0.5 s, DELETE ≈ 2 ms.
  return { store, reset: () => db.exec(tables.map((t) => `DELETE FROM ${t};`).join('\n')) };
}
