// A control plane killed while provisioning leaves jobs claimed but never handed to a worker: one
// with no worker row (killed between the claim and recording the worker), one whose worker row has
// no handle (killed before the provider accepted it), one whose agent is gone after the dead
// control plane consumed its one-time token without recording the registration (the agent's retry
// is refused), one registered whose agent never received its session (it cannot resume). The next
// control plane re-provisions all, same attempt, no failure counted — on both stores. The last two
// were the jobs a SIGKILL round under load lost as AgentNeverRegistered / WorkerLost.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HodeiClient } from '../../src/client/client.js';
import { isTerminal } from '../../src/domain/job.js';
import { newWorker, jobSpec } from '../support/store/fixtures.js';
import { freshDatabase, TEST_ENGINES } from '../support/store/fresh.js';
import { newToken } from '../../src/util/tokens.js';
import { freePort, startServerProcess, waitFor } from './harness.js';

describe.each(TEST_ENGINES)('jobs caught mid-provisioning by a crash, on %s', (engine) => {
  it('are re-provisioned on restart: same attempt, no failure', async () => {
    const db = await freshDatabase(engine);
    const store = await db.open();
    const now = new Date();
    const ids = ['no-worker-row', 'worker-without-handle', 'token-consumed', 'session-never-received'];
    for (const id of ids) await store.insertJob({ id, spec: jobSpec({ command: 'sh', args: ['-c', 'echo ran'] }), createdAt: now });
    expect((await store.claimQueuedJobs(10, now)).map((j) => j.id).sort()).toEqual([...ids].sort());
    await store.insertWorker(newWorker('w-half', { jobId: 'worker-without-handle', createdAt: now }));
    await store.insertWorker(newWorker('w-consumed', { jobId: 'token-consumed', createdAt: now, tokenHash: 'consumed' }));
    await store.updateWorker('w-consumed', { handle: 'pid:2147483000' }); // no such process: the agent exited
    expect(await store.consumeWorkerToken('consumed', now)).not.toBeNull();
    await store.insertWorker(newWorker('w-no-session', { jobId: 'session-never-received', createdAt: now }));
    await store.updateWorker('w-no-session', { handle: 'pid:2147483001' });
    expect(await store.transitionWorker('w-no-session', ['provisioning'], 'ready', { registeredAt: now, lastHeartbeatAt: now, sessionHash: 'lost' }, now)).not.toBeNull();
    await store.close();

    const dataDir = engine === 'pglite' ? db.location : mkdtempSync(join(tmpdir(), 'hodei-reprov-'));
    const token = newToken();
    const server = await startServerProcess(['--port', String(await freePort()), '--data-dir', dataDir], {
      HODEI_API_TOKEN: token, HODEI_RECONCILE_INTERVAL_MS: '500', HODEI_REGISTRATION_TIMEOUT_MS: '20000', HODEI_LOG_LEVEL: 'warn',
      ...(engine === 'postgres' ? { HODEI_DATABASE_URL: db.location } : {}),
    });
    try {
      const client = new HodeiClient(server.url, token);
      await waitFor('both jobs to end', async () => (await Promise.all(ids.map((id) => client.getJob(id)))).every((j) => isTerminal(j.state)), 45_000);
      for (const id of ids) {
        const j = await client.getJob(id);
        expect({ id, state: j.state, attempt: j.attempt, reason: j.reason }).toEqual({ id, state: 'succeeded', attempt: 1, reason: 'Completed' });
        expect(j.transitions.map((t) => t.reason).filter((r) => r === 'WorkerLost' || r === 'AgentNeverRegistered')).toEqual([]);
        expect(await client.logsText(id)).toBe('ran\n');
      }
    } finally {
      server.proc.kill('SIGTERM');
      await server.exited;
    }
  }, 90_000);
});
