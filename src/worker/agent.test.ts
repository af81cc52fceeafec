import { afterEach, describe, expect, it } from 'vitest';
import { FakeBackend } from '../../test/support/gateway/fake-backend.js';
import { startGateway, waitFor, type RunningGateway } from '../../test/support/gateway/harness.js';
import { groupAlive, startAgent, type TestAgent } from '../../test/support/worker/agent-harness.js';

let gw: RunningGateway | undefined;
let agents: TestAgent[] = [];
afterEach(async () => {
  for (const a of agents) a.stop();
  await Promise.all(agents.map((a) => a.exit));
  agents = [];
  await gw?.stop();
  gw = undefined;
});

async function setup(agentOpts: Parameters<typeof startAgent>[2] = {}, ephemeral = true) {
  const backend = new FakeBackend();
  gw = await startGateway({ backend, heartbeatIntervalMs: 200 });
  const { workerId, token } = backend.addWorker({ ephemeral });
  const run = () => {
    const a = startAgent(gw!.url, token, agentOpts);
    agents.push(a);
    return a;
  };
  return { backend, gw, workerId, run };
}

const resultOf = (b: FakeBackend, jobId: string) => waitFor(() => b.results.get(`${jobId}#1`), `result of ${jobId}`);
const pgidFromLogs = async (b: FakeBackend, jobId: string) =>
  Number(await waitFor(() => /^(\d+)\n/.exec(b.logText(jobId))?.[1], 'the job to print its pid'));

