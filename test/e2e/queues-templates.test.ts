// Templates, retry policies with dead letters, and retention end to end on both stores: real HTTP,
// the real CLI, real local workers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src/domain/job.js';
import { TEST_ENGINES } from '../../src/store/testing/fresh.js';
import type { TemplateRecord } from '../../src/store/store.js';
import { runCli, startTestServer, waitFor, waitForJob, type TestServer } from './harness.js';

describe.each(TEST_ENGINES)('templates, retries and retention on %s', (engine) => {
  let s: TestServer;
  const env = (): Record<string, string> => ({ HODEI_URL: s.url, HODEI_API_TOKEN: s.token });
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${s.url}${path}`, {
      method, headers: { authorization: `Bearer ${s.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) as Record<string, unknown> : {} };
  };
  beforeAll(async () => { s = await startTestServer({ engine, config: { retention: { maxLogBytesPerJob: 1024, intervalSeconds: 3600 } } }); });
  afterAll(async () => { await s?.stop(); });

  it('saves versioned templates and makes jobs from them (CLI and API), refusing bad params by name', async () => {
    const created = await runCli(['templates', 'create', 'greet', '--param', 'who', '--param', 'greeting=hello', '--', 'sh', '-c', 'echo "{{greeting}}, {{ who }}"'], env());
    expect(created).toMatchObject({ code: 0, stdout: 'template greet version 1 saved\n' });
    const v2 = await call('POST', '/v1/templates', {
      name: 'greet', job: { command: 'sh', args: ['-c', 'echo "{{greeting}}, {{who}}!"'], labels: { who: '{{who}}' } },
      parameters: [{ name: 'who', required: true, pattern: '[a-z]+' }, { name: 'greeting', default: 'hi' }],
    });
    expect(v2).toMatchObject({ status: 201, body: { name: 'greet', version: 2 } });

    const run = await runCli(['run', '--template', 'greet', '--param', 'who=ana'], env());
    expect(run).toMatchObject({ code: 0, stdout: 'hi, ana!\n' });
    const old = await s.client.submit({ template: 'greet', templateVersion: 1, params: { who: 'bo' } });
    const done = await waitForJob(s.client, old.id);
    expect(done.spec).toMatchObject({ command: 'sh', template: { name: 'greet', version: 1, params: { who: 'bo', greeting: 'hello' } } });
    expect(done.spec.labels).toMatchObject({ 'hodei.io/template': 'greet', 'hodei.io/template-version': '1' });
    expect(await s.client.logsText(old.id)).toBe('hello, bo\n');

    const versions = JSON.parse((await runCli(['templates', 'versions', 'greet', '--json'], env())).stdout) as { versions: TemplateRecord[] };
    expect(versions.versions.map((t) => t.version)).toEqual([2, 1]);
    expect((await call('GET', '/v1/templates/greet/versions/1')).body).toMatchObject({ version: 1, parameters: [{ name: 'who', required: true }, { name: 'greeting', default: 'hello' }] });

    const bad = async (body: unknown, field: string): Promise<void> => {
      const r = await call('POST', '/v1/jobs', body);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field } });
    };
    await bad({ template: 'greet' }, 'params.who');
    await bad({ template: 'greet', params: { who: 'Ana Maria' } }, 'params.who');
    await bad({ template: 'greet', params: { who: 'ana', shout: 'yes' } }, 'params.shout');
    await bad({ template: 'greet', params: { who: 'ana' }, command: 'true' }, 'command');
    await bad({ params: { who: 'ana' }, command: 'true' }, 'template');
    await bad({ args: ['x'] }, 'command');
    expect((await call('POST', '/v1/jobs', { template: 'nope' })).body).toMatchObject({ error: { code: 'TEMPLATE_NOT_FOUND' } });
    const undeclared = await call('POST', '/v1/templates', { name: 'broken', job: { command: 'echo', args: ['{{missing}}'] } });
    expect(undeclared).toMatchObject({ status: 400, body: { error: { details: { field: 'job.args[0]' } } } });
    const badPattern = await call('POST', '/v1/templates', { name: 'broken', job: { command: 'echo' }, parameters: [{ name: 'x', pattern: '(' }] });
    expect(badPattern).toMatchObject({ status: 400, body: { error: { details: { field: 'parameters[0].pattern' } } } });
  });

  it('runs a schedule from a template, rendering the latest version at each tick', async () => {
    await call('POST', '/v1/templates', { name: 'tick', job: { command: 'echo', args: ['{{msg}}'] }, parameters: [{ name: 'msg', required: true }] });
    const sched = await runCli(['schedules', 'create', 'every-second', '--cron', '* * * * * *', '--template', 'tick', '--param', 'msg=beat', '--json'], env());
    expect(sched.code, sched.stderr).toBe(0);
    expect(JSON.parse(sched.stdout)).toMatchObject({ template: { name: 'tick', params: { msg: 'beat' } }, job: { command: 'echo', args: ['beat'] } });
    let ran: Job | undefined;
    await waitFor('a run of the template schedule', async () => {
      ran = (await s.client.listJobs({ labels: ['hodei.io/schedule=every-second'] })).jobs[0];
      return ran !== undefined;
    });
    expect(ran?.spec.template).toMatchObject({ name: 'tick', version: 1 });
    await call('PATCH', '/v1/schedules/every-second', { suspend: true });
    const refused = await call('POST', '/v1/schedules', { name: 'bad', cron: '@hourly', template: 'tick' });
    expect(refused).toMatchObject({ status: 400, body: { error: { details: { field: 'params.msg' } } } });
  });

  it('retries only the reasons a retry policy names, and lists dead letters with each attempt\'s reason', async () => {
    const notRetried = await s.client.submit({ command: 'false', retryPolicy: { limit: 3, onReasons: ['WorkerLost'] } });
    const retried = await s.client.submit({ command: 'false', retryPolicy: { limit: 2, backoff: { initialSeconds: 0.1, maxSeconds: 0.2 } } });
    expect(await waitForJob(s.client, notRetried.id)).toMatchObject({ state: 'failed', attempt: 1, reason: 'NonZeroExit' });
    expect(await waitForJob(s.client, retried.id)).toMatchObject({ state: 'failed', attempt: 3, reason: 'NonZeroExit' });
    const ok = await s.client.submit({ command: 'true' });
    await waitForJob(s.client, ok.id);

    const dead = await s.client.listJobs({ dead: true });
    expect(dead.jobs.map((j) => j.id)).toEqual(expect.arrayContaining([notRetried.id, retried.id]));
    expect(dead.jobs.map((j) => j.id)).not.toContain(ok.id);
    const cli = await runCli(['jobs', 'list', '--dead'], env());
    expect(cli.stdout).toMatch(/^ID\s+STATE\s+ATTEMPTS\s+REASONS/);
    expect(cli.stdout).toMatch(new RegExp(`${retried.id}\\s+failed\\s+3/3\\s+1:NonZeroExit 2:NonZeroExit 3:NonZeroExit`));
    const refused = await call('POST', '/v1/jobs', { command: 'true', retryPolicy: { limit: 1, onReasons: ['not a reason'] } });
    expect(refused).toMatchObject({ status: 400, body: { error: { details: { field: 'retryPolicy.onReasons[0]' } } } });
  });

  it('deletes a finished job on request and after its ttl; caps a chatty job\'s log and says so', async () => {
    const running = await s.client.submit({ command: 'sleep', args: ['30'] });
    expect((await call('DELETE', `/v1/jobs/${running.id}`))).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT' } } });
    await s.client.cancel(running.id);
    const gone = await runCli(['jobs', 'delete', running.id], env());
    expect(gone).toMatchObject({ code: 0, stdout: `job/${running.id} deleted\n` });
    expect((await call('GET', `/v1/jobs/${running.id}`)).status).toBe(404);

    const brief = await runCli(['run', '--json', '--ttl', '1s', '--', 'sh', '-c', 'for i in $(seq 1 200); do echo "line $i of a chatty job"; done'], env());
    expect(brief.code).toBe(0);
    const job = JSON.parse(brief.stdout) as Job;
    expect(job?.spec.ttlSecondsAfterFinished).toBe(1);
    const log = await s.client.logsText(job?.id ?? '');
    expect(log).toContain('hodei: log capped at 1024 bytes for this job; later output is not stored');
    expect(log).not.toContain('line 200 ');
    await new Promise((r) => setTimeout(r, 1100));
    expect(await s.cp.retention.sweep()).toMatchObject({ ttl: 1 });
    expect((await call('GET', `/v1/jobs/${job?.id ?? ''}`)).status).toBe(404);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toMatch(/hodei_jobs_deleted_total\{reason="ttl"\} 1\n/);
    expect(metrics).toMatch(/hodei_jobs_deleted_total\{reason="api"\} 1\n/);
  });
});
