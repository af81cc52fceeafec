// Store entry point: the factory that picks the engine, plus the types callers need.
import { ConfigError } from '../errors/errors.js';
import { openPgliteStore, type OpenOptions } from './pglite.js';
import { openPostgresStore, type PostgresOptions } from './postgres.js';
import type { Store } from './store.js';

export { openPgliteStore, type OpenOptions } from './pglite.js';
export { openPostgresStore, type PostgresOptions } from './postgres.js';

export interface StoreConfig extends PostgresOptions {
  /** PGlite data directory (the embedded default). */
  dataDir?: string;
  /** PostgreSQL connection URL; when set it wins over `dataDir` (several replicas share it). */
  databaseUrl?: string;
}

/** Opens the configured store, migrated unless `migrate: false`. */
export async function openStore(config: StoreConfig): Promise<Store> {
  const { dataDir, databaseUrl, ...opts } = config;
  if (databaseUrl) return openPostgresStore(databaseUrl, opts);
  if (dataDir) return openPgliteStore(dataDir, opts satisfies OpenOptions);
  throw new ConfigError('dataDir', 'set a data directory (embedded PGlite) or a databaseUrl (PostgreSQL)');
}
