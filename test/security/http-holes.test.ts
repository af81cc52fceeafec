// Regression tests for the holes issue 10 found over HTTP, each written before its fix:
// encoded / absolute-form targets bypassed the token, and a NUL byte in a job reached the database,
// answered 500 and logged the driver error with every secret of the job in clear.
import { describe, expect, it } from 'vitest';
import type { TestServer } from '../e2e/harness.js';
import { bearer, inertServerForTests, marker, rawRequest } from './support.js';

describe.each(['pglite', 'postgres'] as const)('on %s', (engine) => {
  let s: TestServer;
  inertServerForTests({ engine }, (f) => ({ s } = f));

  it('refuses a job submitted without a token through a percent-encoded path', async () => {
    const r = await rawRequest(s.cp.port, {
      method: 'POST', target: '/%761/jobs', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ command: 'id' }),
    });
    expect(r.status).toBe(401);
    const list = await rawRequest(s.cp.port, { target: '/v1/jobs', headers: bearer(s.token) });
    expect(JSON.parse(list.body).jobs).toEqual([]);
  });

  it.each([
    ['/v%31/events'], ['/%76%31/slo'], ['/%761/workers'], ['http://host/v1/workers'], ['HTTP://127.0.0.1/%761/jobs'],
  ])('answers 401 to GET %s without a token', async (target) => {
    const r = await rawRequest(s.cp.port, { target });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body).error.code).toBe('UNAUTHORIZED');
  });

  it('refuses a NUL in a secret with a 400 naming the field, and logs no secret', async () => {
    const secret = marker('secret');
    const res = await fetch(`${s.url}/v1/jobs`, {
      method: 'POST', headers: { ...bearer(s.token), 'content-type': 'application/json' },
      body: JSON.stringify({ command: 'true', env: { PLAIN: marker('env') }, secrets: { API_KEY: secret, BROKEN: 'a\u0000b' } }),
    });
    const body = await res.text();
    expect(res.status).toBe(400);
    expect(JSON.parse(body).error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'secrets.BROKEN' } });
    expect(body).not.toContain(secret);
    expect(s.logs()).not.toContain(secret);
  });

  it.each([
    ['command', { command: 'tr\u0000ue' }, 'command'],
    ['an argument', { command: 'true', args: ['ok', 'x\u0000'] }, 'args[1]'],
    ['an env value', { command: 'true', env: { A: '\u0000' } }, 'env.A'],
    ['a label value', { command: 'true', labels: { team: 'a\u0000' } }, 'labels.team'],
    ['a lone surrogate in a secret', { command: 'true', secrets: { S: 'x\ud800y' } }, 'secrets.S'],
    ['a lone low surrogate in the image', { command: 'true', image: 'busybox\udc00' }, 'image'],
  ])('refuses %s the store cannot hold with a 400 naming it', async (_what, spec, field) => {
    const res = await fetch(`${s.url}/v1/jobs`, {
      method: 'POST', headers: { ...bearer(s.token), 'content-type': 'application/json' }, body: JSON.stringify(spec),
    });
    expect(res.status).toBe(400);
    expect((await res.json() as { error: { details: { field: string } } }).error.details.field).toBe(field);
  });

  it.each([
    ['/v1/jobs?label=team%3Da%00', 'label'],
    ['/v1/events?type=worker.created%00', 'type'],
    ['/v1/events?worker_id=w-1%00', 'worker_id'],
  ])('refuses a NUL in filter %s with a 400 naming it', async (target, field) => {
    const r = await rawRequest(s.cp.port, { target, headers: bearer(s.token) });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error.details.field).toBe(field);
  });
});
