// A database outage answers 503 STORE_UNAVAILABLE (no 500, no stack), is logged once (and once
// more when it recovers), and requests succeed again by themselves once the store is back. The
// store is the real test PostgreSQL behind a TCP proxy the test cuts and restores.
import { expect, it } from 'vitest';
import { poll } from '../support/wait.js';
import type { TestServer } from '../e2e/harness.js';
import type { TcpProxy } from './support-proxy.js';
import { bearer, inertServerForTests, marker, rawRequest } from './support.js';

let s: TestServer;
let proxy: TcpProxy;
inertServerForTests({ behindProxy: true }, (f) => ({ s, proxy } = f));

const logLines = (msg: string): number => s.logs().split('\n').filter((l) => l.includes(`"msg":"${msg}`)).length;

it('answers 503 STORE_UNAVAILABLE during an outage, logs it once, and recovers by itself', async () => {
  const secret = marker('outage');
  const job = JSON.parse((await rawRequest(s.cp.port, {
    method: 'POST', target: '/v1/jobs', headers: { ...bearer(s.token), 'content-type': 'application/json' },
    body: JSON.stringify({ command: 'true' }),
  })).body) as { id: string };

  for (let outage = 1; outage <= 2; outage++) {
    await proxy.cut();
    const requests = [
      { target: '/v1/jobs' }, { target: `/v1/jobs/${job.id}` }, { target: '/v1/workers' }, { target: '/v1/events' },
      { target: `/v1/jobs/${job.id}/logs` }, { method: 'POST', target: `/v1/jobs/${job.id}/cancel` },
      { method: 'POST', target: '/v1/jobs', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ command: 'true', secrets: { K: secret } }) },
    ];
    for (let round = 0; round < 3; round++) {
      for (const r of requests) {
        const res = await rawRequest(s.cp.port, { ...r, headers: { ...bearer(s.token), ...r.headers } });
        expect(res.status, `${r.method ?? 'GET'} ${r.target}`).toBe(503);
        const body = JSON.parse(res.body) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('STORE_UNAVAILABLE');
        expect(body.error.message).toMatch(/store is unavailable/);
        expect(res.body).not.toMatch(/\bat .*\.(ts|js):\d+/);
        expect(res.body).not.toContain(secret);
        expect(res.headers['retry-after']).toBeDefined();
      }
    }
    expect(logLines('store unavailable')).toBe(outage);
    expect((await rawRequest(s.cp.port, { target: '/readyz' })).status).toBe(503);

    await proxy.restore();
    await poll('the API to answer again', async () => (await rawRequest(s.cp.port, { target: '/v1/jobs', headers: bearer(s.token) })).status === 200);
    await poll('the recovery log line', () => logLines('store available again') === outage);
    expect(logLines('store unavailable')).toBe(outage);
  }
  expect(s.logs()).not.toContain(secret);
});
