// Numbered SQL migrations read from disk (src/store/migrations under tests, dist/store/migrations
// after the build copies them) and applied once, in order, recorded in schema_migrations.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SqlEngine } from './engine.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/**
 * All migrations in the folder, ordered by version; fails on a duplicate number. Gaps are allowed:
 * numbers are reserved by parallel branches, and `migrate` applies every one not yet applied.
 */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const list: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const m = FILE.exec(file);
    if (!m?.[1] || !m[2]) continue;
    list.push({ version: Number(m[1]), name: m[2], sql: readFileSync(`${dir}/${file}`, 'utf8') });
  }
  list.forEach((m, i) => {
    const prev = list[i - 1];
    if (prev && prev.version === m.version) throw new Error(`migrations: duplicate version ${m.version} (${prev.name}, ${m.name})`);
  });
  return list;
}

// Any constant works; it only has to be the same for every replica of this application.
const MIGRATION_LOCK_KEY = 0x686f6465; // "hode"

/**
 * Applies pending migrations in one transaction. On PostgreSQL a transaction-scoped advisory lock
 * serialises replicas starting at once (even the CREATE TABLE IF NOT EXISTS below can race
 * without it); PGlite has a single connection, so the transaction alone suffices.
 * Returns the versions applied by this call.
 */
export async function migrate(engine: SqlEngine, migrations: readonly Migration[] = loadMigrations()): Promise<number[]> {
  return engine.transaction(async (tx) => {
    if (engine.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const rows = await tx.query('SELECT version, name FROM schema_migrations ORDER BY version');
    const applied = new Map(rows.map((r) => [Number(r.version), String(r.name)]));
    const newest = Math.max(0, ...applied.keys());
    const known = Math.max(0, ...migrations.map((m) => m.version));
    if (newest > known) {
      throw new Error(`database schema is at version ${newest}, newer than this hodei (${known}): upgrade hodei`);
    }
    const done: number[] = [];
    for (const m of migrations) {
      const name = applied.get(m.version);
      if (name !== undefined) {
        if (name !== m.name) throw new Error(`migration ${m.version} was applied as '${name}', expected '${m.name}'`);
        continue;
      }
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      done.push(m.version);
    }
    return done;
  });
}
