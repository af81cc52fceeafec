// Bad input gets the right 4xx naming the field or reason; never a 500; the server keeps serving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { hashToken, newToken } from '../../src/util/tokens.js';
import { startTestServer, type TestServer } from './harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.stop();
});

async function post(body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: { error: { code: string; message: string; details: Record<string, unknown> } } }> {
  const res = await fetch(`${s.url}/v1/jobs`, {
    method: 'POST', body,
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json', ...headers },
  });
  return { status: res.status, body: (await res.json()) as never };
}

describe('POST /v1/jobs validation', () => {
  it.each([
    ['missing command', { args: ['x'] }, 'command', 'is required'],
    ['cpu not a quantity', { command: 'true', resources: { cpu: 'lots' } }, 'resources.cpu', 'CPU quantity'],
    ['negative timeout', { command: 'true', timeoutSeconds: -5 }, 'timeoutSeconds', '>= 1'],
    ['wrong type', { command: 'true', args: 'not-an-array' }, 'args', 'must be array'],
    ['string for a number', { command: 'true', retries: '3' }, 'retries', 'must be integer'],
    ['unknown field', { command: 'true', comand: 'typo' }, 'comand', 'is not a known field'],
    ['bad env name', { command: 'true', env: { 'BAD-NAME': 'x' } }, 'env', 'environment variable name'],
  ])('%s → 400 naming the field', async (_name, body, field, rule) => {
    const r = await post(JSON.stringify(body));
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.details.field).toBe(field);
    expect(r.body.error.message).toContain(field);
    expect(JSON.stringify(r.body.error)).toContain(rule);
  });

  it('a 2 MiB body → 413', async () => {
    const r = await post(JSON.stringify({ command: 'echo', args: ['x'.repeat(2 * 1024 * 1024)] }));
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('broken JSON → 400; wrong content type → 415', async () => {
    expect((await post('{"command": ')).status).toBe(400);
    expect((await post('command=true', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
  });

  it('bad or missing token → 401, and the token is never echoed', async () => {
    const bad = await fetch(`${s.url}/v1/jobs`, { headers: { authorization: 'Bearer not-the-token' } });
    expect(bad.status).toBe(401);
    expect(await bad.text()).not.toContain('not-the-token');
    expect((await fetch(`${s.url}/v1/workers`)).status).toBe(401);
  });

  it('bad query, unknown job, unknown route → 400/404', async () => {
    const auth = { authorization: `Bearer ${s.token}` };
    const q = await fetch(`${s.url}/v1/jobs?limit=0`, { headers: auth });
    expect(q.status).toBe(400);
    expect(((await q.json()) as { error: { details: { field: string } } }).error.details.field).toBe('limit');
    expect((await fetch(`${s.url}/v1/jobs?cursor=garbage!!`, { headers: auth })).status).toBe(400);
    expect((await fetch(`${s.url}/v1/jobs?state=exploded`, { headers: auth })).status).toBe(400);
    expect((await fetch(`${s.url}/v1/jobs/nope`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${s.url}/v1/jobs/..%2F..%2Fetc`, { headers: auth })).status).toBe(400);
    expect((await fetch(`${s.url}/v1/nothing`, { headers: auth })).status).toBe(404);
  });

  it('the server keeps serving after all of it, and no answer was a 500', async () => {
    const job = await s.client.submit({ command: 'true' });
    expect(job.state).toBe('queued');
    expect(s.logs()).not.toMatch(/"statusCode":5\d\d/);
  });
});

describe('worker registration', () => {
  it('a one-time token works once; a replay is refused and logged', async () => {
    const token = newToken();
    await s.cp.store.insertWorker({ id: 'w-replay-test', providerId: 'test', jobId: null, ephemeral: true, tokenHash: hashToken(token), createdAt: new Date() });
    const first = await register(token);
    expect(first.type).toBe('registered');
    const replay = await register(token);
    expect(replay.type).toBe('error');
    expect(replay.code).toBe('TOKEN_INVALID');
    expect(s.logs()).not.toContain(token);
  });
});

async function register(token: string): Promise<{ type: string; code?: string }> {
  const ws = new WebSocket(`${s.url.replace(/^http/, 'ws')}/v1/workers/connect`);
  await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
  const reply = new Promise<{ type: string; code?: string }>((r) => ws.once('message', (d: Buffer) => r(JSON.parse(d.toString()) as { type: string })));
  ws.send(JSON.stringify({ type: 'register', protocolVersion: 1, token, agentVersion: 'test', pid: process.pid, hostname: 'test' }));
  const msg = await reply;
  ws.close();
  return msg;
}
