// Pooled workers: a fixed set of workers takes job after job instead of one worker per job.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { HodeiEvent } from '../../src/observability/events/types.js';
import { silentLogger } from '../../src/observability/logger.js';
import { LocalProcessProvider } from '../../src/providers/local/local-provider.js';
import { processesWithEnv } from '../../src/providers/local/process-tree.js';
import type { ProvisionRequest } from '../../src/providers/provider.js';
import { startTestServer, waitFor, waitForJob, type TestServer } from './harness.js';

async function events(server: TestServer, type: string): Promise<HodeiEvent[]> {
  const r = await server.client.raw(`/v1/events?limit=1000&type=${type}`);
  expect(r.status).toBe(200);
  return (JSON.parse(r.text) as { events: HodeiEvent[] }).events;
}

/** Refuses to start agents ahead of jobs (no job yet); starts those provisioned for a job. */
class NoWarmAgents extends LocalProcessProvider {
  override async provision(req: ProvisionRequest): Promise<{ handle: string }> {
    if (req.jobId === null) throw new Error('no capacity for an idle agent');
    return super.provision(req);
  }
}

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
  // The pool stays up, idle and ready for the next job: the same two agents, no new one. (All 8
  // jobs may have run on one agent if the other registered late; the next job may go to either.)
  const pool = await waitFor('the warm pool of 2 idle agents', async () => {
    const live = (await s.client.listWorkers()).workers;
    return live.length === 2 && live.every((w) => w.state === 'ready' && w.jobId === null && !w.ephemeral) ? live.map((w) => w.id) : null;
  });
  for (const id of workers) expect(pool).toContain(id);
  const next = await waitForJob(s.client, (await s.client.submit({ command: 'true' })).id);
  expect(pool).toContain(next.workerId);
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
    // Worker events describe agents: one worker.created per warm agent, none per job.
    const created = (await events(d, 'worker.created')).filter((e) => e.provider === 'local');
    expect(created.map((e) => e.worker_id).sort()).toEqual(pool.map((w) => w.id).sort());
    expect(created.every((e) => e.details.job_id === undefined && e.success)).toBe(true);
  } finally {
    await d.stop();
  }
});

it('an agent the warm pool cannot start fails no job: worker.failed without a job, and jobs get an agent of their own', async () => {
  const d = await startTestServer({ config: { workerMode: 'pooled', maxWorkers: 2 }, provider: new NoWarmAgents({ logger: silentLogger() }) });
  try {
    const refused = await waitFor('the warm pool refused', async () => {
      const evs = await events(d, 'worker.failed');
      return evs.length >= 2 ? evs : null;
    });
    expect(refused.slice(0, 2).map((e) => ({ job: e.details.job_id, reason: e.details.reason, message: e.details.message })))
      .toEqual([0, 1].map(() => ({ job: undefined, reason: 'ProvisioningFailed', message: 'no capacity for an idle agent' })));
    const jobs = await Promise.all([0, 1, 2].map((i) => d.client.submit({ command: 'sh', args: ['-c', `echo own-${i}`] })));
    for (const [i, j] of jobs.entries()) {
      const done = await waitForJob(d.client, j.id);
      expect(done.state).toBe('succeeded');
      expect(await d.client.logsText(j.id)).toBe(`own-${i}\n`);
    }
    // Each agent started for a job records it; none was started without one.
    const created = await events(d, 'worker.created');
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(created.length).toBeLessThanOrEqual(2);
    expect(created.every((e) => jobs.some((j) => j.id === e.details.job_id))).toBe(true);
  } finally {
    await d.stop();
  }
});

it('a control plane stopping (as `hodei server` does on SIGTERM) leaves no warm agent behind, registered or still starting', async () => {
  // Agents that never register (a `sleep` in the agent's place): they hold no job and would never hear a shutdown.
  const provider = new LocalProcessProvider({ logger: silentLogger(), cliCommand: ['sh', '-c', 'exec sleep 60', 'agent'] });
  const d = await startTestServer({ config: { workerMode: 'pooled', maxWorkers: 2 }, provider });
  const ids = (await waitFor('2 warm agents started', async () => {
    const ws = (await d.client.listWorkers()).workers.filter((w) => w.handle !== null);
    return ws.length === 2 ? ws : null;
  })).map((w) => w.id);
  expect(ids.flatMap((id) => processesWithEnv('HODEI_WORKER_ID', id))).toHaveLength(2);
  try {
    await d.cp.stop(); // no terminateWorkers: agents running a job would finish it and report to the next control plane
    await waitFor('warm agents gone', async () => ids.every((id) => processesWithEnv('HODEI_WORKER_ID', id).length === 0), 10_000);
  } finally {
    for (const pid of ids.flatMap((id) => processesWithEnv('HODEI_WORKER_ID', id))) process.kill(pid, 'SIGKILL');
  }
});
