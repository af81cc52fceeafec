// hodei queues and the queue flags of hodei run, through the real CLI against a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src/domain/job.js';
import { parse as parseYaml } from 'yaml';
import type { QueueView } from '../../src/jobs/queues.js';
import type { ScheduleView } from '../../src/schedules/service.js';
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

describe('hodei queues and schedules output (-o table|wide|json|yaml|name, --no-headers)', () => {
  it('renders queues and schedules like every other read command', async () => {
    await runCli(['queues', 'pause', 'formats'], env());
    const name = await runCli(['queues', 'list', '-o', 'name'], env());
    expect(name.stdout.split('\n')).toContain('queue/formats');
    const yaml = parseYaml((await runCli(['queues', 'get', 'formats', '-o', 'yaml'], env())).stdout) as QueueView;
    expect(yaml).toMatchObject({ name: 'formats', paused: true, configured: true });
    const wide = await runCli(['queues', 'get', 'formats', '-o', 'wide'], env());
    expect(wide.stdout).toMatch(/^NAME\s+STATE.*\s+PAUSED SINCE\s+CONFIGURED\n/);
    expect(wide.stdout).toMatch(/formats\s+paused\s.*\d{4}-\d\d-\d\dT\S+\s+yes\n$/);
    const bare = await runCli(['queues', 'get', 'formats', '--no-headers'], env());
    expect(bare.stdout).toMatch(/^formats\s+paused\s/);
    expect((await runCli(['queues', 'resume', 'formats', '-o', 'name'], env())).stdout).toBe('queue/formats\n');

    expect((await runCli(['schedules', 'list'], env())).stdout).toBe('no schedules\n');
    const created = await runCli(['schedules', 'create', 'nightly', '--cron', '0 3 * * *', '--queue', 'formats', '-o', 'name', '--', 'echo', 'hi'], env());
    expect(created).toMatchObject({ code: 0, stdout: 'schedule/nightly\n' });
    const table = await runCli(['schedules', 'list'], env());
    expect(table.stdout).toMatch(/^NAME\s+CRON\s+TIMEZONE\s+POLICY\s+SUSPENDED\s+LAST RUN\s+LAST RESULT\s+NEXT RUN\n/);
    expect(table.stdout).toMatch(/nightly\s+0 3 \* \* \*\s+UTC\s+Allow\s+no\s+-\s+-\s+in \d+s\n$/);
    const wideS = await runCli(['schedules', 'get', 'nightly', '-o', 'wide'], env());
    expect(wideS.stdout).toMatch(/\s+DEADLINE\s+QUEUE\s+LAST JOB\s+COMMAND\n/);
    expect(wideS.stdout).toMatch(/-\s+formats\s+-\s+echo hi\n$/);
    const json = JSON.parse((await runCli(['schedules', 'list', '-o', 'json'], env())).stdout) as { schedules: ScheduleView[] };
    expect(json.schedules.map((x) => x.name)).toEqual(['nightly']);
    expect((await runCli(['schedules', 'delete', 'nightly'], env())).stdout).toBe('schedule nightly deleted\n');
  });
});
