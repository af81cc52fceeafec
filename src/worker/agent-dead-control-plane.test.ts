// Agents of a control plane that died and never comes back (real agent processes, dist/agent.js,
// and real jobs): SIGTERM is obeyed at any time, a second SIGTERM kills the job at once, and an
// agent left alone gives up after its connect timeout, killing its job. None of them may leave a
// job's processes running.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeBackend } from '../../test/support/gateway/fake-backend.js';
import { startGateway, waitFor } from '../../test/support/gateway/harness.js';
import { groupAlive, startAgent, type TestAgent } from '../../test/support/worker/agent-harness.js';
import { hodeiAgentCommand } from '../util/paths.js';
import { AGENT_EXIT } from './agent.js';

interface AgentProcess { proc: ChildProcess; output: () => string; exit: Promise<number | NodeJS.Signals | null> }
const started: AgentProcess[] = [];
const groups: number[] = [];
const inProcess: TestAgent[] = [];
afterEach(async () => {
  for (const a of started.splice(0)) if (a.proc.exitCode === null && a.proc.signalCode === null) a.proc.kill('SIGKILL');
  for (const a of inProcess.splice(0)) a.stop();
  for (const pgid of groups.splice(0)) if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
});

/** A real agent process that ran `script` (it prints its pid first) and whose control plane then died. */
async function orphanedAgent(script: string, env: Record<string, string> = {}): Promise<{ agent: AgentProcess; pgid: number }> {
  const backend = new FakeBackend();
  const g = await startGateway({ backend, heartbeatIntervalMs: 200 });
  const { workerId, token } = backend.addWorker();
  const job = backend.enqueue(workerId, { command: 'sh', args: ['-c', `echo $$; ${script}`] });
  const [cmd, ...args] = hodeiAgentCommand();
  const proc = spawn(cmd ?? 'node', [...args, '--server', g.url], {
    env: { ...process.env, HODEI_WORKER_TOKEN: token, HODEI_WORKER_ECHO_OUTPUT: '0', HODEI_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const s of [proc.stdout, proc.stderr]) s.on('data', (d: Buffer) => { output += d.toString(); });
  const exit = new Promise<number | NodeJS.Signals | null>((r) => proc.on('exit', (code, signal) => r(code ?? signal)));
  const agent = { proc, output: () => output, exit };
  started.push(agent);
  const pgid = Number(await waitFor(() => /^(\d+)\n/.exec(backend.logText(job.jobId))?.[1], 'the job to print its pid'));
  groups.push(pgid);
  await g.stop(); // SIGKILL of the control plane, as the agent sees it: connection gone, refused from now on
  await waitFor(() => output.includes('reconnecting'), 'the agent to notice');
  return { agent, pgid };
}

describe('agents of a dead control plane', () => {
  it('SIGTERM while the control plane is gone: the job is killed and the agent exits 143 without waiting to report', async () => {
    const { agent, pgid } = await orphanedAgent('sleep 300');
    agent.proc.kill('SIGTERM');
    expect(await agent.exit).toBe(AGENT_EXIT.aborted);
    await waitFor(() => !groupAlive(pgid), 'the job process group to be gone (reaped)', 5_000);
    expect(agent.output()).toContain('stopped while the control plane is unreachable');
  });

  it('a second SIGTERM kills a job that ignores SIGTERM at once, and the agent exits 143 (was: agent killed, job left running)', async () => {
    const { agent, pgid } = await orphanedAgent("trap '' TERM; sleep 300");
    agent.proc.kill('SIGTERM');
    await waitFor(() => agent.output().includes('interrupting job'), 'the first SIGTERM handled');
    agent.proc.kill('SIGTERM');
    expect(await agent.exit).toBe(AGENT_EXIT.aborted);
    await waitFor(() => !groupAlive(pgid), 'the job process group to be gone', 5_000);
    expect(agent.output()).toContain('killing the job now');
  });

  it('left alone, gives up after the connect timeout: kills its job, exits 2, says why', async () => {
    const { agent, pgid } = await orphanedAgent('sleep 300', { HODEI_WORKER_CONNECT_TIMEOUT: '1.5' });
    expect(await agent.exit).toBe(AGENT_EXIT.unreachable);
    await waitFor(() => !groupAlive(pgid), 'the job process group to be gone (reaped)', 5_000);
    expect(agent.output()).toMatch(/control plane unreachable for 1\.5 s .*HODEI_WORKER_CONNECT_TIMEOUT.*giving up; killing job j-/);
  });

  it('a job that leaves a process holding its output open (setsid) still ends, is reported, and the agent exits', async () => {
    const backend = new FakeBackend();
    const g = await startGateway({ backend, heartbeatIntervalMs: 200 });
    try {
      const { workerId, token } = backend.addWorker();
      // The daemon leaves the job's process group but keeps its stdout: the pipe never closes.
      const job = backend.enqueue(workerId, { command: 'sh', args: ['-c', 'setsid sh -c \'echo $$; exec sleep 300\' & sleep 0.3; exit 7'] });
      const a = startAgent(g.url, token);
      inProcess.push(a);
      const daemon = Number(await waitFor(() => /^(\d+)\n/.exec(backend.logText(job.jobId))?.[1], 'the daemon to print its pid'));
      groups.push(daemon);
      expect(await a.exit).toBe(7);
      expect(backend.results.get(`${job.jobId}#1`)).toMatchObject({ outcome: 'exited', exitCode: 7 });
    } finally {
      await g.stop();
    }
  });
});
