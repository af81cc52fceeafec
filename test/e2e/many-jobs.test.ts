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
  const notSucceeded = (await s.cp.store.jobsInStates(['failed', 'cancelled', 'timed_out']))
    .map((j) => ({ id: j.id, state: j.state, reason: j.reason, message: j.message, transitions: j.transitions.map((t) => `${t.state}${t.reason ? `:${t.reason}` : ''}`).join(' ') }));
  // Thrown whole: an assertion's message is truncated, and why a job failed is what matters here.
  if (notSucceeded.length > 0) throw new Error(`${notSucceeded.length} jobs did not succeed: ${JSON.stringify(notSucceeded)}`);
  expect((await s.cp.store.countJobsByState()).succeeded).toBe(200);
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
  // Nothing left busy or leaked: the default warm pool's agents are back idle, no more of them than
  // --max-workers (an agent per job would have ended instead).
  await waitFor('agents idle in the warm pool', async () => {
    const live = (await s.client.listWorkers()).workers;
    return live.length <= 8 && live.every((w) => w.state === 'ready' && w.jobId === null && !w.ephemeral);
  }, 20_000);
}, 240_000);
