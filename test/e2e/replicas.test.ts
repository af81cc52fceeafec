// Two control-plane replicas on one PostgreSQL database: every job runs exactly once, whether the
// replicas' warm pools take jobs themselves (pooled, the local default) or each replica provisions
// an agent per job it claimed (ephemeral).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/store/fresh.js';
import { startTestServer, waitFor, waitForJob, type TestServer } from './harness.js';

describe.each(['pooled', 'ephemeral'] as const)('two replicas, %s agents', (workerMode) => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    const database = await freshDatabase('postgres');
    [a, b] = await Promise.all([
      startTestServer({ database, config: { maxWorkers: 4, workerMode } }),
      startTestServer({ database, config: { maxWorkers: 4, workerMode } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('never dispatches a job twice', async () => {
    const ledger = join(mkdtempSync(join(tmpdir(), 'hodei-replicas-')), 'ran.txt');
    const submit = (s: TestServer, i: number) => s.client.submit({ command: 'sh', args: ['-c', `echo "$HODEI_JOB_ID" >> "${ledger}"`], labels: { n: String(i) } });
    const jobs = await Promise.all(Array.from({ length: 40 }, (_, i) => submit(i % 2 ? a : b, i)));
    const done = await Promise.all(jobs.map((j) => waitForJob(a.client, j.id, 120_000)));
    expect(done.every((j) => j.state === 'succeeded' && j.attempt === 1)).toBe(true);
    // Each job was handed to one worker, once.
    for (const j of done) expect(j.transitions.filter((t) => t.state === 'assigned')).toHaveLength(1);
    const ran = readFileSync(ledger, 'utf8').trim().split('\n');
    expect(ran.sort()).toEqual(jobs.map((j) => j.id).sort());
    const workers = await a.cp.store.listWorkers();
    if (workerMode === 'ephemeral') {
      // One worker per job, no more: no replica provisioned for a job the other had claimed.
      expect(workers).toHaveLength(40);
    } else {
      // The warm pools only (--max-workers counts the provider's agents across replicas, each
      // replica tops it up): no agent started for a job, none left holding one.
      expect(workers.length).toBeLessThanOrEqual(8);
      expect(workers.every((w) => !w.ephemeral)).toBe(true);
      // A result is stored before its worker is marked idle again.
      await waitFor('agents idle', async () => (await a.cp.store.listWorkers()).every((w) => w.jobId === null && w.state === 'ready'));
      expect(new Set(done.map((j) => j.workerId)).size).toBeLessThanOrEqual(workers.length);
      for (const j of done) expect(workers.map((w) => w.id)).toContain(j.workerId);
    }
  }, 180_000);
});
