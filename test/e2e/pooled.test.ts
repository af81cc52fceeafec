// Pooled workers: a fixed set of workers takes job after job instead of one worker per job.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, waitForJob, type TestServer } from './harness.js';

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
