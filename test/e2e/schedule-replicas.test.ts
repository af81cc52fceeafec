// The done-when: three control-plane replicas on one PostgreSQL run a per-second schedule
// for 60 s, one replica is SIGKILLed in the middle, and every tick fires exactly once: no
// duplicate, no gap. The runs go to a paused queue so no worker processes load the machine: the
// test is about the schedule firing, not about running jobs.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { HodeiClient } from '../../src/client/client.js';
import type { ScheduleRun } from '../../src/store/store.js';
import { freshDatabase } from '../support/store/fresh.js';
import { newToken } from '../../src/util/tokens.js';
import { freePort, startServerProcess, waitFor, type ServerProcess } from './harness.js';

it('fires a per-second schedule once per tick across three replicas, one SIGKILLed midway', async () => {
  const db = await freshDatabase('postgres');
  const token = newToken();
  const env = { HODEI_API_TOKEN: token, HODEI_LOG_LEVEL: 'warn', HODEI_DATABASE_URL: db.location };
  const replicas: ServerProcess[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const args = ['--port', String(await freePort()), '--data-dir', mkdtempSync(join(tmpdir(), 'hodei-sched-'))];
      replicas.push(await startServerProcess(args, env));
    }
    const [a, b, c] = replicas.map((r) => new HodeiClient(r.url, token));
    if (!a || !b || !c) throw new Error('replicas missing');
    await a.send('PUT', '/v1/queues/held', { paused: true });
    await b.send('POST', '/v1/schedules', { name: 'every-second', cron: '* * * * * *', startingDeadlineSeconds: 30, job: { command: 'true', queue: 'held' } });
    const runs = async (client: HodeiClient): Promise<ScheduleRun[]> =>
      (await client.getJson<{ runs: ScheduleRun[] }>('/v1/schedules/every-second/runs?limit=1000')).runs;

    await waitFor('30 s of ticks', async () => (await runs(c)).length >= 30, 60_000);
    const victim = replicas[0];
    victim?.proc.kill('SIGKILL');
    await victim?.exited;
    await waitFor('60 s of ticks', async () => (await runs(c)).length >= 60, 60_000);
    await c.send('PATCH', '/v1/schedules/every-second', { suspend: true });

    const all = (await runs(c)).reverse();
    const ticks = all.map((r) => Date.parse(r.tick));
    // No gap and no duplicate: consecutive seconds, each a triggered run with its own job.
    expect(ticks.slice(1).map((t, i) => t - (ticks[i] ?? 0))).toEqual(ticks.slice(1).map(() => 1000));
    expect(all.map((r) => r.result)).toEqual(all.map(() => 'triggered'));
    const jobs = await c.listJobs({ labels: ['hodei.io/schedule=every-second'], limit: 500 });
    expect(new Set(jobs.jobs.map((j) => j.spec.labels['hodei.io/schedule-tick'])).size).toBe(jobs.jobs.length);
    expect(jobs.jobs.length).toBe(all.length);
    expect(new Set(all.map((r) => r.jobId)).size).toBe(all.length);
  } finally {
    for (const r of replicas) if (r.proc.exitCode === null && r.proc.signalCode === null) r.proc.kill('SIGTERM');
    await Promise.all(replicas.map((r) => r.exited));
  }
}, 240_000);
