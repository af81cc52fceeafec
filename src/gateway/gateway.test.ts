import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../observability/logger.js';
import { FakeBackend } from '../../test/support/gateway/fake-backend.js';
import { startGateway, waitFor, type RunningGateway } from '../../test/support/gateway/harness.js';
import { rawClient, register, type RawClient } from '../../test/support/gateway/raw-client.js';

let gw: RunningGateway | undefined;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await gw?.stop();
  gw = undefined;
});

async function setup(opts: { heartbeatIntervalMs?: number; registerTimeoutMs?: number; logSink?: string[] } = {}) {
  const backend = new FakeBackend();
  const destination = new Writable({ write(chunk, _enc, cb) { opts.logSink?.push(String(chunk)); cb(); } });
  gw = await startGateway({ backend, logger: createLogger({ level: 'debug', destination }), ...opts });
  const connect = async () => {
    const c = await rawClient(gw!.wsUrl);
    clients.push(c);
    return c;
  };
  return { backend, gw, connect };
}

describe('gateway', () => {
  it('registers a worker, assigns its job, stores logs in order and acks them, then shuts an ephemeral worker down', async () => {
    const { backend, gw, connect } = await setup({ heartbeatIntervalMs: 5_000 });
    const { workerId, token } = backend.addWorker();
    const job = backend.enqueue(workerId, { command: 'true' });
    const c = await connect();
    c.send(register(token));
    const reg = await c.next('registered');
    expect(reg).toMatchObject({ workerId, heartbeatIntervalMs: 5_000, protocolVersion: 1 });
    expect(reg.sessionToken).toBeTruthy();
    expect((await c.next('job.assign')).job).toEqual(job);
    expect(gw.gateway.isConnected(workerId)).toBe(true);
    expect(gw.gateway.connectedWorkers()).toEqual([workerId]);

    const ref = { jobId: job.jobId, attempt: 1 };
    c.send({ type: 'job.started', ...ref });
    for (let seq = 1; seq <= 5; seq++) c.send({ type: 'job.logs', ...ref, seq, entries: [{ stream: 'stdout', data: `line ${seq}\n` }] });
    c.send({ type: 'job.logs', ...ref, seq: 3, entries: [{ stream: 'stdout', data: 'resent\n' }] });
    c.send({ type: 'job.result', ...ref, result: { outcome: 'exited', exitCode: 0 } });
    await c.next('job.result.ack');
    const acks = c.received.filter((m) => m.type === 'job.logs.ack').map((m) => (m.type === 'job.logs.ack' ? m.seq : 0));
    expect(acks).toEqual([1, 2, 3, 4, 5, 3]);
    // The resent batch 3 is acknowledged but not stored twice.
    expect(backend.logText(job.jobId)).toBe('line 1\nline 2\nline 3\nline 4\nline 5\n');
    expect(backend.results.get(`${job.jobId}#1`)).toEqual({ outcome: 'exited', exitCode: 0 });
    expect((await c.next('shutdown')).reason).toMatch(/no job/);
    expect(backend.calls.map((x) => x.method)).toEqual(
      ['registerWorker', 'nextJob', 'jobStarted', 'appendLogs', 'appendLogs', 'appendLogs', 'appendLogs', 'appendLogs', 'jobFinished', 'nextJob']);

    c.ws.close();
    await waitFor(() => backend.disconnected.includes(workerId), 'workerDisconnected');
    expect(gw.gateway.isConnected(workerId)).toBe(false);
  });

  it('accepts a token once: a replay gets TOKEN_INVALID, is closed, and is logged without the token', async () => {
    const logs: string[] = [];
    const { backend, connect } = await setup({ logSink: logs });
    const { token } = backend.addWorker();
    const first = await connect();
    first.send(register(token));
    await first.next('registered');

    const replay = await connect();
    replay.send(register(token));
    expect(await replay.next('error')).toMatchObject({ code: 'TOKEN_INVALID' });
    expect(await replay.closed).toBe(4001);
    const warning = logs.find((l) => l.includes('worker message rejected'));
    expect(warning).toBeDefined();
    expect(JSON.parse(warning!)).toMatchObject({ level: 40, reason: 'token_invalid', messageType: 'register' });
    expect(logs.join('')).not.toContain(token);
  });

  it('answers malformed messages with an error naming the field and rule, and keeps serving', async () => {
    const { backend, connect } = await setup();
    const { token } = backend.addWorker({ ephemeral: false });
    const c = await connect();
    c.send('{not json');
    expect(await c.next('error', 0)).toMatchObject({ code: 'INVALID_MESSAGE', field: '/', rule: 'json' });
    c.send({ type: 'teleport' });
    expect(await c.next('error', 1)).toMatchObject({ code: 'INVALID_MESSAGE', field: '/type', rule: 'enum' });
    c.send({ type: 'register', protocolVersion: 1, token, agentVersion: 'x', pid: 1 });
    const missing = await c.next('error', 2);
    expect(missing).toMatchObject({ code: 'INVALID_MESSAGE', field: '/hostname', rule: 'required' });
    expect(missing.message).toContain('/hostname');
    c.send({ type: 'register', protocolVersion: 1, token, agentVersion: 'x', pid: 'one', hostname: 'h' });
    expect(await c.next('error', 3)).toMatchObject({ field: '/pid' });
    // Still connected and the token still unused: a valid register works.
    c.send(register(token));
    await c.next('registered');
    c.send({ type: 'heartbeat' });
    await c.next('heartbeat.ack');
    // A job it was not given: refused and disconnected (a well-behaved agent never does this).
    c.send({ type: 'job.logs', jobId: 'nope', attempt: 1, seq: 1, entries: [] });
    expect(await c.next('error', 5)).toMatchObject({ code: 'UNKNOWN_JOB' });
    expect(await c.closed).toBe(4001);
  });

  it('refuses work before registration and an unsupported protocol version', async () => {
    const { backend, connect } = await setup();
    const early = await connect();
    early.send({ type: 'heartbeat' });
    expect(await early.next('error')).toMatchObject({ code: 'NOT_REGISTERED' });
    expect(await early.closed).toBe(4000);

    const { token } = backend.addWorker();
    const future = await connect();
    future.send({ ...register(token), protocolVersion: 99 });
    expect(await future.next('error')).toMatchObject({ code: 'UNSUPPORTED_PROTOCOL' });
    expect(await future.closed).toBe(4000);
    expect(backend.count('registerWorker')).toBe(0);
  });

  it('closes a connection that does not register in time', async () => {
    const { connect } = await setup({ registerTimeoutMs: 200 });
    const c = await connect();
    expect(await c.closed).toBe(4002);
    expect(c.received[0]).toMatchObject({ type: 'error', code: 'REGISTER_TIMEOUT' });
  });

  it('delivers cancel and shutdown, offers work to an idle pooled worker, and resumes a session', async () => {
    const { backend, gw, connect } = await setup();
    const { workerId, token } = backend.addWorker({ ephemeral: false });
    const c = await connect();
    c.send(register(token));
    const { sessionToken } = await c.next('registered');
    await waitFor(() => backend.count('nextJob') === 1, 'nextJob');
    expect(c.received.some((m) => m.type === 'shutdown')).toBe(false); // pooled: stays idle

    expect(await gw.gateway.offerJob(workerId)).toBe(false);
    const job = backend.enqueue(workerId, { command: 'sleep', args: ['5'] });
    expect(await gw.gateway.offerJob(workerId)).toBe(true);
    expect((await c.next('job.assign')).job.jobId).toBe(job.jobId);
    expect(gw.gateway.cancelJob(workerId, job.jobId, 'user asked')).toBe(true);
    expect(await c.next('job.cancel')).toEqual({ type: 'job.cancel', jobId: job.jobId, reason: 'user asked' });
    expect(gw.gateway.cancelJob('w-unknown', job.jobId)).toBe(false);

    // The agent reconnects (new socket) with its session while holding the job: no new job is assigned.
    const again = await connect();
    again.send({ type: 'resume', protocolVersion: 1, workerId, sessionToken, job: { jobId: job.jobId, attempt: 1 } });
    expect(await again.next('resumed')).toMatchObject({ workerId });
    expect(await c.closed).toBe(4003); // the older connection is replaced
    again.send({ type: 'job.result', jobId: job.jobId, attempt: 1, result: { outcome: 'cancelled', exitCode: null, signal: 'SIGTERM' } });
    await again.next('job.result.ack');
    expect(backend.results.get(`${job.jobId}#1`)?.outcome).toBe('cancelled');
    expect(backend.disconnected).toEqual([]); // replacing a connection is not a disconnect

    expect(gw.gateway.shutdownWorker(workerId, 'draining')).toBe(true);
    expect(await again.next('shutdown')).toEqual({ type: 'shutdown', reason: 'draining' });

    const forged = await connect();
    forged.send({ type: 'resume', protocolVersion: 1, workerId, sessionToken: 'guess' });
    expect(await forged.next('error')).toMatchObject({ code: 'SESSION_INVALID' });
    expect(await forged.closed).toBe(4001);
  });

  it('closes the connection when the backend fails so the agent resends; nothing is acked unstored', async () => {
    const { backend, connect } = await setup();
    const { workerId, token } = backend.addWorker();
    const job = backend.enqueue(workerId, { command: 'true' });
    const c = await connect();
    c.send(register(token));
    await c.next('job.assign');
    backend.failAppends = 1;
    c.send({ type: 'job.logs', jobId: job.jobId, attempt: 1, seq: 1, entries: [{ stream: 'stdout', data: 'x' }] });
    expect(await c.next('error')).toMatchObject({ code: 'INTERNAL' });
    expect(await c.closed).toBe(1011);
    expect(c.received.some((m) => m.type === 'job.logs.ack')).toBe(false);
  });

  it('delivers a job.assign again when the connection dropped before the agent got it', async () => {
    const { backend, connect } = await setup();
    const { workerId, token } = backend.addWorker();
    const job = backend.enqueue(workerId, { command: 'true' });
    const c = await connect();
    c.send(register(token));
    const { sessionToken } = await c.next('registered');
    await c.next('job.assign');
    c.ws.terminate();
    await waitFor(() => backend.disconnected.includes(workerId), 'workerDisconnected');
    const again = await connect();
    again.send({ type: 'resume', protocolVersion: 1, workerId, sessionToken, job: null });
    expect((await again.next('job.assign')).job).toEqual(job);
    expect(backend.count('nextJob')).toBe(1);
    again.send({ type: 'job.result', jobId: job.jobId, attempt: 1, result: { outcome: 'exited', exitCode: 0 } });
    await again.next('shutdown');
    expect(backend.count('nextJob')).toBe(2);
  });

  it('disconnects a registered worker that goes silent for three heartbeat intervals', async () => {
    const { backend, gw, connect } = await setup({ heartbeatIntervalMs: 100 });
    const { workerId, token } = backend.addWorker({ ephemeral: false });
    const c = await connect();
    c.send(register(token));
    await c.next('registered');
    await c.closed;
    await waitFor(() => backend.disconnected.includes(workerId), 'workerDisconnected');
    expect(gw.gateway.isConnected(workerId)).toBe(false);
  });

  it('rejects oversized messages without crashing', async () => {
    const { backend, gw, connect } = await setup();
    const c = await connect();
    c.send({ type: 'heartbeat', pad: 'x'.repeat(1024 * 1024 + 10) });
    expect(await c.closed).toBe(1009);
    const { token } = backend.addWorker();
    const d = await connect();
    d.send(register(token));
    await d.next('registered');
    expect(gw.gateway.connectedWorkers()).toHaveLength(1);
  });
});
