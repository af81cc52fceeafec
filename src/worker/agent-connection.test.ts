import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { runWorkerCommand, USAGE_EXIT } from '../cli/worker.js';
import { FakeBackend } from '../../test/support/gateway/fake-backend.js';
import { startGateway, waitFor, type RunningGateway } from '../../test/support/gateway/harness.js';
import { rawClient, register } from '../../test/support/gateway/raw-client.js';
import { hodeiCliCommand, packageRoot } from '../util/paths.js';
import { AGENT_EXIT } from './agent.js';
import { groupAlive, startAgent, type TestAgent } from '../../test/support/worker/agent-harness.js';

const gateways: RunningGateway[] = [];
const agents: TestAgent[] = [];
afterEach(async () => {
  for (const a of agents) a.stop();
  await Promise.all(agents.splice(0).map((a) => a.exit));
  await Promise.all(gateways.splice(0).map((g) => g.stop()));
});

async function gateway(backend: FakeBackend, port = 0): Promise<RunningGateway> {
  const g = await startGateway({ backend, heartbeatIntervalMs: 200 }, port);
  gateways.push(g);
  return g;
}
function agent(...args: Parameters<typeof startAgent>): TestAgent {
  const a = startAgent(...args);
  agents.push(a);
  return a;
}
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('worker agent connection', () => {
  it('keeps the job running through a control-plane restart, resumes, and delivers logs and result', async () => {
    const backend = new FakeBackend();
    const first = await gateway(backend);
    const { workerId, token } = backend.addWorker();
    const job = backend.enqueue(workerId, { command: 'sh', args: ['-c', 'echo start; sleep 1; echo end; exit 4'] });
    const a = agent(first.url, token);
    await waitFor(() => backend.logText(job.jobId).includes('start'), 'first output');
    await first.stop();
    gateways.splice(gateways.indexOf(first), 1);
    // The job finishes while no control plane is there; its result and last logs wait in the agent.
    await waitFor(() => a.logs.some((l) => l.includes('"job finished"')), 'the job to finish offline');
    expect(backend.results.size).toBe(0);
    await gateway(backend, first.port);
    expect(await a.exit).toBe(4);
    expect(backend.results.get(`${job.jobId}#1`)).toEqual({ outcome: 'exited', exitCode: 4, signal: null });
    expect(backend.logText(job.jobId)).toBe('start\nend\n');
    expect(backend.count('registerWorker')).toBe(1);
    expect(backend.count('resumeWorker')).toBe(1);
    expect(backend.count('nextJob')).toBe(2); // the job, then nothing (shutdown); none on resume
    expect(backend.disconnected[0]).toBe(workerId);
  });

  it('exits non-zero when its token was already used', async () => {
    const backend = new FakeBackend();
    const g = await gateway(backend);
    const { token } = backend.addWorker();
    const thief = await rawClient(g.wsUrl);
    thief.send(register(token));
    await thief.next('registered');
    const a = agent(g.url, token);
    expect(await a.exit).toBe(AGENT_EXIT.refused);
    expect(a.logs.join('')).toMatch(/TOKEN_INVALID/);
    expect(backend.count('registerWorker')).toBe(1);
    thief.ws.terminate();
  });

  it('gives up when the control plane is unreachable for longer than the connect timeout', async () => {
    const port = await freePort();
    const a = agent(`http://127.0.0.1:${port}`, 'tok-unused', { connectTimeoutMs: 500 });
    expect(await a.exit).toBe(AGENT_EXIT.unreachable);
    expect(a.logs.join('')).toMatch(/unreachable/);
  });

  it('answers malformed control-plane messages with an error and keeps working', async () => {
    const server = createServer();
    const wss = new WebSocketServer({ server });
    const fromAgent: Array<Record<string, unknown>> = [];
    wss.on('connection', (ws) => ws.on('message', (d) => {
      const msg = JSON.parse(String(d)) as Record<string, unknown>;
      fromAgent.push(msg);
      if (msg.type !== 'register') return;
      ws.send('{"type": "registered",');
      ws.send(JSON.stringify({ type: 'job.assign' }));
      ws.send(JSON.stringify({ type: 'job.assign', job: { jobId: 'j', attempt: 1, command: 'true', args: 'no', env: {}, secretNames: [] } }));
      ws.send(JSON.stringify({ type: 'registered', protocolVersion: 1, workerId: 'w', sessionToken: 's', heartbeatIntervalMs: 1000 }));
      ws.send(JSON.stringify({ type: 'shutdown', reason: 'test over' }));
    }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const a = agent(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, 'tok-x');
      expect(await a.exit).toBe(0);
      const errors = await waitFor(() => {
        const e = fromAgent.filter((m) => m.type === 'error');
        return e.length >= 3 && e;
      }, 'three errors from the agent');
      expect(errors).toEqual([
        expect.objectContaining({ code: 'INVALID_MESSAGE', rule: 'json' }),
        expect.objectContaining({ code: 'INVALID_MESSAGE', field: '/job', rule: 'required' }),
        expect.objectContaining({ code: 'INVALID_MESSAGE', field: '/job/args' }),
      ]);
    } finally {
      wss.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it('reconnects with resume when the control plane stops answering', async () => {
    const server = createServer();
    const wss = new WebSocketServer({ server });
    const firsts: string[] = [];
    wss.on('connection', (ws) => ws.once('message', (d) => {
      const msg = JSON.parse(String(d)) as { type: string };
      firsts.push(msg.type);
      if (msg.type === 'register') {
        // Registered, then silence: no heartbeat.ack, ever (a half-open connection).
        ws.send(JSON.stringify({ type: 'registered', protocolVersion: 1, workerId: 'w1', sessionToken: 's1', heartbeatIntervalMs: 100 }));
      } else {
        ws.send(JSON.stringify({ type: 'resumed', workerId: 'w1', heartbeatIntervalMs: 100 }));
        ws.send(JSON.stringify({ type: 'shutdown', reason: 'done' }));
      }
    }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const a = agent(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'tok-y');
      expect(await a.exit).toBe(0);
      expect(firsts).toEqual(['register', 'resume']);
    } finally {
      wss.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it('on stop, interrupts the running job (retriable), reports it and exits 143', async () => {
    const backend = new FakeBackend();
    const g = await gateway(backend);
    const { workerId, token } = backend.addWorker();
    const job = backend.enqueue(workerId, { command: 'sh', args: ['-c', 'echo $$; sleep 30'] });
    const a = agent(g.url, token);
    const pgid = Number(await waitFor(() => /^(\d+)\n/.exec(backend.logText(job.jobId))?.[1], 'pid'));
    a.stop();
    expect(await a.exit).toBe(AGENT_EXIT.aborted);
    expect(backend.results.get(`${job.jobId}#1`)).toMatchObject({ outcome: 'interrupted' });
    await waitFor(() => !groupAlive(pgid), 'the job process group to be gone');
  });
});

describe('hodei worker command', () => {
  const sink = () => {
    const out: string[] = [];
    return { out, stream: new Writable({ write(c, _e, cb) { out.push(String(c)); cb(); } }) };
  };

  it('refuses clearly without HODEI_WORKER_TOKEN, and always removes the token from the environment', async () => {
    const err = sink();
    expect(await runWorkerCommand({ server: 'http://127.0.0.1:1' }, { env: {}, stderr: err.stream })).toBe(USAGE_EXIT);
    expect(err.out.join('')).toMatch(/HODEI_WORKER_TOKEN \(or HODEI_WORKER_TOKEN_FILE\) is not set/);
    const env: NodeJS.ProcessEnv = { HODEI_WORKER_TOKEN: 'tok-1' };
    expect(await runWorkerCommand({ server: 'ftp://x' }, { env, stderr: err.stream })).toBe(USAGE_EXIT);
    expect(env.HODEI_WORKER_TOKEN).toBeUndefined();
    expect(err.out.join('')).toMatch(/scheme must be/);
  });

  it('reads the token from HODEI_WORKER_TOKEN_FILE (a Kubernetes pod\'s Secret volume), naming the file when it cannot', async () => {
    const err = sink();
    const dir = mkdtempSync(join(tmpdir(), 'hodei-token-'));
    try {
      const missing: NodeJS.ProcessEnv = { HODEI_WORKER_TOKEN_FILE: join(dir, 'nope') };
      expect(await runWorkerCommand({ server: 'http://127.0.0.1:1' }, { env: missing, stderr: err.stream })).toBe(USAGE_EXIT);
      expect(err.out.join('')).toContain(`HODEI_WORKER_TOKEN_FILE: cannot read ${join(dir, 'nope')}: ENOENT`);
      writeFileSync(join(dir, 'empty'), '\n');
      expect(await runWorkerCommand({ server: 'http://127.0.0.1:1' }, { env: { HODEI_WORKER_TOKEN_FILE: join(dir, 'empty') }, stderr: err.stream })).toBe(USAGE_EXIT);
      expect(err.out.join('')).toContain('is empty');
      writeFileSync(join(dir, 'token'), 'tok-file-1\n');
      const env: NodeJS.ProcessEnv = { HODEI_WORKER_TOKEN_FILE: join(dir, 'token') };
      // Read (the next check, the URL, is reached) and both variables gone from the environment.
      expect(await runWorkerCommand({ server: 'ftp://x' }, { env, stderr: err.stream })).toBe(USAGE_EXIT);
      expect(err.out.join('')).toMatch(/scheme must be/);
      expect(env).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const cliBuilt = existsSync(join(packageRoot(), 'src', 'cli', 'main.ts'));
  (cliBuilt ? it : it.skip)('runs as a real process via the compiled CLI; the job does not inherit the token', async () => {
    const backend = new FakeBackend();
    const g = await gateway(backend);
    const { workerId, token } = backend.addWorker();
    const job = backend.enqueue(workerId, { command: 'sh', args: ['-c', 'env; exit 5'] });
    const [cmd, ...args] = hodeiCliCommand();
    // The token as a Kubernetes pod gets it: a file (its Secret volume) named by HODEI_WORKER_TOKEN_FILE.
    const dir = mkdtempSync(join(tmpdir(), 'hodei-token-'));
    writeFileSync(join(dir, 'token'), token);
    const child = spawn(cmd!, [...args, 'worker', '--server', g.url], {
      env: { ...process.env, HODEI_WORKER_TOKEN_FILE: join(dir, 'token'), HODEI_LOG_LEVEL: 'debug' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(5); // a one-job agent exits with its job's status
    expect(backend.results.get(`${job.jobId}#1`)).toMatchObject({ outcome: 'exited', exitCode: 5 });
    const jobEnv = backend.logText(job.jobId);
    expect(jobEnv).toContain('PATH=');
    expect(jobEnv).not.toContain('HODEI_WORKER_TOKEN');
    expect(jobEnv).not.toContain(token);
    expect(output).toContain('registered with control plane');
    expect(output).not.toContain(token);
  });
});