describe('worker agent', () => {
  it('runs a job printing 10,000 lines: every line arrives once, in order, under backpressure; then exits 0', async () => {
    const { backend, workerId, run } = await setup({ logBatchBytes: 4096, logWindow: 2 });
    backend.appendDelayMs = 10; // a slow store keeps the window full and the child paused
    const job = backend.enqueue(workerId, {
      command: 'sh', args: ['-c', 'i=1; while [ $i -le 10000 ]; do echo "line $i"; echo "err $i" >&2; i=$((i+1)); done'],
    });
    const agent = run();
    expect(await agent.exit).toBe(0);
    const want = (p: string) => Array.from({ length: 10_000 }, (_, i) => `${p} ${i + 1}\n`).join('');
    expect(backend.logText(job.jobId, 'stdout')).toBe(want('line'));
    expect(backend.logText(job.jobId, 'stderr')).toBe(want('err'));
    expect(backend.results.get(`${job.jobId}#1`)).toEqual({ outcome: 'exited', exitCode: 0, signal: null });
    expect(agent.logs.some((l) => l.includes('pausing job output'))).toBe(true);
    const order = backend.calls.filter((c) => c.workerId === workerId).map((c) => c.method);
    expect(order.indexOf('jobStarted')).toBeLessThan(order.indexOf('appendLogs'));
    expect(order.lastIndexOf('appendLogs')).toBeLessThan(order.indexOf('jobFinished'));
  });

  it('reports the exit code, and exits with it (a one-job agent tells its job\'s story); echoes the output', async () => {
    const echoed: string[] = [];
    const { backend, workerId, run } = await setup({ echoJobOutput: (stream, data) => echoed.push(`${stream}:${data}`) });
    const job = backend.enqueue(workerId, { command: 'sh', args: ['-c', 'echo hello; exit 3'] });
    expect(await run().exit).toBe(3); // was 0: the pod showed Completed for a failed job
    expect(echoed).toEqual(['stdout:hello\n']);
    expect(backend.results.get(`${job.jobId}#1`)).toEqual({ outcome: 'exited', exitCode: 3, signal: null });
    expect(backend.logText(job.jobId)).toBe('hello\n');
  });

  it('kills the whole process group on timeout and reports timed_out', async () => {
    const { backend, workerId, run } = await setup();
    const job = backend.enqueue(workerId, { command: 'sh', args: ['-c', 'echo $$; sleep 30 & sleep 30'], timeoutSeconds: 1 });
    const agent = run();
    const pgid = await pgidFromLogs(backend, job.jobId);
    expect(groupAlive(pgid)).toBe(true);
    const result = await resultOf(backend, job.jobId);
    expect(result).toMatchObject({ outcome: 'timed_out', exitCode: null, signal: 'SIGTERM' });
    expect(result.message).toMatch(/timeout of 1s/);
    expect(backend.logText(job.jobId, 'system')).toMatch(/timeout/);
    // Both sleeps (the foreground one and the background one) are gone with their group.
    await waitFor(() => !groupAlive(pgid), `process group ${pgid} to be gone`);
    expect(await agent.exit).toBe(124);
  });

  it('cancels a running job on job.cancel, killing its process group', async () => {
    const { backend, gw, workerId, run } = await setup();
    const job = backend.enqueue(workerId, { command: 'sh', args: ['-c', 'echo $$; sleep 30 & sleep 30'] });
    const agent = run();
    const pgid = await pgidFromLogs(backend, job.jobId);
    expect(gw.gateway.cancelJob(workerId, job.jobId, 'user request')).toBe(true);
    expect(await resultOf(backend, job.jobId)).toMatchObject({ outcome: 'cancelled', exitCode: null, signal: 'SIGTERM' });
    await waitFor(() => !groupAlive(pgid), `process group ${pgid} to be gone`);
    expect(await agent.exit).toBe(143);
  });

  it('escalates to SIGKILL when the job ignores SIGTERM', async () => {
    const { backend, workerId, run } = await setup({ killGraceMs: 300 });
    const job = backend.enqueue(workerId, { command: 'sh', args: ['-c', "trap '' TERM; echo $$; while :; do sleep 0.1; done"], timeoutSeconds: 0.5 });
    const agent = run();
    const pgid = await pgidFromLogs(backend, job.jobId);
    expect(await resultOf(backend, job.jobId)).toMatchObject({ outcome: 'timed_out', signal: 'SIGKILL' });
    await waitFor(() => !groupAlive(pgid), `process group ${pgid} to be gone`);
    expect(await agent.exit).toBe(124);
  });

  it('reports a command that cannot start as outcome error with exit code 127', async () => {
    const { backend, workerId, run } = await setup();
    const job = backend.enqueue(workerId, { command: '/nonexistent/hodei-no-such-command' });
    expect(await run().exit).toBe(127);
    const result = backend.results.get(`${job.jobId}#1`);
    expect(result).toMatchObject({ outcome: 'error', exitCode: 127 });
    expect(result?.message).toMatch(/ENOENT/);
  });

  it('names a missing working directory as the reason a job could not start', async () => {
    const { backend, workerId, run } = await setup();
    const job = backend.enqueue(workerId, { command: 'true', workingDir: '/nonexistent/hodei-dir' });
    expect(await run().exit).toBe(126); // the agent ends with its job's status
    const result = backend.results.get(`${job.jobId}#1`);
    expect(result).toMatchObject({ outcome: 'error', exitCode: 126 }); // cannot execute (the command itself may exist)
    expect(result?.message).toMatch(/working directory \/nonexistent\/hodei-dir does not exist/);
    expect(backend.logText(job.jobId, 'system')).toMatch(/does not exist/);
  });

  it('runs jobs one after another on a pooled worker', async () => {
    const { backend, gw, workerId, run } = await setup({}, false);
    const first = backend.enqueue(workerId, { command: 'sh', args: ['-c', 'echo one'] });
    const second = backend.enqueue(workerId, { command: 'sh', args: ['-c', 'echo two; exit 1'] });
    const agent = run();
    await resultOf(backend, second.jobId);
    expect(backend.logText(first.jobId)).toBe('one\n');
    expect(backend.results.get(`${second.jobId}#1`)).toMatchObject({ exitCode: 1 });
    const third = backend.enqueue(workerId, { command: 'sh', args: ['-c', 'echo three'], workingDir: '/tmp' });
    expect(await gw.gateway.offerJob(workerId)).toBe(true);
    await resultOf(backend, third.jobId);
    expect(gw.gateway.shutdownWorker(workerId)).toBe(true);
    expect(await agent.exit).toBe(0);
  });

  it('never writes secret values or tokens to its own logs', async () => {
    const secret = 's3cr3t-Value-42';
    const { backend, workerId, run } = await setup({}, false);
    const printing = backend.enqueue(workerId, {
      command: 'sh', args: ['-c', `echo "$API_KEY"; echo ${secret} >/dev/null; exit 2`],
      env: { API_KEY: secret, PLAIN: 'visible' }, secretNames: ['API_KEY'],
    });
    const failing = backend.enqueue(workerId, {
      command: `/nonexistent/${secret}`, env: { API_KEY: secret }, secretNames: ['API_KEY'],
    });
    const agent = run();
    await resultOf(backend, failing.jobId);
    agent.stop();
    expect(await agent.exit).toBe(143);
    // The job received the secret (its own output is the job's business) ...
    expect(backend.logText(printing.jobId)).toBe(`${secret}\n`);
    // ... but the agent never logged it, nor the tokens, nor the env.
    const text = agent.logs.join('');
    expect(text).toContain('starting job');
    expect(text).toContain('[REDACTED]');
    expect(text).not.toContain(secret);
    expect(text).not.toContain('visible');
    expect(text).not.toMatch(/tok-|sess-/);
    expect(backend.results.get(`${failing.jobId}#1`)?.message).not.toContain(secret);
  });
});
