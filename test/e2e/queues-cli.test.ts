// hodei queues and the queue flags of hodei run, through the real CLI against a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src/domain/job.js';
import type { QueueView } from '../../src/jobs/queues.js';
import { runCli, startTestServer, waitForJob, type TestServer } from './harness.js';

let s: TestServer;
const env = (): Record<string, string> => ({ HODEI_URL: s.url, HODEI_API_TOKEN: s.token });

beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s?.stop(); });

describe('hodei queues', () => {
  it('pauses, sets, lists and resumes a queue; a paused queue holds its jobs and says why', async () => {
    const paused = await runCli(['queues', 'pause', 'reports'], env());
    expect(paused).toMatchObject({ code: 0, stdout: 'queue reports paused (0 queued)\n' });
    const set = await runCli(['queues', 'set', 'reports', '--concurrency', '2', '--cpu', '4', '--gpu', '1', '--json'], env());
    expect(JSON.parse(set.stdout)).toMatchObject({ name: 'reports', paused: true, concurrency: 2, quota: { cpu: '4', gpu: 1 } });

    const run = await runCli(['run', '--detach', '--queue', 'reports', '--priority', '7', '--', 'true'], env());
    expect(run.code).toBe(0);
    const id = run.stdout.trim();
    const get = await runCli(['jobs', 'get', id], env());
    expect(get.stdout).toContain('queue:     reports (priority 7)');
    expect(get.stdout).toContain("waiting:   queue 'reports' is paused");

    const list = await runCli(['queues', 'list'], env());
    expect(list.stdout).toMatch(/^NAME\s+STATE\s+CONCURRENCY\s+QUOTA\s+QUEUED/);
    expect(list.stdout).toMatch(/reports\s+paused\s+2\s+cpu=4 gpu=1\s+1\s/);

    expect((await runCli(['queues', 'resume', 'reports'], env())).code).toBe(0);
    expect((await waitForJob(s.client, id)).state).toBe('succeeded');
    const one = JSON.parse((await runCli(['queues', 'get', 'reports', '--json'], env())).stdout) as QueueView;
    expect(one).toMatchObject({ paused: false, jobs: { queued: 0 } });
    expect(one.lastStartedAt).not.toBeNull();
  });

  it('delays a job with --in and refuses conflicting or malformed flags', async () => {
    const run = await runCli(['run', '--detach', '--json', '--in', '1h', '--key', 'once', '--', 'true'], env());
    const job = JSON.parse(run.stdout) as Job;
    expect(job.state).toBe('scheduled');
    expect(Date.parse(job.notBefore) - Date.parse(job.createdAt)).toBeGreaterThan(3500_000);
    const again = await runCli(['run', '--detach', '--at', new Date(Date.now() + 7200_000).toISOString(), '--key', 'once', '--', 'true'], env());
    expect(again.stdout.trim()).toBe(job.id); // the singleton key answers the scheduled job
    const both = await runCli(['run', '--in', '1m', '--at', '2030-01-01T00:00:00Z', '--', 'true'], env());
    expect(both).toMatchObject({ code: 125, stderr: 'error: usage: give --in or --at, not both\n' }); // hodei's own failure (docs/cli.md)
    const bad = await runCli(['run', '--in', 'soon', '--', 'true'], env());
    expect(bad.stderr).toContain("--in must be a duration like 30s, 10m, 1h30m or 2d, got 'soon'");
    const nothing = await runCli(['queues', 'set', 'reports'], env());
    expect(nothing.stderr).toContain('nothing to set');
  });

  it('submits once with --idempotency-key', async () => {
    const args = ['run', '--detach', '--idempotency-key', 'deploy-42', '--', 'true'];
    const first = (await runCli(args, env())).stdout.trim();
    const second = (await runCli(args, env())).stdout.trim();
    expect(second).toBe(first);
  });
});
