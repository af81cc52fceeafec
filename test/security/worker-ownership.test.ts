// A worker is confined to the job attempts the store assigned to it: a resume, a log batch, a
// start or a result naming anyone else's job (or another attempt of its job) is refused — answered
// with an error, the connection closed, a worker.rejected event recorded and the refusal counted —
// and changes nothing. Runs against a real control plane on every store engine.
import { describe, expect, it } from 'vitest';
import { TEST_ENGINES } from '../support/store/fresh.js';
import { poll } from '../support/wait.js';
import { register } from '../support/gateway/raw-client.js';
import {
  handWorker, rejectedEvent, rejections, resume, securityServerForTests, workerForJob, type SecurityServer,
} from './worker-support.js';

const CLOSE_UNAUTHORIZED = 4001;

describe.each(TEST_ENGINES)('worker confinement (%s)', (engine) => {
  let s: SecurityServer;
  securityServerForTests(engine, (started) => (s = started));

  const state = async (jobId: string): Promise<string> => (await s.client.getJob(jobId)).state;
  const logs = (jobId: string): Promise<string> => s.client.logsText(jobId);

  it('every rejection reason is exported at 0 before anything happens', async () => {
    for (const reason of ['foreign_job', 'wrong_attempt', 'token_invalid', 'session_invalid', 'invalid_message', 'oversized_frame']) {
      expect(await rejections(s, reason), reason).toBeGreaterThanOrEqual(0);
    }
  });

  it("refuses a resume naming another worker's job; its result then cannot end the victim's job", async () => {
    const victim = await handWorker(s);
    victim.client.send({ type: 'job.started', jobId: victim.jobId, attempt: victim.attempt });
    await poll('victim running', async () => (await state(victim.jobId)) === 'running');
    const attacker = await handWorker(s);
    const before = await rejections(s, 'foreign_job');

    // The attacker reconnects claiming to hold the victim's job, then reports it succeeded.
    const c = await s.connect();
    const ref = { jobId: victim.jobId, attempt: victim.attempt };
    c.send(resume(attacker, ref));
    c.send({ type: 'job.logs', ...ref, seq: 1, entries: [{ stream: 'stdout', data: 'FORGED-OUTPUT\n' }] });
    c.send({ type: 'job.result', ...ref, result: { outcome: 'exited', exitCode: 0 } });
    const outcome = await Promise.race([c.closed.then((code) => ({ closed: code })), c.next('job.result.ack').then(() => ({ acked: true }))]);

    expect(outcome).toEqual({ closed: CLOSE_UNAUTHORIZED });
    expect(c.received.find((m) => m.type === 'error')).toMatchObject({ code: 'UNKNOWN_JOB' });
    expect(await state(victim.jobId)).toBe('running');
    expect(await logs(victim.jobId)).not.toContain('FORGED');
    const ev = await rejectedEvent(s, 'foreign_job', attacker.workerId);
    expect(ev).toMatchObject({ success: false, details: { reason: 'foreign_job', message_type: 'resume', job_id: victim.jobId } });
    expect(JSON.stringify(ev)).not.toContain(attacker.sessionToken);
    expect(await rejections(s, 'foreign_job')).toBeGreaterThan(before);

    // The real worker is undisturbed: its output and result are the ones stored.
    victim.client.send({ type: 'job.logs', ...ref, seq: 1, entries: [{ stream: 'stdout', data: 'real output\n' }] });
    victim.client.send({ type: 'job.result', ...ref, result: { outcome: 'exited', exitCode: 3 } });
    await victim.client.next('job.result.ack');
    expect(await state(victim.jobId)).toBe('failed');
    expect(await logs(victim.jobId)).toBe('real output\n');
  });

  it("refuses log batches, a start and a result for another worker's job on the sender's own session", async () => {
    const victim = await handWorker(s);
    for (const forged of [
      { type: 'job.logs', seq: 1, entries: [{ stream: 'stdout', data: 'FORGED\n' }] },
      { type: 'job.started' },
      { type: 'job.result', result: { outcome: 'cancelled', exitCode: null } },
    ]) {
      const attacker = await handWorker(s);
      attacker.client.send({ ...forged, jobId: victim.jobId, attempt: victim.attempt });
      expect(await attacker.client.closed).toBe(CLOSE_UNAUTHORIZED);
      expect(attacker.client.received.find((m) => m.type === 'error')).toMatchObject({ code: 'UNKNOWN_JOB' });
      await rejectedEvent(s, 'foreign_job', attacker.workerId);
    }
    expect(await state(victim.jobId)).toBe('assigned');
    expect(await logs(victim.jobId)).toBe('');
  });

  it("refuses another attempt of the worker's own job: the next attempt's log batches cannot be pre-empted", async () => {
    const first = await handWorker(s, { retries: 1 });
    const ref1 = { jobId: first.jobId, attempt: 1 };
    first.client.send({ type: 'job.started', ...ref1 });
    first.client.send({ type: 'job.result', ...ref1, result: { outcome: 'exited', exitCode: 1 } });
    await first.client.next('job.result.ack');
    const second = await workerForJob(s, first.jobId, 1);
    expect(second.attempt).toBe(2);
    const ref2 = { jobId: first.jobId, attempt: 2 };
    const before = await rejections(s, 'wrong_attempt');

    // The first worker (still holding a valid session) claims attempt 2 and writes its batch 1.
    const c = await s.connect();
    c.send(resume(first, ref2));
    c.send({ type: 'job.logs', ...ref2, seq: 1, entries: [{ stream: 'stdout', data: 'FORGED-2\n' }] });
    expect(await c.closed).toBe(CLOSE_UNAUTHORIZED);
    await rejectedEvent(s, 'wrong_attempt', first.workerId);

    // The second worker sends attempt 1's log batch directly.
    second.client.send({ type: 'job.logs', ...ref1, seq: 9, entries: [{ stream: 'stdout', data: 'FORGED-1\n' }] });
    expect(await second.client.closed).toBe(CLOSE_UNAUTHORIZED);
    await rejectedEvent(s, 'wrong_attempt', second.workerId);
    // ...and, on a resumed session, the result of attempt 1 (whose job the first worker failed).
    const stale = await s.connect();
    stale.send(resume(second, ref2));
    await stale.next('resumed');
    stale.send({ type: 'job.result', ...ref1, result: { outcome: 'exited', exitCode: 0 } });
    expect(await stale.closed).toBe(CLOSE_UNAUTHORIZED);
    expect(await rejections(s, 'wrong_attempt')).toBeGreaterThanOrEqual(before + 3);

    // The real holder of attempt 2 resumes and its batch 1 is stored, not taken for a duplicate.
    const again = await s.connect();
    again.send(resume(second, ref2));
    await again.next('resumed');
    again.send({ type: 'job.started', ...ref2 });
    again.send({ type: 'job.logs', ...ref2, seq: 1, entries: [{ stream: 'stdout', data: 'attempt two\n' }] });
    again.send({ type: 'job.result', ...ref2, result: { outcome: 'exited', exitCode: 0 } });
    await again.next('job.result.ack');
    expect(await state(first.jobId)).toBe('succeeded');
    expect(await logs(first.jobId)).toBe('attempt two\n');
  });

  it("refuses a replayed one-time token and another worker's session token, recording neither", async () => {
    const victim = await handWorker(s);
    const attacker = await handWorker(s);
    const [tokens, sessions] = [await rejections(s, 'token_invalid'), await rejections(s, 'session_invalid')];

    const replay = await s.connect();
    replay.send(register(victim.token));
    expect(await replay.next('error')).toMatchObject({ code: 'TOKEN_INVALID' });
    expect(await replay.closed).toBe(CLOSE_UNAUTHORIZED);

    const hijack = await s.connect();
    hijack.send(resume({ workerId: victim.workerId, sessionToken: attacker.sessionToken }, null));
    expect(await hijack.next('error')).toMatchObject({ code: 'SESSION_INVALID' });
    expect(await hijack.closed).toBe(CLOSE_UNAUTHORIZED);

    const tokenEvent = await rejectedEvent(s, 'token_invalid');
    const sessionEvent = await rejectedEvent(s, 'session_invalid', victim.workerId);
    for (const secret of [victim.token, attacker.sessionToken, victim.sessionToken]) {
      expect(JSON.stringify([tokenEvent, sessionEvent])).not.toContain(secret);
      expect(s.logs()).not.toContain(secret);
    }
    expect(await rejections(s, 'token_invalid')).toBeGreaterThan(tokens);
    expect(await rejections(s, 'session_invalid')).toBeGreaterThan(sessions);
    // The victim's session still works.
    victim.client.send({ type: 'job.started', jobId: victim.jobId, attempt: victim.attempt });
    await poll('victim running', async () => (await state(victim.jobId)) === 'running');
  });
});
