// Counts the SQL statements and round trips one job costs, from POST /v1/jobs to succeeded, with
// the local provider: `node bench/store-trace.mjs [pg|pglite] [pooled|ephemeral]` (after
// `node scripts/build.mjs`). It wraps the drivers (pg's Client#query: one round trip each; PGlite's
// query/exec/transaction: one call into the wasm engine each, BEGIN and COMMIT included), names
// each statement by its constant in dist/store/ and its caller by the first frame outside the
// store, and prints the statements from the POST until the job's worker is idle again (pooled)
// or gone (ephemeral). docs/performance.md ("Where the time goes") quotes its output.
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { sleep, waitFor } from './lib/common.mjs';
import { freshDatabase, stopPostgres } from './lib/postgres.mjs';

const [store = 'pglite', mode = 'pooled'] = process.argv.slice(2);
const dist = join(import.meta.dirname, '..', 'dist');

// Statement text → the name of the constant that holds it.
const names = new Map([['BEGIN', 'BEGIN'], ['COMMIT', 'COMMIT'], ['ROLLBACK', 'ROLLBACK']]);
for (const f of await readdir(join(dist, 'store'))) {
  if (!f.endsWith('.js')) continue;
  for (const [k, v] of Object.entries(await import(pathToFileURL(join(dist, 'store', f)).href))) {
    if (typeof v === 'string' && /\b(SELECT|UPDATE|INSERT|DELETE|WITH)\b/.test(v)) names.set(v.trim(), k);
  }
}
const nameOf = (sql) => names.get(sql.trim()) ?? sql.trim().replace(/\s+/g, ' ').slice(0, 60);

let trace = null;
Error.stackTraceLimit = 60;
function record(sql) {
  if (!trace) return;
  const frames = (new Error().stack ?? '').split('\n').slice(2);
  if (frames.some((l) => l.includes('untracedPoll'))) return;
  const caller = frames.map((l) => /at (?:async )?([^ ]+) \(.*\/dist\/(?!store\/)([^:]+)/.exec(l)).find(Boolean);
  trace.push({ stmt: nameOf(sql), caller: caller ? `${caller[1]} (${caller[2]})` : '(driver/store)' });
}

// pg: every Client#query is one round trip. Pool#query is recorded where it is called (its
// client's query, with a callback, runs later without the caller's stack) and not again.
const sqlText = (config) => (typeof config === 'string' ? config : config?.text ?? '');
const pgQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (config, ...rest) {
  if (typeof rest[rest.length - 1] !== 'function') record(sqlText(config));
  return pgQuery.call(this, config, ...rest);
};
const poolQuery = pg.Pool.prototype.query;
pg.Pool.prototype.query = function (config, ...rest) {
  record(sqlText(config));
  return poolQuery.call(this, config, ...rest);
};
// PGlite: query and exec, and BEGIN/COMMIT around a transaction's statements.
for (const m of ['query', 'exec']) {
  const orig = PGlite.prototype[m];
  PGlite.prototype[m] = function (sql, ...rest) { record(sql); return orig.call(this, sql, ...rest); };
}
const pgliteTx = PGlite.prototype.transaction;
PGlite.prototype.transaction = function (fn) {
  record('BEGIN');
  return pgliteTx.call(this, (tx) => fn({
    ...tx, query: (sql, ...r) => { record(sql); return tx.query(sql, ...r); }, exec: (sql, ...r) => { record(sql); return tx.exec(sql, ...r); },
  })).finally(() => record('COMMIT'));
};

const { loadConfig } = await import(pathToFileURL(join(dist, 'config.js')).href);
const { startControlPlane } = await import(pathToFileURL(join(dist, 'control-plane/control-plane.js')).href);
const { createLogger } = await import(pathToFileURL(join(dist, 'observability/logger.js')).href);
const { HodeiClient } = await import(pathToFileURL(join(dist, 'client/client.js')).href);

const dataDir = mkdtempSync(join(tmpdir(), 'hodei-trace-'));
const flags = { port: 0, dataDir, maxWorkers: Number(process.env.HODEI_TRACE_WORKERS ?? 8), logLevel: 'silent', workerMode: mode,
  ...(store === 'pg' ? { databaseUrl: await freshDatabase('trace') } : {}) };
const cp = await startControlPlane({ config: loadConfig({ env: {}, flags }), logger: createLogger({ level: 'silent' }) });
try {
  const client = new HodeiClient(cp.url, cp.apiToken);
  const idle = async () => (await cp.workers.live(cp.provider.id)).filter((w) => w.state === 'ready' && !w.jobId).length;
  if (mode === 'pooled') await waitFor(async () => (await idle()) === flags.maxWorkers, 'warm pool', 60_000, 50);
  // One job first, untraced: warms the JIT and the store.
  const warm = await client.submit({ command: 'true' });
  await waitFor(async () => (await cp.jobs.find(warm.id))?.state === 'succeeded', 'warm-up job', 60_000, 20);
  await sleep(1500);
  trace = [];
  const t0 = Date.now();
  const { id } = await client.submit({ command: 'true' });
  // This script's own polls are not counted (record() skips calls made from this file).
  const untraced = (fn) => async function untracedPoll() { return fn(); };
  await waitFor(untraced(async () => (await cp.jobs.store.getJob(id))?.state === 'succeeded'), 'job', 60_000, 5);
  // The worker's own bookkeeping after the result (pooled: back to ready; ephemeral: gone).
  await waitFor(untraced(async () => {
    const ws = await cp.workers.live(cp.provider.id);
    return mode === 'pooled' ? ws.filter((w) => w.state === 'ready' && !w.jobId).length === flags.maxWorkers : ws.every((w) => w.jobId !== id);
  }), 'worker settled', 30_000, 5);
  const ms = Date.now() - t0;
  const rows = trace;
  process.stdout.write(`${store} ${mode}: ${rows.length} statements (${store === 'pg' ? 'round trips' : 'engine calls'}) for one job, ${ms} ms wall\n`);
  for (const r of rows) process.stdout.write(`  ${r.stmt.padEnd(28)} ${r.caller}\n`);
} finally {
  trace = null;
  await cp.stop({ terminateWorkers: true });
  rmSync(dataDir, { recursive: true, force: true });
  await stopPostgres();
}
