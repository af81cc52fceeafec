// 200 jobs queued at once all finish, each exactly once.
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, waitFor, type TestServer } from './harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ config: { maxWorkers: 8 } });
});
afterAll(async () => {
  await s?.stop();
});

it('200 jobs queued at once all succeed, each run exactly once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hodei-many-'));
  const ledger = join(dir, 'ran.txt');
  const ids = await Promise.all(Array.from({ length: 200 }, (_, i) =>
    s.client.submit({ command: 'sh', args: ['-c', `echo "$HODEI_JOB_ID" >> "${ledger}"; echo job-${i}`], labels: { batch: 'b200' } }).then((j) => j.id)));
  expect(new Set(ids).size).toBe(200);
  await waitFor('all 200 jobs to end', async () => {
    const counts = await s.cp.store.countJobsByState();
    return counts.succeeded + counts.failed + counts.cancelled + counts.timed_out === 200;
  }, 180_000);
  const counts = await s.cp.store.countJobsByState();
  // Which jobs did not succeed and why, if any (the count alone says nothing about the cause).
  const notOk = (await s.cp.store.jobsInStates(['failed', 'cancelled', 'timed_out'])).map((j) => ({ id: j.id, state: j.state, reason: j.reason, message: j.message }));
  expect(notOk).toEqual([]);
  expect(counts.succeeded).toBe(200);
  const lines = readFileSync(ledger, 'utf8').trim().split('\n');
  expect(lines).toHaveLength(200);
  expect(new Set(lines)).toEqual(new Set(ids));
  // Each job's log holds exactly its own line, once.
  for (const [i, id] of ids.entries()) {
    if (i % 20 !== 0) continue;
    expect(await s.client.logsText(id)).toBe(`job-${i}\n`);
    const job = await s.client.getJob(id);
    expect(job.attempt).toBe(1);
    expect(job.transitions.filter((t) => t.state === 'succeeded')).toHaveLength(1);
  }
  // All workers ended; none left behind.
  await waitFor('workers to end', async () => (await s.client.listWorkers()).workers.length === 0, 20_000);
}, 240_000);
