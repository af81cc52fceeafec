// Pooled workers: a fixed set of workers takes job after job instead of one worker per job.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, waitFor, waitForJob, type TestServer } from './harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ config: { workerMode: 'pooled', maxWorkers: 2 } });
});
afterAll(async () => {
  await s?.stop();
});

it('reuses at most maxWorkers workers for many jobs', async () => {
  const jobs = await Promise.all(Array.from({ length: 8 }, (_, i) => s.client.submit({ command: 'sh', args: ['-c', `echo pooled-${i}`] })));
  const done = await Promise.all(jobs.map((j) => waitForJob(s.client, j.id)));
  expect(done.map((j) => j.state)).toEqual(jobs.map(() => 'succeeded'));
  const workers = new Set(done.map((j) => j.workerId));
  expect(workers.size).toBeLessThanOrEqual(2);
  expect(workers.size).toBeGreaterThanOrEqual(1);
  // The pool stays up, idle and ready for the next job.
  const live = (await s.client.listWorkers()).workers;
  expect(live.every((w) => w.state === 'ready' && w.jobId === null && !w.ephemeral)).toBe(true);
  const next = await waitForJob(s.client, (await s.client.submit({ command: 'true' })).id);
  expect(workers.has(next.workerId)).toBe(true);
});

it('pooled on the local provider starts a warm pool of --max-workers agents before any job; each job is its own process group', async () => {
  const d = await startTestServer({ config: { workerMode: 'pooled', maxWorkers: 2 } });
  try {
    const pool = await waitFor('2 warm agents registered', async () => {
      const ws = (await d.client.listWorkers()).workers.filter((w) => w.state === 'ready');
      return ws.length === 2 ? ws : null;
    });
    expect(pool.every((w) => !w.ephemeral && w.jobId === null)).toBe(true);
    // `$$` is the job's shell; field 5 of /proc/PID/stat its process group: equal when it leads its own group.
    const probe = { command: 'sh', args: ['-c', 'echo "$$ $(cut -d" " -f5 /proc/$$/stat)"'] };
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const job = await waitForJob(d.client, (await d.client.submit(probe)).id);
      expect(job.state).toBe('succeeded');
      const [pid, pgid] = (await d.client.logsText(job.id)).trim().split(' ');
      runs.push({ workerId: job.workerId, pid, pgid });
    }
    for (const r of runs) {
      expect(pool.map((w) => w.id)).toContain(r.workerId); // run by a warm agent, no new one started
      expect(r.pgid).toBe(r.pid); // its own process group, not the agent's
    }
    expect(runs[0]?.pid).not.toBe(runs[1]?.pid); // a fresh process each time
    expect((await d.client.listWorkers()).workers.filter((w) => ['provisioning', 'ready', 'busy'].includes(w.state))).toHaveLength(2);
  } finally {
    await d.stop();
  }
});
