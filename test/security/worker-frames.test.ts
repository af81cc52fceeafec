// What the store cannot hold never reaches it: malformed, mistyped, out-of-range, NUL-bearing or
// oversized worker frames are refused at the gateway with an error naming the field (or the
// connection closed, for frames WebSocket itself refuses), nothing is half written, no secret
// reaches a log, event or metric, and the control plane keeps serving. Runs on every store engine.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../src/gateway/protocol.js';
import { TEST_ENGINES } from '../support/store/fresh.js';
import { poll } from '../support/wait.js';
import { register, type RawClient } from '../support/gateway/raw-client.js';
import {
  handWorker, rejectedEvent, rejectedEvents, rejections, resume, securityServerForTests, type HandWorker, type SecurityServer,
} from './worker-support.js';

const MARKER = { secret: 'MARKER-secret-7f3a', env: 'MARKER-env-19be', message: 'MARKER-msg-c0de' };

/** Sends a frame and returns the first error answered after it. */
async function refusal(c: RawClient, frame: object | string): Promise<Extract<ServerMessage, { type: 'error' }>> {
  const from = c.received.length;
  c.send(frame);
  return c.next('error', from);
}

describe.each(TEST_ENGINES)('worker frames at the edge (%s)', (engine) => {
  let s: SecurityServer;
  let w: HandWorker;
  securityServerForTests(engine, (started) => (s = started));
  beforeAll(async () => {
    w = await handWorker(s, { env: { PLAIN: MARKER.env }, secrets: { API_KEY: MARKER.secret } });
    w.client.send({ type: 'job.started', jobId: w.jobId, attempt: w.attempt });
    await poll('job running', async () => (await s.client.getJob(w.jobId)).state === 'running');
  });

  it('refuses what the store cannot hold with an error naming the field, and keeps the connection', async () => {
    const ref = { jobId: w.jobId, attempt: w.attempt };
    const before = await rejections(s, 'invalid_message');
    const cases: Array<[frame: object | string, field: string]> = [
      [{ type: 'job.result', ...ref, result: { outcome: 'exited', exitCode: 0, message: `${MARKER.message}\0` } }, '/result/message'],
      [{ type: 'job.result', ...ref, result: { outcome: 'exited', exitCode: 2 ** 40 } }, '/result/exitCode'],
      [{ type: 'job.logs', ...ref, attempt: 2 ** 31, seq: 1, entries: [] }, '/attempt'],
      [{ type: 'job.logs', ...ref, seq: 2 ** 40, entries: [] }, '/seq'],
      [{ type: 'job.logs', ...ref, seq: 1, entries: [{ stream: 'stdout', data: 'x', [MARKER.message]: 1 }] }, '/entries/0'],
      [{ type: 'job.started', jobId: `${w.jobId}\ud800`, attempt: 1 }, '/jobId'],
      [{ type: 'job.started', jobId: w.jobId, attempt: '1' }, '/attempt'],
      [{ type: 'job.result', ...ref, result: { outcome: 'exited', exitCode: 0, signal: `SIG\0${MARKER.message}` } }, '/result/signal'],
      [{ type: 'error', code: 'BUSY', message: `\udc00${MARKER.message}` }, '/message'],
      [{ type: 'heartbeat', extra: MARKER.message }, '/'],
      [`{"type":"job.result","jobId":"${MARKER.message}`, '/'],
      ['[1,2,3]', '/'],
      [{ jobId: w.jobId }, '/type'],
      [{ type: MARKER.message }, '/type'],
    ];
    for (const [frame, field] of cases) {
      const err = await refusal(w.client, frame);
      expect(err, JSON.stringify(frame)).toMatchObject({ code: 'INVALID_MESSAGE', field });
      expect(err.rule, JSON.stringify(frame)).toBeTruthy();
    }
    expect(await s.client.getJob(w.jobId)).toMatchObject({ state: 'running', message: null, exitCode: null });
    expect(await rejections(s, 'invalid_message')).toBe(before + cases.length);
    const ev = await rejectedEvent(s, 'invalid_message', w.workerId);
    expect(ev.details).toMatchObject({ field: expect.stringMatching(/^\//), rule: expect.any(String) });
  });

  it('refuses NUL and lone surrogates in register and resume fields before using them', async () => {
    const c = await s.connect();
    expect(await refusal(c, resume({ workerId: `${w.workerId}\0`, sessionToken: w.sessionToken }, null))).toMatchObject({ field: '/workerId' });
    expect(await refusal(c, resume(w, { jobId: `${w.jobId}\0`, attempt: 1 }))).toMatchObject({ field: '/job/jobId' });
    expect(await refusal(c, { ...register('t'), hostname: 'host\ud83d' })).toMatchObject({ field: '/hostname' });
    expect(await refusal(c, { ...register('t'), token: 'x'.repeat(2000) })).toMatchObject({ field: '/token' });
    expect(c.ws.readyState).toBe(c.ws.OPEN);
  });

  it('stores NUL and lone surrogates in job output as U+FFFD (output is never refused)', async () => {
    const ref = { jobId: w.jobId, attempt: w.attempt };
    w.client.send({ type: 'job.logs', ...ref, seq: 1, entries: [{ stream: 'stdout', data: 'a\0b\ud800c\udc00\n' }] });
    expect(await w.client.next('job.logs.ack')).toMatchObject({ seq: 1 });
    expect(await s.client.logsText(w.jobId)).toBe('a\uFFFDb\uFFFDc\uFFFD\n');
  });

  it('refuses binary frames, closes on invalid UTF-8 and oversized ones, counts them, and serves on', async () => {
    const [frames, oversized] = [await rejections(s, 'invalid_frame'), await rejections(s, 'oversized_frame')];
    const binary = await s.connect();
    binary.ws.send(Buffer.from('{"type":"heartbeat"}'), { binary: true });
    expect(await binary.next('error')).toMatchObject({ code: 'INVALID_MESSAGE', field: '/' });

    const badUtf8 = await s.connect();
    badUtf8.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect(await badUtf8.closed).toBe(1007);

    const big = await s.connect();
    big.send(JSON.stringify({ type: 'job.logs', jobId: w.jobId, attempt: w.attempt, seq: 2, entries: [{ stream: 'stdout', data: MARKER.message.repeat(80_000) }] }));
    expect(await big.closed).toBe(1009);

    expect(await rejections(s, 'invalid_frame')).toBe(frames + 2);
    expect(await rejections(s, 'oversized_frame')).toBe(oversized + 1);
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
  });

  it('the worker finishes normally afterwards, and no seeded secret reached a log, event or metric', async () => {
    const ref = { jobId: w.jobId, attempt: w.attempt };
    w.client.send({ type: 'job.result', ...ref, result: { outcome: 'exited', exitCode: 0 } });
    await w.client.next('job.result.ack');
    expect((await s.client.getJob(w.jobId)).state).toBe('succeeded');

    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    const events = JSON.stringify(await rejectedEvents(s));
    for (const marker of [...Object.values(MARKER), w.token, w.sessionToken]) {
      expect(s.logs(), marker).not.toContain(marker);
      expect(events, marker).not.toContain(marker);
      expect(metrics, marker).not.toContain(marker);
    }
    expect(s.logs()).not.toContain('gateway backend call failed');
  });
});
