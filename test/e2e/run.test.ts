// The job path end to end: CLI → API → scheduler → local provider → agent → logs and result.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startTestServer, waitFor, waitForJob, type TestServer } from './harness.js';
import { groupAlive } from '../support/worker/agent-harness.js';

let s: TestServer;
const env = (): Record<string, string> => ({ HODEI_URL: s.url, HODEI_API_TOKEN: s.token });

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.stop();
});

describe('hodei run', () => {
  it('prints the job output and exits with its exit code', async () => {
    const r = await runCli(['run', '--', 'sh', '-c', 'echo hello; exit 3'], env());
    expect(r.stdout).toContain('hello');
    expect(r.code).toBe(3);
  });

  it('keeps stderr on stderr and succeeds with 0', async () => {
    const r = await runCli(['run', '--env', 'GREETING=hi there', '--', 'sh', '-c', 'echo "$GREETING"; echo oops >&2'], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('hi there\n');
    expect(r.stderr).toContain('oops');
  });

  it('--detach prints the id; jobs get/logs read it back', async () => {
    const r = await runCli(['run', '--detach', '--label', 'team=sre', '--', 'echo', 'detached'], env());
    expect(r.code).toBe(0);
    const id = r.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const job = await waitForJob(s.client, id);
    expect(job.state).toBe('succeeded');
    const logs = await runCli(['jobs', 'logs', id], env());
    expect(logs.stdout).toBe('detached\n');
    const list = await runCli(['jobs', 'list', '--label', 'team=sre', '--json'], env());
    expect((JSON.parse(list.stdout) as { jobs: Array<{ id: string }> }).jobs.map((j) => j.id)).toEqual([id]);
  });

  it('a bad flag is a one-line error and a non-zero exit', async () => {
    const r = await runCli(['run', '--retries', 'many', '--', 'true'], env());
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--retries must be a whole number');
    const bad = await runCli(['run', '--cpu', 'lots', '--', 'true'], env());
    expect(bad.code).toBe(125); // hodei refused the job: docs/cli.md exit codes
    expect(bad.stderr).toMatch(/resources\.cpu/);
  });

  it('says clearly when the server is unreachable or the job does not exist', async () => {
    const down = await runCli(['jobs', 'list'], { HODEI_URL: 'http://127.0.0.1:9', HODEI_API_TOKEN: 'x' });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^error: cannot reach the Hodei server at http:\/\/127\.0\.0\.1:9/);
    const missing = await runCli(['jobs', 'get', 'no-such-job'], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("job 'no-such-job' not found");
  });
});

describe('timeouts and cancellation', () => {
  it('a job past timeoutSeconds ends timed_out and its whole process group is gone', async () => {
    const job = await s.client.submit({ command: 'sh', args: ['-c', 'echo $$; sleep 30 & sleep 30'], timeoutSeconds: 1 });
    const done = await waitForJob(s.client, job.id, 20_000);
    expect(done.state).toBe('timed_out');
    const pgid = Number((await s.client.logsText(job.id)).split('\n')[0]);
    expect(pgid).toBeGreaterThan(1);
    await waitFor('process group to vanish', async () => !groupAlive(pgid), 10_000);
  });

  it('cancelling a running job ends it cancelled and stops its processes', async () => {
    const job = await s.client.submit({ command: 'sh', args: ['-c', 'echo $$; sleep 30'] });
    await waitFor('job running', async () => (await s.client.getJob(job.id)).state === 'running');
    const pgid = Number((await waitFor('pid in logs', async () => (await s.client.logsText(job.id)).split('\n')[0])));
    const cancelled = await s.client.cancel(job.id);
    expect(cancelled.state).toBe('cancelled');
    await waitFor('process group to vanish', async () => !groupAlive(pgid), 10_000);
    expect((await s.client.getJob(job.id)).state).toBe('cancelled');
    await expect(s.client.cancel(job.id)).rejects.toMatchObject({ status: 409 });
  });

  it('a failed attempt is retried with backoff and the next attempt can succeed', async () => {
    const job = await s.client.submit({ command: 'sh', args: ['-c', '[ "$HODEI_JOB_ATTEMPT" -ge 2 ] || exit 7; echo second'], retries: 2 });
    const done = await waitForJob(s.client, job.id, 30_000);
    expect(done.state).toBe('succeeded');
    expect(done.attempt).toBe(2);
    expect(done.transitions.map((t) => t.state)).toContain('queued');
    expect(done.transitions.filter((t) => t.state === 'queued')).toHaveLength(2);
  });
});
