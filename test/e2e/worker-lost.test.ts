// A worker that dies or stops heartbeating is lost: its job's attempt fails with WorkerLost and is
// retried when attempts remain.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, waitFor, waitForJob, type TestServer } from './harness.js';
import { groupAlive } from '../support/worker/agent-harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.stop();
});

async function runningWorkerPid(jobId: string, attempt: number): Promise<number> {
  const job = await waitFor(`attempt ${attempt} running`, async () => {
    const j = await s.client.getJob(jobId);
    return j.state === 'running' && j.attempt === attempt ? j : undefined;
  });
  const worker = await s.cp.store.getWorker(job.workerId ?? '');
  const pid = Number(worker?.handle?.replace('pid:', ''));
  expect(pid).toBeGreaterThan(1);
  return pid;
}

it('a killed worker process: WorkerLost, then the retry runs', async () => {
  const job = await s.client.submit({ command: 'sh', args: ['-c', '[ "$HODEI_JOB_ATTEMPT" -ge 2 ] && echo second && exit 0; sleep 30'], retries: 1 });
  process.kill(await runningWorkerPid(job.id, 1), 'SIGKILL');
  const done = await waitForJob(s.client, job.id, 30_000);
  expect({ ...done, transitions: done.transitions.map((t) => `${t.state}${t.reason ? `:${t.reason}` : ''}`) }).toMatchObject({ state: 'succeeded', attempt: 2 });
  expect(done.transitions.find((t) => t.state === 'queued' && t.reason === 'WorkerLost')).toBeDefined();
});

it('a killed worker agent takes its job\'s processes with it, before the retry starts', async () => {
  // The job runs in a session of its own (and leaves a background child), so killing the agent
  // alone used to leave both running beside the retry.
  const job = await s.client.submit({ command: 'sh', args: ['-c', 'echo $$; [ "$HODEI_JOB_ATTEMPT" -ge 2 ] && exit 0; sleep 60 & sleep 60'], retries: 1 });
  const pid = await runningWorkerPid(job.id, 1);
  const jobPgid = Number(await waitFor('job pid', async () => (await s.client.logsText(job.id)).split('\n')[0]));
  expect(groupAlive(jobPgid)).toBe(true);
  process.kill(pid, 'SIGKILL');
  const done = await waitForJob(s.client, job.id, 30_000);
  expect(done.state).toBe('succeeded');
  expect(done.attempt).toBe(2);
  // Killed when the agent's exit was seen (the old code left them to run out their 60 s).
  await waitFor('the killed agent\'s job processes to go', async () => !groupAlive(jobPgid), 10_000);
});

it('a worker that stops heartbeating is declared lost after workerLostAfterMs', async () => {
  const job = await s.client.submit({ command: 'sh', args: ['-c', 'echo $$; sleep 30'], retries: 0 });
  const pid = await runningWorkerPid(job.id, 1);
  const jobPgid = Number((await waitFor('job pid', async () => (await s.client.logsText(job.id)).split('\n')[0])));
  process.kill(pid, 'SIGSTOP'); // frozen: connection stays open, heartbeats stop
  try {
    const done = await waitForJob(s.client, job.id, 30_000);
    expect(done.state).toBe('failed');
    expect(done.reason).toBe('WorkerLost');
    expect(done.message).toMatch(/no heartbeat/);
    const worker = await s.cp.store.getWorker(done.workerId ?? '');
    expect(worker?.state).toBe('failed');
    // The frozen agent could not stop its job; the provider did.
    await waitFor('the lost job\'s processes to go', async () => !groupAlive(jobPgid), 15_000);
  } finally {
    try { process.kill(pid, 'SIGCONT'); } catch { /* already gone */ }
  }
});
