// The control plane is killed with SIGKILL while 20 jobs run, then restarted on the same store:
// agents resume their sessions and report, so every job ends, none is lost, none runs twice.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HodeiClient } from '../../src/client/client.js';
import { isTerminal } from '../../src/domain/job.js';
import { freshDatabase, TEST_ENGINES } from '../support/store/fresh.js';
import { newToken } from '../../src/util/tokens.js';
import { freePort, runCli, startServerProcess, waitFor } from './harness.js';

describe.each(TEST_ENGINES)('control plane SIGKILL and restart on %s', (engine) => {
  it('loses no queued or running job and records none twice', async () => {
    const db = await freshDatabase(engine);
    const dataDir = engine === 'pglite' ? db.location : mkdtempSync(join(tmpdir(), 'hodei-restart-'));
    const port = await freePort();
    const token = newToken();
    const env = {
      HODEI_API_TOKEN: token, HODEI_HEARTBEAT_INTERVAL_MS: '500', HODEI_WORKER_LOST_AFTER_MS: '20000',
      HODEI_RECONCILE_INTERVAL_MS: '500', HODEI_LOG_LEVEL: 'warn',
      ...(engine === 'postgres' ? { HODEI_DATABASE_URL: db.location } : {}),
    };
    const args = ['--port', String(port), '--data-dir', dataDir, '--max-workers', '20'];
    const ledger = join(mkdtempSync(join(tmpdir(), 'hodei-ledger-')), 'ran.txt');

    const first = await startServerProcess(args, env);
    const client = new HodeiClient(first.url, token);
    const ids = await Promise.all(Array.from({ length: 24 }, () =>
      client.submit({ command: 'sh', args: ['-c', `echo "$HODEI_JOB_ID" >> "${ledger}"; sleep 4; echo done`] }).then((j) => j.id)));
    await waitFor('20 jobs running', async () => (await client.listJobs({ state: 'running', limit: 100 })).jobs.length >= 20, 60_000);
    // A CLI following a job across the crash prints all of its output and its exit code.
    const cli = runCli(['run', '--', 'sh', '-c', 'echo before; sleep 5; echo after; exit 4'], { HODEI_URL: first.url, HODEI_API_TOKEN: token }, 120_000);
    await waitFor('the CLI job to print', async () => (await client.listJobs({ limit: 100 })).jobs.length === 25, 30_000);

    first.proc.kill('SIGKILL');
    await first.exited;

    const second = await startServerProcess(args, env);
    try {
      await waitFor('every job to end', async () => {
        const jobs = await Promise.all(ids.map((id) => client.getJob(id)));
        return jobs.every((j) => isTerminal(j.state));
      }, 90_000);
      const jobs = await Promise.all(ids.map((id) => client.getJob(id)));
      expect(jobs.filter((j) => j.state !== 'succeeded').map((j) => ({ state: j.state, reason: j.reason, message: j.message, transitions: j.transitions }))).toEqual([]);
      for (const j of jobs) {
        expect(j.transitions.filter((t) => isTerminal(t.state))).toHaveLength(1);
        expect(await client.logsText(j.id)).toBe('done\n');
      }
      const ran = readFileSync(ledger, 'utf8').trim().split('\n');
      expect(ran.sort()).toEqual([...ids].sort());
      const followed = await cli;
      expect(followed.stdout).toBe('before\nafter\n');
      expect(followed.code).toBe(4);
    } finally {
      second.proc.kill('SIGTERM');
      await second.exited;
    }
  }, 180_000);
});
