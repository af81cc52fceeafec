// What test/global-setup.ts hands to test files (vitest provide/inject).
export interface StoreTestContext {
  /** Superuser URL of the test PostgreSQL server (its `postgres` database). */
  postgresAdminUrl: string;
  /** Migrated database every fresh test database is cloned from. */
  postgresTemplateDb: string;
  /** Migrated PGlite data dir every fresh test data dir is copied from. */
  pgliteTemplateDir: string;
  /** Per-run scratch folder for copies; removed at teardown. */
  scratchDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    hodeiStore: StoreTestContext;
  }
}
